//! The regulator's report as data: the moment it is "as of", the figures
//! per bank and in total, and the change since an earlier report.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

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
}

impl Figures {
    /// The columns, in order: (i18n key, value).
    pub fn columns(&self) -> [(&'static str, i64); 9] {
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
        ]
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
        }
    }
}

/// A whole report: per bank, the total of the banks, and the ledger's
/// totals (which also hold call and travel costs).
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
    pub fn new(
        as_of: DateTime<Utc>,
        computed_at: DateTime<Utc>,
        banks: Vec<Figures>,
        (cases_reported, ledger_approved, ledger_paid): (i64, i64, i64),
    ) -> Report {
        let mut total = Figures::default();
        for b in &banks {
            total.add(b);
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
        let a = Report::new(t0, t0, vec![row("0125", 2, 300_000, 0)], (2, 300_000, 0));
        let b = Report::new(
            t0,
            t0,
            vec![row("0125", 3, 350_000, 100_000), row("9900", 1, 20_000, 0)],
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
