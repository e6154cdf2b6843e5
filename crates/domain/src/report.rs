//! The regulator's report as data: the moment it is "as of", the figures
//! per bank and in total, and the change since an earlier report.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::workflow::CaseState;

/// One row of the report: a bank (or the total, with an empty code).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub bank_code: String,
    pub bank_name: String,
    pub cases: i64,
    pub lines: i64,
    pub claimed: i64,
    pub confirmed_lines: i64,
    pub confirmed: i64,
    pub approved_lines: i64,
    pub approved: i64,
    pub paid_lines: i64,
    pub paid: i64,
    /// Call and travel costs of the cases naming the bank (a case naming
    /// two banks is under both; the total counts it once): claimed, and
    /// approved from the case's first approval. Absent from reports frozen
    /// before they were counted (zero).
    #[serde(default)]
    pub calls_claimed: i64,
    #[serde(default)]
    pub calls_approved: i64,
    #[serde(default)]
    pub travel_claimed: i64,
    #[serde(default)]
    pub travel_approved: i64,
    /// The cases in each state (its code) at the report's moment; a state
    /// with none is absent.
    #[serde(default)]
    pub states: BTreeMap<String, i64>,
}

/// The states a sent case can be in, in the order of the workflow: the
/// columns of the report's breakdown by state.
pub fn report_states() -> impl Iterator<Item = CaseState> {
    CaseState::ALL
        .into_iter()
        .filter(|s| *s != CaseState::Draft)
}

impl Figures {
    /// The columns, in order: (i18n key, value).
    pub fn columns(&self) -> [(&'static str, i64); 13] {
        [
            ("report_cases", self.cases),
            ("report_lines", self.lines),
            ("report_claimed", self.claimed),
            ("report_confirmed_lines", self.confirmed_lines),
            ("report_confirmed", self.confirmed),
            ("report_approved_lines", self.approved_lines),
            ("report_approved", self.approved),
            ("report_paid_lines", self.paid_lines),
            ("report_paid", self.paid),
            ("report_calls_claimed", self.calls_claimed),
            ("report_calls_approved", self.calls_approved),
            ("report_travel_claimed", self.travel_claimed),
            ("report_travel_approved", self.travel_approved),
        ]
    }

    /// The breakdown by state: (state, cases), every state a sent case can
    /// be in, in the workflow's order.
    pub fn state_columns(&self) -> Vec<(CaseState, i64)> {
        report_states()
            .map(|s| (s, self.states.get(s.as_str()).copied().unwrap_or(0)))
            .collect()
    }

    /// The columns that are yen.
    pub fn is_money(key: &str) -> bool {
        matches!(
            key,
            "report_claimed"
                | "report_confirmed"
                | "report_approved"
                | "report_paid"
                | "report_calls_claimed"
                | "report_calls_approved"
                | "report_travel_claimed"
                | "report_travel_approved"
        )
    }

    /// Takes the whole operation's call and travel costs and states from
    /// `whole` (each case once), not the sum of the banks' rows.
    fn take_whole(&mut self, whole: &Figures) {
        self.calls_claimed = whole.calls_claimed;
        self.calls_approved = whole.calls_approved;
        self.travel_claimed = whole.travel_claimed;
        self.travel_approved = whole.travel_approved;
        self.states = whole.states.clone();
    }

    fn add(&mut self, o: &Figures) {
        self.cases += o.cases;
        self.lines += o.lines;
        self.claimed += o.claimed;
        self.confirmed_lines += o.confirmed_lines;
        self.confirmed += o.confirmed;
        self.approved_lines += o.approved_lines;
        self.approved += o.approved;
        self.paid_lines += o.paid_lines;
        self.paid += o.paid;
        self.calls_claimed += o.calls_claimed;
        self.calls_approved += o.calls_approved;
        self.travel_claimed += o.travel_claimed;
        self.travel_approved += o.travel_approved;
        for (state, n) in &o.states {
            *self.states.entry(state.clone()).or_default() += n;
        }
    }

    /// `self - earlier`, column by column.
    pub fn minus(&self, earlier: &Figures) -> Figures {
        Figures {
            bank_code: self.bank_code.clone(),
            bank_name: self.bank_name.clone(),
            cases: self.cases - earlier.cases,
            lines: self.lines - earlier.lines,
            claimed: self.claimed - earlier.claimed,
            confirmed_lines: self.confirmed_lines - earlier.confirmed_lines,
            confirmed: self.confirmed - earlier.confirmed,
            approved_lines: self.approved_lines - earlier.approved_lines,
            approved: self.approved - earlier.approved,
            paid_lines: self.paid_lines - earlier.paid_lines,
            paid: self.paid - earlier.paid,
            calls_claimed: self.calls_claimed - earlier.calls_claimed,
            calls_approved: self.calls_approved - earlier.calls_approved,
            travel_claimed: self.travel_claimed - earlier.travel_claimed,
            travel_approved: self.travel_approved - earlier.travel_approved,
            states: self
                .states
                .keys()
                .chain(earlier.states.keys())
                .map(|k| {
                    let n = |f: &Figures| f.states.get(k).copied().unwrap_or(0);
                    (k.clone(), n(self) - n(earlier))
                })
                .filter(|(_, n)| *n != 0)
                .collect(),
        }
    }
}

/// A whole report: per bank, the total of the banks (the whole
/// operation's call and travel costs and cases by state, each case once),
/// and the ledger's totals (which also hold call and travel costs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub as_of: DateTime<Utc>,
    pub computed_at: DateTime<Utc>,
    pub banks: Vec<Figures>,
    pub total: Figures,
    /// Every case sent, whatever its lines.
    pub cases_reported: i64,
    /// Approved and paid in the ledger, call and travel costs included.
    pub ledger_approved: i64,
    pub ledger_paid: i64,
}

