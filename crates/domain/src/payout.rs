//! Payout rules: the transfer date of a batch, the ledger's double entries,
//! the cost split between a bank and the operator, and the bank's result
//! file. Pure; the services own the transactions.

use chrono::NaiveDate;

use super::calendar::{add_business_days, is_business_day};

/// The earliest transfer date a batch made `today` may take: one bank
/// business day ahead (the bank needs a day to process the file).
pub fn earliest_transfer_date(today: NaiveDate) -> NaiveDate {
    add_business_days(today, 1)
}

/// Reads a transfer date (`YYYY-MM-DD`, `/` allowed): a bank business day
/// at least one business day after `today`.
pub fn parse_transfer_date(input: &str, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    let text = input.trim().replace('/', "-");
    if text.is_empty() {
        return Err("transfer_date_required");
    }
    let date = NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| "date_invalid")?;
    if !is_business_day(date) {
        return Err("transfer_date_not_business_day");
    }
    if date < earliest_transfer_date(today) {
        return Err("transfer_date_too_soon");
    }
    Ok(date)
}

/// The ledger's accounts.
pub const COMPENSATION: &str = "compensation";
pub const OWED: &str = "owed_to_claimant";
pub const SCHEDULED: &str = "scheduled";
pub const PAID_OUT: &str = "paid_out";

/// What moves money between accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Movement {
    /// A case is approved: the operator owes the claimant.
    Approve,
    /// The amount owed is put in a batch.
    Schedule,
    /// The bank paid it.
    Pay,
    /// The bank could not: owed again.
    Fail,
    /// The approval is taken back before any money moved: owed no more.
    Revoke,
}

impl Movement {
    pub fn as_str(self) -> &'static str {
        match self {
            Movement::Approve => "approve",
            Movement::Schedule => "schedule",
            Movement::Pay => "pay",
            Movement::Fail => "fail",
            Movement::Revoke => "revoke",
        }
    }

    /// The two legs (account, amount: debit positive, credit negative);
    /// they sum to zero.
    pub fn legs(self, amount: i64) -> [(&'static str, i64); 2] {
        let (debit, credit) = match self {
            Movement::Approve => (COMPENSATION, OWED),
            Movement::Schedule => (OWED, SCHEDULED),
            Movement::Pay => (SCHEDULED, PAID_OUT),
            Movement::Fail => (SCHEDULED, OWED),
            Movement::Revoke => (OWED, COMPENSATION),
        };
        [(debit, amount), (credit, -amount)]
    }
}

/// A bank's share of the debits paid at its accounts (`percent`, rounded
/// down to the yen) and the operator's (the rest).
pub fn split(debits_paid: i64, percent: i64) -> (i64, i64) {
    let bank = debits_paid * percent.clamp(0, 100) / 100;
    (bank, debits_paid - bank)
}

/// Why a transfer failed (each an i18n key after `fail_reason_`).
pub const FAIL_REASONS: [&str; 3] = [ACCOUNT_CLOSED, NAME_MISMATCH, OTHER_REASON];
const ACCOUNT_CLOSED: &str = "account_closed";
const NAME_MISMATCH: &str = "name_mismatch";
const OTHER_REASON: &str = "other";

/// The bank's result for one transfer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Paid {
        on: NaiveDate,
    },
    Failed {
        reason: String,
        note: Option<String>,
    },
}

/// One row of a result file: the case reference and its outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultRow {
    pub reference: String,
    pub outcome: Outcome,
}

/// A result given by hand or in a file: `paid` with its date, or `failed`
/// with a reason from the list (and an optional note).
pub fn parse_outcome(
    result: &str,
    date: &str,
    reason: &str,
    note: &str,
) -> Result<Outcome, (&'static str, &'static str)> {
    match result.trim().to_ascii_lowercase().as_str() {
        "paid" => {
            let text = date.trim().replace('/', "-");
            NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .map(|on| Outcome::Paid { on })
                .map_err(|_| ("paid_on", "date_invalid"))
        }
        "failed" => {
            let reason = reason.trim();
            if !FAIL_REASONS.contains(&reason) {
                return Err(("fail_reason", "fail_reason_required"));
            }
            let note = note.trim();
            if note.chars().count() > 500 {
                return Err(("fail_note", "text_too_long"));
            }
            Ok(Outcome::Failed {
                reason: reason.to_owned(),
                note: (!note.is_empty()).then(|| note.to_owned()),
            })
        }
        _ => Err(("result", "result_required")),
    }
}

