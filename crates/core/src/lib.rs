//! Redress's server core: everything the server does behind its web edge.
//! The database (`db`, one `store` for SQLite and PostgreSQL), the
//! services (each a typed command or query that owns its transaction, the
//! one transition function among them), mail, evidence files and SQLite's
//! group commit. No web framework is linked here: the web edge (the `app`
//! crate's `server` module) parses requests into commands and answers with
//! pages; a job or a test calls the same functions directly.

/// The pure domain (shared with the browser).
pub use domain;
/// Japanese and English texts (mails and reports are written in them).
pub use texts as i18n;

pub mod auth;
pub mod bank_data;
pub mod csv;
pub mod db;
pub mod error;
pub mod files;
pub mod group_commit;
pub mod limits;
pub mod mail;
pub mod net;
pub mod pg_statements;
pub mod postcodes;
pub mod services;
pub mod state;
pub mod store;

pub use error::AppError;
pub use state::{Core, Settings};

#[cfg(test)]
pub(crate) mod tests {
    use std::path::{Path, PathBuf};

    /// Every Rust file below `dir` (the source-walking tests' one walker).
    pub(crate) fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The functions of `text` (its unit tests aside) longer than `max`
    /// lines, from `fn` to the brace that closes it at the same indent.
    fn long_functions(text: &str, max: usize) -> Vec<(String, usize)> {
        let text = text.split("\n#[cfg(test)]\nmod tests").next().unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut long = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let indent = &line[..line.len() - trimmed.len()];
            let head = ["pub(super) ", "pub(crate) ", "pub "]
                .iter()
                .fold(trimmed, |t, p| t.strip_prefix(p).unwrap_or(t));
            let head = head.strip_prefix("async ").unwrap_or(head);
            let Some(rest) = head.strip_prefix("fn ") else {
                continue;
            };
            let close = format!("{indent}}}");
            let end = lines[i..].iter().position(|l| *l == close).unwrap_or(0);
            if end + 1 > max {
                let name = rest.split(['(', '<']).next().unwrap_or(rest);
                long.push((name.to_owned(), end + 1));
            }
        }
        long
    }

    /// The server core and the web edge stay readable: no file over 600
    /// lines, no function over 80 (a unit test module aside). Pages'
    /// `view!` trees are not counted (they are markup).
    #[test]
    fn no_file_of_the_core_or_the_web_edge_is_too_long_and_no_function_either() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        for dir in [
            "crates/core/src",
            "crates/web/src",
            "app/src/server",
            "app/src/api",
        ] {
            sources(&root.join(dir), &mut files);
        }
        assert!(files.len() > 80, "the walk found the sources");
        let mut too_long = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let name = file.strip_prefix(&root).unwrap().display().to_string();
            let lines = text.lines().count();
            if lines > 600 {
                too_long.push(format!("{name}: {lines} lines"));
            }
            for (f, n) in long_functions(&text, 80) {
                too_long.push(format!("{name}: fn {f} is {n} lines"));
            }
        }
        assert!(too_long.is_empty(), "{too_long:#?}");
    }

    #[test]
    fn a_long_function_is_found() {
        let body = "    x();\n".repeat(90);
        let text = format!("pub async fn long(a: u8) {{\n{body}}}\n\nfn short() {{\n}}\n");
        assert_eq!(long_functions(&text, 80), [("long".to_owned(), 92)]);
    }
}
