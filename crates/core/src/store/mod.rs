//! Database access: one SQL text per query, run on SQLite or PostgreSQL.
//! No rules here: services decide, the store reads and writes.

use std::sync::LazyLock;

use crate::domain::workflow::CaseState;

/// The states of an open case, as an SQL list made from the enum: submitted,
/// not yet decided, not closed (banks answer its lines, its flags change).
pub fn open_states() -> &'static str {
    static OPEN: LazyLock<String> =
        LazyLock::new(|| CaseState::sql_list(CaseState::flags_can_change));
    &OPEN
}

/// `$from, $from+1, ...` for `n` values.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

pub mod api_keys;
pub mod appended;
pub mod assessment;
pub mod attempts;
pub mod bank_debits;
pub mod bank_review;
pub mod banks;
pub mod cases;
pub mod claims;
pub mod decisions;
pub mod drafts;
pub mod evidence;
pub mod figures;
pub mod invitations;
pub mod login_sessions;
pub mod mfa;
pub mod notifications;
pub mod outbox;
pub mod payouts;
pub mod policies;
pub mod postcodes;
pub mod queue;
pub mod reports;
pub mod requests;
pub mod reservations;
pub mod tokens;
pub mod users;

#[cfg(test)]
mod tests {
    /// Rows carry money as `Yen`, never a bare integer: a field of a row
    /// (or a store function's argument) named like an amount of money and
    /// typed `i64` fails here, in every file of the store, new ones too.
    #[test]
    fn rows_carry_yen_not_integers() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
        // (`over_amount` counts the lines paid over their amount: a count.)
        let money = |name: &str| {
            (name.contains("amount") && !name.ends_with("over_amount"))
                || name.ends_with("_share")
                || matches!(
                    name,
                    "approved"
                        | "paid"
                        | "owed"
                        | "total_claimed"
                        | "debits_paid"
                        | "ledger_sum"
                        | "min"
                        | "max"
                        | "amount_min"
                        | "amount_max"
                )
        };
        let (mut integers, mut yen) = (Vec::new(), 0);
        for entry in std::fs::read_dir(root).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines() {
                let line = line.trim().trim_start_matches("pub ");
                let Some((name, ty)) = line.split_once(": ") else {
                    continue;
                };
                let ty = ty.trim_end_matches(',');
                if ty == "Yen" || ty == "Option<Yen>" {
                    yen += 1;
                } else if (ty == "i64" || ty == "Option<i64>") && money(name) {
                    integers.push(format!("{}: {line}", path.display()));
                }
            }
        }
        assert!(yen > 30, "the walk found the money fields ({yen})");
        assert!(integers.is_empty(), "money held as i64: {integers:#?}");
    }
}