/// The bank's result file: a header `reference,result,date,reason,note`
/// then one row per transfer. Every bad row is named (1 = the first row
/// after the header); nothing is taken from a file with a bad row.
pub fn parse_result_file(text: &str) -> Result<Vec<ResultRow>, Vec<(usize, &'static str)>> {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .unwrap_or("")
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if header.first().map(String::as_str) != Some("reference")
        || header.get(1).map(String::as_str) != Some("result")
    {
        return Err(vec![(0, "result_file_header")]);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let cell = |n: usize| cells.get(n).copied().unwrap_or("");
        let reference = cell(0).trim();
        if super::CaseRef::parse(reference).is_err() {
            errors.push((i + 1, "reference_invalid"));
            continue;
        }
        match parse_outcome(cell(1), cell(2), cell(3), cell(4)) {
            Ok(outcome) => rows.push(ResultRow {
                reference: reference.to_owned(),
                outcome,
            }),
            Err((_, key)) => errors.push((i + 1, key)),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push((0, "result_file_empty"));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// The last three digits of an account number: all a mail may show.
pub fn last3(account_number: &str) -> String {
    let digits: Vec<char> = account_number.chars().collect();
    digits[digits.len().saturating_sub(3)..].iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_transfer_date_is_a_business_day_at_least_one_ahead() {
        // Wednesday 30 December 2026: the next business day is 4 January.
        let today = day(2026, 12, 30);
        assert_eq!(earliest_transfer_date(today), day(2027, 1, 4));
        assert_eq!(
            parse_transfer_date("2026-12-31", today),
            Err("transfer_date_not_business_day")
        );
        assert_eq!(
            parse_transfer_date("2026/12/30", today),
            Err("transfer_date_too_soon")
        );
        assert_eq!(
            parse_transfer_date("2027-01-04", today),
            Ok(day(2027, 1, 4))
        );
        // Golden Week: 4 May 2026 is a holiday.
        assert_eq!(
            parse_transfer_date("2026-05-04", day(2026, 4, 28)),
            Err("transfer_date_not_business_day")
        );
        assert_eq!(
            parse_transfer_date("", today),
            Err("transfer_date_required")
        );
        assert_eq!(parse_transfer_date("soon", today), Err("date_invalid"));
    }

    #[test]
    fn every_movement_balances() {
        for m in [
            Movement::Approve,
            Movement::Schedule,
            Movement::Pay,
            Movement::Fail,
        ] {
            let legs = m.legs(130_000);
            assert_eq!(legs[0].1 + legs[1].1, 0);
            assert_ne!(legs[0].0, legs[1].0);
        }
        // Approve, schedule, fail, schedule, pay: paid out once, owed nothing.
        let mut balance = std::collections::BTreeMap::new();
        for m in [
            Movement::Approve,
            Movement::Schedule,
            Movement::Fail,
            Movement::Schedule,
            Movement::Pay,
        ] {
            for (account, amount) in m.legs(100) {
                *balance.entry(account).or_insert(0) += amount;
            }
        }
        assert_eq!(balance[OWED], 0);
        assert_eq!(balance[SCHEDULED], 0);
        assert_eq!(balance[PAID_OUT], -100);
        assert_eq!(balance[COMPENSATION], 100);
    }

    proptest::proptest! {
        /// Any run of the payout steps (schedule, then paid or failed, then
        /// scheduled again...) keeps every movement balanced, the amounts
        /// owed + scheduled + paid equal to the approval, and pays once.
        #[test]
        fn any_run_of_payout_steps_keeps_the_ledger_whole(
            outcomes in proptest::collection::vec(proptest::bool::ANY, 0..20),
            amount in 1i64..10_000_000,
        ) {
            let mut balance: std::collections::BTreeMap<&str, i64> = Default::default();
            let post = |m: Movement, balance: &mut std::collections::BTreeMap<&str, i64>| {
                for (account, value) in m.legs(amount) {
                    *balance.entry(account).or_insert(0) += value;
                }
            };
            post(Movement::Approve, &mut balance);
            let mut paid = false;
            for ok in outcomes {
                if paid {
                    break;
                }
                post(Movement::Schedule, &mut balance);
                post(if ok { Movement::Pay } else { Movement::Fail }, &mut balance);
                paid = ok;
                let get = |a: &str| balance.get(a).copied().unwrap_or(0);
                proptest::prop_assert_eq!(balance.values().sum::<i64>(), 0);
                proptest::prop_assert_eq!(-(get(OWED) + get(SCHEDULED) + get(PAID_OUT)), amount);
                proptest::prop_assert_eq!(-get(PAID_OUT), if paid { amount } else { 0 });
            }
        }
    }

    #[test]
    fn the_bank_share_is_rounded_down_and_the_operator_pays_the_rest() {
        assert_eq!(split(100_001, 50), (50_000, 50_001));
        assert_eq!(split(100_000, 0), (0, 100_000));
        assert_eq!(split(100_000, 100), (100_000, 0));
    }

    #[test]
    fn a_result_file_is_read_whole_or_not_at_all() {
        let good = "\u{feff}reference,result,date,reason,note\nRD-000001,paid,2026-12-01,,\nRD-000002,failed,,account_closed,closed in 2021\n";
        let rows = parse_result_file(good).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].outcome,
            Outcome::Paid {
                on: day(2026, 12, 1)
            }
        );
        assert_eq!(
            rows[1].outcome,
            Outcome::Failed {
                reason: "account_closed".into(),
                note: Some("closed in 2021".into())
            }
        );
        let bad = "reference,result,date,reason\nRD-000001,paid,tomorrow,\nXX,paid,2026-12-01,\nRD-000003,failed,,bored\nRD-000004,lost,,\n";
        assert_eq!(
            parse_result_file(bad).unwrap_err(),
            [
                (1, "date_invalid"),
                (2, "reference_invalid"),
                (3, "fail_reason_required"),
                (4, "result_required")
            ]
        );
        assert_eq!(
            parse_result_file("ref;res\n").unwrap_err(),
            [(0, "result_file_header")]
        );
        assert_eq!(last3("1234567"), "567");
    }
}
