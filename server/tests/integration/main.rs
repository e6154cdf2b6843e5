//! Integration tests: the real server over HTTP, on SQLite or PostgreSQL
//! (`REDRESS_TEST_DB`). The same tests run on both; none is written twice.

mod helpers;
mod isolation;

mod accounts;
mod admin;
mod api;
mod assessment;
mod bank;
mod claims;
mod database;
mod decisions;
mod drills;
mod exports;
mod files;
mod fleet;
mod journey;
mod mail;
mod mfa;
mod model;
mod ops;
mod payouts;
mod pgbouncer;
mod policy;
mod postcodes;
mod queues;
mod reported;
mod reports;
mod rolling;
mod round_trips;
mod routes;
mod schema_fuzz;
mod security;
