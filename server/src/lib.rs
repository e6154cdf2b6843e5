//! The `redress` server: configuration, the HTTP stack and the commands.
//! `main.rs` only parses the command line and calls in here.

pub mod config;
pub mod sessions;
pub mod startup;
