//! Services own transactions: each public function checks the rules, writes
//! through the store and commits (or rolls back) as one unit.

pub mod account;
pub mod accounts;
pub mod admin_users;
pub mod api_keys;
pub mod assessment;
pub mod bank_import;
pub mod bank_review;
pub mod banks;
pub mod cases;
pub mod claims;
pub mod decisions;
pub mod demo;
pub mod drafts;
pub mod evidence;
pub mod files_migrate;
pub mod invitations;
pub mod mails;
pub mod mfa;
pub mod notifications;
pub mod payouts;
pub mod policies;
pub mod postcodes;
pub mod reminders;
pub mod reports;

#[cfg(test)]
mod tests {
    /// Every service file (folders too), with its unit tests cut off:
    /// (path, text). A new file or folder cannot be missed.
    fn service_sources() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/services");
        let mut dirs = vec![root];
        let mut out = Vec::new();
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let whole = std::fs::read_to_string(&path).unwrap();
                    let text = whole.split("\n#[cfg(test)]\nmod tests").next().unwrap();
                    out.push((path.display().to_string(), text.to_owned()));
                }
            }
        }
        out
    }

    /// Every public async function of every service opens a span (with the
    /// case's reference and the user where it has them), so an internal
    /// error's log line names the operation that failed (`AppError`'s
    /// `during`). A new service file or function without one fails here.
    #[test]
    fn every_service_function_says_what_it_is_doing() {
        let mut bare = Vec::new();
        let mut seen = 0;
        for (path, text) in service_sources() {
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if !line.starts_with("pub async fn ") {
                    continue;
                }
                seen += 1;
                // Its doc comment and attributes: back to the blank line.
                let mut above = lines[..i]
                    .iter()
                    .rev()
                    .take_while(|l| !l.trim().is_empty() && **l != "}");
                if !above.any(|l| l.starts_with("#[tracing::instrument(")) {
                    bare.push(format!("{path}: {line}"));
                }
            }
        }
        assert!(seen > 80, "the walk found the services ({seen})");
        assert!(
            bare.is_empty(),
            "service functions without a span: {bare:#?}"
        );
    }

    /// Services take typed commands: no public function of a service takes
    /// a form (a string map); the web edge parses it first.
    #[test]
    fn no_service_function_takes_a_form() {
        let mut takes = Vec::new();
        for (path, text) in service_sources() {
            for (i, _) in text.match_indices("\npub ") {
                let rest = &text[i..];
                let signature = &rest[..rest.find('{').unwrap_or(rest.len())];
                if !signature.contains(" fn ") {
                    continue;
                }
                if signature.contains("Form")
                    || signature.contains("HashMap<String, String>")
                    || signature.contains("Submitted")
                {
                    takes.push(format!("{path}: {}", signature.trim()));
                }
            }
        }
        assert!(takes.is_empty(), "services taking a form: {takes:#?}");
    }
}
