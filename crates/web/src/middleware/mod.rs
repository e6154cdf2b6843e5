//! What runs around the handlers: the request-level defences (same-origin
//! writes, headers, bad input), operations (request ids, metrics) and the
//! case pages' view audit.

pub mod case_views;
pub mod ops;
pub mod security;