impl Report {
    /// `whole`: the whole operation's own figures, when the report is of
    /// the whole operation (not of one bank): its costs and states count a
    /// case naming two banks once.
    pub fn new(
        as_of: DateTime<Utc>,
        computed_at: DateTime<Utc>,
        banks: Vec<Figures>,
        whole: Option<&Figures>,
        (cases_reported, ledger_approved, ledger_paid): (i64, i64, i64),
    ) -> Report {
        let mut total = Figures::default();
        for b in &banks {
            total.add(b);
        }
        if let Some(whole) = whole {
            total.take_whole(whole);
        }
        Report {
            as_of,
            computed_at,
            banks,
            total,
            cases_reported,
            ledger_approved,
            ledger_paid,
        }
    }

    /// The change of each bank's row (and of the total) since `earlier`; a
    /// bank new in this report changes from zero.
    pub fn change_since(&self, earlier: &Report) -> (Vec<Figures>, Figures) {
        let rows = self
            .banks
            .iter()
            .map(|b| {
                let before = earlier
                    .banks
                    .iter()
                    .find(|e| e.bank_code == b.bank_code)
                    .cloned()
                    .unwrap_or_default();
                b.minus(&before)
            })
            .collect();
        (rows, self.total.minus(&earlier.total))
    }
}

/// The moment a report is for, as typed in the form (`YYYY-MM-DDTHH:MM`,
/// Japan time; empty: now). A moment in the future has no figures yet.
pub fn parse_as_of(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(now);
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| "as_of_invalid")?;
    let at = crate::calendar::jst()
        .from_local_datetime(&local)
        .single()
        .ok_or("as_of_invalid")?
        .with_timezone(&Utc);
    if at > now {
        return Err("as_of_future");
    }
    Ok(at)
}

/// The moment in Japan time, as the form and the report show it.
pub fn jst_text(at: DateTime<Utc>) -> String {
    crate::calendar::japan_time(at, "%Y-%m-%d %H:%M:%S")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(code: &str, cases: i64, claimed: i64, paid: i64) -> Figures {
        Figures {
            bank_code: code.into(),
            cases,
            claimed,
            paid,
            ..Figures::default()
        }
    }

    #[test]
    fn the_total_adds_the_banks_and_the_change_is_per_bank() {
        let t0 = Utc.with_ymd_and_hms(2021, 1, 1, 0, 0, 0).unwrap();
        let a = Report::new(
            t0,
            t0,
            vec![row("0125", 2, 300_000, 0)],
            None,
            (2, 300_000, 0),
        );
        let b = Report::new(
            t0,
            t0,
            vec![row("0125", 3, 350_000, 100_000), row("9900", 1, 20_000, 0)],
            None,
            (4, 370_000, 100_000),
        );
        assert_eq!(b.total.cases, 4);
        assert_eq!(b.total.claimed, 370_000);
        let (rows, total) = b.change_since(&a);
        assert_eq!(
            (rows[0].cases, rows[0].claimed, rows[0].paid),
            (1, 50_000, 100_000)
        );
        assert_eq!(
            (rows[1].cases, rows[1].claimed),
            (1, 20_000),
            "a new bank changes from zero"
        );
        assert_eq!((total.cases, total.claimed), (2, 70_000));
    }

    #[test]
    fn the_whole_operation_counts_a_case_naming_two_banks_once_in_costs_and_states() {
        let t0 = Utc.with_ymd_and_hms(2021, 1, 1, 0, 0, 0).unwrap();
        // One case naming both banks, in review, with 3,000 yen of calls.
        let mut one = row("0125", 1, 100_000, 0);
        one.calls_claimed = 3_000;
        one.states.insert("in_review".into(), 1);
        let mut two = one.clone();
        two.bank_code = "9900".into();
        let whole = Figures {
            calls_claimed: 3_000,
            states: [("in_review".to_owned(), 1)].into(),
            ..Figures::default()
        };
        let summed = Report::new(t0, t0, vec![one.clone(), two.clone()], None, (1, 0, 0));
        assert_eq!(
            summed.total.calls_claimed, 6_000,
            "a bank's report sums rows"
        );
        let r = Report::new(t0, t0, vec![one, two], Some(&whole), (1, 0, 0));
        assert_eq!(r.total.calls_claimed, 3_000);
        assert_eq!(r.total.states.get("in_review"), Some(&1));
        assert_eq!(r.total.cases, 2, "cases per bank still add up");
        // Every sent state is a column, none of them "draft", in order.
        let cols = r.total.state_columns();
        assert_eq!(cols.len(), 12);
        assert_eq!(cols[0], (CaseState::Submitted, 0));
        assert!(cols.contains(&(CaseState::InReview, 1)));
        // A state a case left is a change of -1; one it stayed in, none.
        let mut later = whole.clone();
        later.states = [("rejected".to_owned(), 1)].into();
        let change = later.minus(&whole);
        assert_eq!(
            change.states,
            [("in_review".to_owned(), -1), ("rejected".to_owned(), 1)].into()
        );
    }

    #[test]
    fn a_report_frozen_before_the_breakdowns_reads_as_zero() {
        let old = r#"{"bank_code":"0125","bank_name":"","cases":1,"lines":1,"claimed":5,
            "confirmed_lines":0,"confirmed":0,"approved_lines":0,"approved":0,"paid_lines":0,"paid":0}"#;
        let f: Figures = serde_json::from_str(old).unwrap();
        assert_eq!((f.cases, f.calls_claimed), (1, 0));
        assert!(f.states.is_empty());
    }

    #[test]
    fn as_of_is_japan_time_and_never_in_the_future() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
        assert_eq!(parse_as_of("", now), Ok(now));
        assert_eq!(
            parse_as_of("2026-11-26T09:30", now),
            Ok(Utc.with_ymd_and_hms(2026, 11, 26, 0, 30, 0).unwrap())
        );
        assert_eq!(parse_as_of("2026-11-26T12:01", now), Err("as_of_future"));
        assert_eq!(parse_as_of("26/11/2026", now), Err("as_of_invalid"));
        assert_eq!(jst_text(now), "2026-11-26 12:00:00");
    }
}
