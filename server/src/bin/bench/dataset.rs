//! The bench's large data set, written straight into the tables: claims in
//! every state after a draft over 120 days and the 11 demo banks, 1 to 5
//! debit lines each, call and travel lines, the banks' answers, every step
//! of each case's history as events, the ledger's movements for every
//! approved case, and payout batches with their lines, the debits paid and
//! the banks' cost shares for the cases scheduled, paid or failed. The rows
//! are those the services would have written (the ledger balances, no debit
//! is paid twice: `services::payouts::check_ledger` runs after the set-up).
//!
//! Claims are written in the order they were sent, with time-ordered ids (as
//! UUID version 7 would give): a live system's claims also arrive in time
//! order, and writing random ids into a dozen indexes made SQLite's set-up
//! the longest part of the bench. The product's own ids are version 4.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

/// The 11 demo banks.
pub const BANKS: [&str; 11] = [
    "0125", "0126", "0152", "0157", "0158", "0163", "0166", "0168", "0174", "0040", "9900",
];

/// Every state after a draft, with its share of the cases in percent.
const STATES: [(&str, u32); 12] = [
    ("submitted", 10),
    ("bank_review", 10),
    ("in_review", 20),
    ("awaiting_claimant", 4),
    ("assessed", 8),
    ("approved", 10),
    ("payout_scheduled", 8),
    ("paid", 20),
    ("payout_failed", 2),
    ("rejected", 5),
    ("withdrawn", 2),
    ("closed_duplicate", 1),
];

/// The users who act in the set's histories.
pub struct Actors {
    pub clerk: Uuid,
    pub reviewer: Uuid,
    pub approver: Uuid,
    pub payments: Uuid,
}

/// What was written.
#[derive(Default)]
pub struct Summary {
    pub by_table: Vec<(&'static str, usize)>,
    pub by_state: Vec<(&'static str, usize)>,
}

/// A value to bind, of one of the types the tables use.
#[derive(Clone)]
enum V {
    U(Uuid),
    I(i64),
    T(String),
    S(&'static str),
    D(NaiveDate),
    Ts(DateTime<Utc>),
    B(bool),
    NullU,
    NullI,
    NullT,
    NullD,
    NullTs,
}

/// A table's rows, written in multi-row INSERTs.
struct Table {
    name: &'static str,
    cols: &'static [&'static str],
    rows: Vec<Vec<V>>,
    total: usize,
}

impl Table {
    fn new(name: &'static str, cols: &'static [&'static str]) -> Table {
        Table {
            name,
            cols,
            rows: Vec::new(),
            total: 0,
        }
    }

    fn push(&mut self, row: Vec<V>) {
        debug_assert_eq!(row.len(), self.cols.len(), "{}", self.name);
        self.rows.push(row);
    }

    async fn flush(&mut self, tx: &mut app::server::db::Tx) -> anyhow::Result<()> {
        let cols = self.cols.len();
        // Under SQLite's 32,766 bound values (PostgreSQL allows 65,535).
        let per = 30_000 / cols;
        // SQLite looks each named parameter (`$n`) up in a list of those
        // seen so far while it parses: quadratic in a statement of 30,000.
        let sqlite = matches!(tx, app::server::db::Tx::Sqlite(_));
        for rows in self.rows.chunks(per) {
            let values = (0..rows.len())
                .map(|r| {
                    let p: Vec<String> = (1..=cols)
                        .map(|c| {
                            if sqlite {
                                "?".to_string()
                            } else {
                                format!("${}", r * cols + c)
                            }
                        })
                        .collect();
                    format!("({})", p.join(", "))
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO {} ({}) VALUES {values}",
                self.name,
                self.cols.join(", ")
            );
            app::on_tx!(tx, c => {
                let mut q = sqlx::query(&sql);
                for v in rows.iter().flatten() {
                    q = match v.clone() {
                        V::U(x) => q.bind(x),
                        V::I(x) => q.bind(x),
                        V::T(x) => q.bind(x),
                        V::S(x) => q.bind(x),
                        V::D(x) => q.bind(x),
                        V::Ts(x) => q.bind(x),
                        V::B(x) => q.bind(x),
                        V::NullU => q.bind(None::<Uuid>),
                        V::NullI => q.bind(None::<i64>),
                        V::NullT => q.bind(None::<String>),
                        V::NullD => q.bind(None::<NaiveDate>),
                        V::NullTs => q.bind(None::<DateTime<Utc>>),
                    };
                }
                q.execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        self.total += self.rows.len();
        self.rows.clear();
        Ok(())
    }
}

/// Time-ordered ids: the set-up's start in milliseconds, version 7, and a
/// counter where v7 has random bits.
struct Ids {
    ms: u128,
    next: u128,
}

impl Ids {
    fn next(&mut self) -> Uuid {
        self.next += 1;
        let counter = self.next & ((1u128 << 62) - 1);
        Uuid::from_u128((self.ms << 80) | (0x7u128 << 76) | (0b10u128 << 62) | counter)
    }
}

/// The path of actions that brings a case from its draft to `state`:
/// (action, from, to, who acts).
fn path(state: &str) -> Vec<(&'static str, Option<&'static str>, &'static str, Who)> {
    use Who::*;
    let mut p = vec![("submit", Some("draft"), "submitted", Claimant)];
    if state == "withdrawn" {
        p.push(("withdraw", Some("submitted"), "withdrawn", Claimant));
        return p;
    }
    if state == "submitted" {
        return p;
    }
    p.push(("start_bank_review", Some("submitted"), "bank_review", Clerk));
    if state == "bank_review" {
        return p;
    }
    p.push(("bank_checked", Some("bank_review"), "in_review", Clerk));
    match state {
        "in_review" => return p,
        "awaiting_claimant" => {
            p.push((
                "request_info",
                Some("in_review"),
                "awaiting_claimant",
                Reviewer,
            ));
            return p;
        }
        "closed_duplicate" => {
            p.push((
                "close_duplicate",
                Some("in_review"),
                "closed_duplicate",
                Reviewer,
            ));
            return p;
        }
        _ => {}
    }
    p.push(("assess", Some("in_review"), "assessed", Reviewer));
    match state {
        "assessed" => return p,
        "rejected" => {
            p.push(("reject", Some("assessed"), "rejected", Approver));
            return p;
        }
        _ => {}
    }
    p.push(("approve", Some("assessed"), "approved", Approver));
    if state == "approved" {
        return p;
    }
    p.push((
        "schedule_payout",
        Some("approved"),
        "payout_scheduled",
        Payments,
    ));
    match state {
        "paid" => p.push(("mark_paid", Some("payout_scheduled"), "paid", Payments)),
        "payout_failed" => p.push((
            "mark_payout_failed",
            Some("payout_scheduled"),
            "payout_failed",
            Payments,
        )),
        _ => {}
    }
    p
}

#[derive(Clone, Copy)]
enum Who {
    Claimant,
    Clerk,
    Reviewer,
    Approver,
    Payments,
}

/// The state of the `i`th case.
fn pick(i: usize) -> &'static str {
    let mut n = (i * 7919 % 100) as u32;
    for (s, share) in STATES {
        if n < share {
            return s;
        }
        n -= share;
    }
    "submitted"
}

/// Writes `cases` claims (claimants from `people`, each with a phone
/// `phone(who)`), 1,000 to a transaction.
pub async fn build(
    state: &app::server::AppState,
    actors: &Actors,
    people: &[Uuid],
    phone: impl Fn(usize) -> String,
    cases: usize,
) -> anyhow::Result<Summary> {
    // A branch every bank has (the first of its list).
    let mut branch = HashMap::new();
    for b in BANKS {
        let codes = app::server::store::banks::branch_codes(&state.db, b).await?;
        branch.insert(b, codes.first().cloned().unwrap_or_else(|| "001".into()));
    }
    let now = Utc::now();
    let start = now - Duration::days(120);
    let span_ms = (now - start).num_milliseconds() - 60_000;
    let mut ids = Ids {
        ms: start.timestamp_millis() as u128,
        next: 0,
    };
    let mut claims = Table::new(
        "claims",
        &[
            "id",
            "seq",
            "reference",
            "claimant_id",
            "state",
            "version",
            "full_name",
            "name_kana",
            "phone",
            "total_claimed",
            "declared_at",
            "submitted_at",
            "created_at",
            "sla_start",
            "flags_dirty",
            "payout_bank_code",
            "payout_branch_code",
            "payout_account_type",
            "payout_account_number",
            "payout_holder_kana",
            "compensated_amount",
            "bank_checked_at",
            "assignee_id",
        ],
    );
    let mut debits = Table::new(
        "debit_lines",
        &[
            "id",
            "claim_id",
            "position",
            "bank_code",
            "branch_code",
            "account_type",
            "account_number",
            "debit_date",
            "amount",
            "descriptor",
            "bank_verdict",
            "bank_answered_at",
            "confirmed_amount",
            "approved_amount",
        ],
    );
    let mut calls = Table::new(
        "call_lines",
        &[
            "id",
            "claim_id",
            "position",
            "call_date",
            "callee",
            "minutes",
            "amount",
            "receipt",
            "approved_amount",
        ],
    );
    let mut travels = Table::new(
        "travel_lines",
        &[
            "id",
            "claim_id",
            "position",
            "travel_date",
            "from_place",
            "to_place",
            "means",
            "purpose",
            "amount",
            "approved_amount",
        ],
    );
    let mut answers = Table::new(
        "line_answers",
        &[
            "id",
            "line_id",
            "claim_id",
            "bank_code",
            "verdict",
            "confirmed_amount",
            "bank_date",
            "holder_kana",
            "reason",
            "actor_id",
            "at",
        ],
    );
    let mut events = Table::new(
        "claim_events",
        &[
            "id",
            "claim_id",
            "at",
            "actor_id",
            "from_state",
            "to_state",
            "action",
            "note",
        ],
    );
    let mut batches = Table::new(
        "payout_batches",
        &[
            "id",
            "number",
            "request_id",
            "state",
            "transfer_date",
            "line_count",
            "total",
            "created_by",
            "created_at",
            "released_by",
            "released_at",
        ],
    );
    let mut payouts = Table::new(
        "payout_lines",
        &[
            "id",
            "batch_id",
            "claim_id",
            "position",
            "amount",
            "bank_code",
            "branch_code",
            "account_type",
            "account_number",
            "payee_kana",
            "result",
            "paid_on",
            "fail_reason",
            "recorded_by",
            "recorded_at",
        ],
    );
    let mut ledger = Table::new(
        "ledger_entries",
        &[
            "id", "txn_id", "claim_id", "batch_id", "account", "amount", "kind", "at",
        ],
    );
    let mut paid = Table::new(
        "paid_debits",
        &[
            "debit_line_id",
            "claim_id",
            "payout_line_id",
            "bank_code",
            "branch_code",
            "account_number",
            "debit_date",
            "amount",
            "bank_reference",
        ],
    );
    let mut reserved = Table::new(
        "debit_reservations",
        &[
            "id",
            "debit_line_id",
            "claim_id",
            "bank_code",
            "branch_code",
            "account_number",
            "debit_date",
            "amount",
            "bank_reference",
            "reserved",
            "reserved_by",
            "reserved_at",
        ],
    );
    let mut shares = Table::new(
        "cost_shares",
        &[
            "claim_id",
            "bank_code",
            "debits_paid",
            "share_percent",
            "bank_share",
            "operator_share",
            "paid_on",
        ],
    );
    let mut by_state: HashMap<&'static str, usize> = HashMap::new();
    let mut batch_number = 0i64;
    const CHUNK: usize = 1000;
    for first in (0..cases).step_by(CHUNK) {
        let last = (first + CHUNK).min(cases);
        // This chunk's two batches: one done (paid and failed transfers),
        // one released and waiting for its results (scheduled cases).
        let done_batch = ids.next();
        let waiting_batch = ids.next();
        let mut done_lines: Vec<(i64, DateTime<Utc>)> = Vec::new();
        let mut waiting_lines: Vec<(i64, DateTime<Utc>)> = Vec::new();
        for i in first..last {
            let id = ids.next();
            let st = pick(i);
            *by_state.entry(st).or_default() += 1;
            let sent = start + Duration::milliseconds(span_ms * i as i64 / cases.max(1) as i64);
            // Taken 5 to 34 days before the claim (inside the policy's window).
            let debit_date = sent.date_naive() - Duration::days(5 + (i % 30) as i64);
            let steps = path(st);
            // Each step after the last, at most a day apart, never later than now.
            let gap = ((now - sent) / (steps.len() as i32 + 1)).min(Duration::days(1));
            let at = |k: usize| sent + gap * k as i32;
            let who = i % people.len();
            let actor = |w: Who| match w {
                Who::Claimant => people[who],
                Who::Clerk => actors.clerk,
                Who::Reviewer => actors.reviewer,
                Who::Approver => actors.approver,
                Who::Payments => actors.payments,
            };
            let done = |a: &str| steps.iter().position(|s| s.0 == a);
            let answered_at = done("bank_checked").map(at);
            let approved_at = done("approve").map(at);
            let scheduled_at = done("schedule_payout").map(at);
            let rejected = st == "rejected";
            let approved = approved_at.is_some();

            // 1 to 5 debit lines (four in ten cases have one).
            let n = match i * 13 % 10 {
                0..=3 => 1,
                4..=6 => 2,
                7 => 3,
                8 => 4,
                _ => 5,
            };
            let mut total = 0i64;
            let mut approved_total = 0i64;
            let mut lines = Vec::new();
            for k in 0..n {
                let bank = BANKS[(i * 7 + k) % BANKS.len()];
                let amount = 10_000 + ((i * 37 + k) % 90) as i64 * 1000;
                let account = format!("{:07}", (i * 5 + k) % 10_000_000);
                let line = ids.next();
                total += amount;
                if approved {
                    approved_total += amount;
                }
                let verdict = answered_at.map(|_| if rejected { "disputed" } else { "confirmed" });
                debits.push(vec![
                    V::U(line),
                    V::U(id),
                    V::I(k as i64 + 1),
                    V::S(bank),
                    V::T(branch[bank].clone()),
                    V::S("ordinary"),
                    V::T(account.clone()),
                    V::D(debit_date),
                    V::I(amount),
                    V::S("ドコモコウザ"),
                    verdict.map_or(V::NullT, V::S),
                    answered_at.map_or(V::NullTs, V::Ts),
                    if verdict == Some("confirmed") {
                        V::I(amount)
                    } else {
                        V::NullI
                    },
                    if approved { V::I(amount) } else { V::NullI },
                ]);
                if let Some(when) = answered_at {
                    answers.push(vec![
                        V::U(ids.next()),
                        V::U(line),
                        V::U(id),
                        V::S(bank),
                        V::S(if rejected { "disputed" } else { "confirmed" }),
                        if rejected { V::NullI } else { V::I(amount) },
                        if rejected { V::NullD } else { V::D(debit_date) },
                        if rejected {
                            V::NullT
                        } else {
                            V::S("ベンチ タロウ")
                        },
                        if rejected {
                            V::S("no_such_debit")
                        } else {
                            V::NullT
                        },
                        V::U(actors.clerk),
                        V::Ts(when - gap / 2),
                    ]);
                }
                // An approved case holds its debits from its approval on.
                if let Some(when) = approved_at {
                    reserved.push(vec![
                        V::U(ids.next()),
                        V::U(line),
                        V::U(id),
                        V::S(bank),
                        V::T(branch[bank].clone()),
                        V::T(account.clone()),
                        V::D(debit_date),
                        V::I(amount),
                        V::S(""),
                        V::I(amount),
                        V::U(actors.approver),
                        V::Ts(when),
                    ]);
                }
                lines.push((line, bank, account, amount));
            }
            // Calls to the bank, the operator or the police (none, one or two).
            for k in 0..i % 3 {
                let minutes = 5 + ((i + k) % 40) as i64;
                let amount = minutes * 40;
                total += amount;
                if approved {
                    approved_total += amount;
                }
                calls.push(vec![
                    V::U(ids.next()),
                    V::U(id),
                    V::I(k as i64 + 1),
                    V::D(debit_date + Duration::days(1 + k as i64)),
                    V::S(["bank", "operator", "police"][(i + k) % 3]),
                    V::I(minutes),
                    V::I(amount),
                    V::B((i + k) % 2 == 0),
                    if approved { V::I(amount) } else { V::NullI },
                ]);
            }
            // A trip to the bank or the police in every other case.
            if (i / 3) % 2 == 0 {
                let amount = 200 + ((i * 11) % 30) as i64 * 100;
                total += amount;
                if approved {
                    approved_total += amount;
                }
                travels.push(vec![
                    V::U(ids.next()),
                    V::U(id),
                    V::I(1),
                    V::D(debit_date + Duration::days(2)),
                    V::S("自宅"),
                    V::S(["銀行の支店", "警察署"][i % 2]),
                    V::S(["train", "bus", "taxi"][i % 3]),
                    V::S("被害の届出"),
                    V::I(amount),
                    if approved { V::I(amount) } else { V::NullI },
                ]);
            }
            let (pay_bank, pay_account) = (lines[0].1, format!("{:07}", 9_000_000 + i % 1_000_000));
            for (k, (action, from, to, w)) in steps.iter().enumerate() {
                events.push(vec![
                    V::U(ids.next()),
                    V::U(id),
                    V::Ts(at(k)),
                    V::U(actor(*w)),
                    from.map_or(V::NullT, V::S),
                    V::S(to),
                    V::S(action),
                    V::NullT,
                ]);
            }
            // The ledger: approved, then scheduled, then paid or owed again.
            let mut post = |ids: &mut Ids,
                            kind: &'static str,
                            legs: [(&'static str, i64); 2],
                            batch: Option<Uuid>,
                            when: DateTime<Utc>| {
                let txn = ids.next();
                for (account, amount) in legs {
                    ledger.push(vec![
                        V::U(ids.next()),
                        V::U(txn),
                        V::U(id),
                        batch.map_or(V::NullU, V::U),
                        V::S(account),
                        V::I(amount),
                        V::S(kind),
                        V::Ts(when),
                    ]);
                }
            };
            use app::domain::payout::Movement;
            let t = approved_total;
            if let Some(when) = approved_at {
                post(&mut ids, "approve", Movement::Approve.legs(t), None, when);
            }
            if let Some(when) = scheduled_at {
                let (batch, list) = if st == "payout_scheduled" {
                    (waiting_batch, &mut waiting_lines)
                } else {
                    (done_batch, &mut done_lines)
                };
                post(
                    &mut ids,
                    "schedule",
                    Movement::Schedule.legs(t),
                    Some(batch),
                    when,
                );
                list.push((t, when));
                let payout_line = ids.next();
                let recorded = at(steps.len() - 1);
                let result = match st {
                    "paid" => Some("paid"),
                    "payout_failed" => Some("failed"),
                    _ => None,
                };
                payouts.push(vec![
                    V::U(payout_line),
                    V::U(batch),
                    V::U(id),
                    V::I(list.len() as i64),
                    V::I(t),
                    V::S(pay_bank),
                    V::T(branch[pay_bank].clone()),
                    V::S("ordinary"),
                    V::T(pay_account.clone()),
                    V::S("ベンチ タロウ"),
                    result.map_or(V::NullT, V::S),
                    if result == Some("paid") {
                        V::D(recorded.date_naive())
                    } else {
                        V::NullD
                    },
                    if result == Some("failed") {
                        V::S("account_closed")
                    } else {
                        V::NullT
                    },
                    if result.is_some() {
                        V::U(actors.payments)
                    } else {
                        V::NullU
                    },
                    if result.is_some() {
                        V::Ts(recorded)
                    } else {
                        V::NullTs
                    },
                ]);
                match result {
                    Some("paid") => {
                        post(
                            &mut ids,
                            "pay",
                            Movement::Pay.legs(t),
                            Some(batch),
                            recorded,
                        );
                        let mut at_bank: Vec<(&str, i64)> = Vec::new();
                        for (k, (line, bank, account, amount)) in lines.iter().enumerate() {
                            paid.push(vec![
                                V::U(*line),
                                V::U(id),
                                V::U(payout_line),
                                V::S(bank),
                                V::T(branch[bank].clone()),
                                V::T(account.clone()),
                                V::D(debit_date),
                                V::I(*amount),
                                V::T(format!("RB-{i:07}-{}", k + 1)),
                            ]);
                            match at_bank.iter_mut().find(|(b, _)| b == bank) {
                                Some((_, sum)) => *sum += amount,
                                None => at_bank.push((bank, *amount)),
                            }
                        }
                        for (bank, sum) in at_bank {
                            let (bank_share, operator_share) = app::domain::payout::split(sum, 50);
                            shares.push(vec![
                                V::U(id),
                                V::S(bank),
                                V::I(sum),
                                V::I(50),
                                V::I(bank_share),
                                V::I(operator_share),
                                V::D(recorded.date_naive()),
                            ]);
                        }
                    }
                    Some(_) => post(
                        &mut ids,
                        "fail",
                        Movement::Fail.legs(t),
                        Some(batch),
                        recorded,
                    ),
                    None => {}
                }
            }
            claims.push(vec![
                V::U(id),
                V::I(2_000_000 + i as i64),
                V::T(app::domain::CaseRef::from_seq(2_000_000 + i as u64).to_string()),
                V::U(people[who]),
                V::S(st),
                V::I(steps.len() as i64),
                V::S("ベンチ タロウ"),
                V::S("ベンチ タロウ"),
                V::T(phone(who)),
                V::I(total),
                V::Ts(sent),
                V::Ts(sent),
                V::Ts(sent),
                V::D(sent.date_naive()),
                V::I(0),
                V::S(pay_bank),
                V::T(branch[pay_bank].clone()),
                V::S("ordinary"),
                V::T(pay_account),
                V::S("ベンチ タロウ"),
                V::NullI,
                answered_at.map_or(V::NullTs, V::Ts),
                if answered_at.is_some() && st != "withdrawn" {
                    V::U(actors.reviewer)
                } else {
                    V::NullU
                },
            ]);
        }
        for (batch, lines, state) in [
            (done_batch, &done_lines, "done"),
            (waiting_batch, &waiting_lines, "released"),
        ] {
            if lines.is_empty() {
                continue;
            }
            batch_number += 1;
            let made = lines.iter().map(|l| l.1).max().unwrap_or(now);
            batches.push(vec![
                V::U(batch),
                V::I(batch_number),
                V::T(format!("bench-{batch_number}")),
                V::S(state),
                V::D(made.date_naive() + Duration::days(1)),
                V::I(lines.len() as i64),
                V::I(lines.iter().map(|l| l.0).sum()),
                V::U(actors.payments),
                V::Ts(made),
                V::U(actors.approver),
                V::Ts(made),
            ]);
        }
        let mut tx = state.db.begin().await?;
        for table in [
            &mut claims,
            &mut debits,
            &mut calls,
            &mut travels,
            &mut answers,
            &mut events,
            &mut batches,
            &mut payouts,
            &mut ledger,
            &mut paid,
            &mut reserved,
            &mut shares,
        ] {
            table.flush(&mut tx).await?;
        }
        tx.commit().await?;
    }
    // The payout counter follows the batches written.
    app::on_db!(&state.db, p => sqlx::query("UPDATE counters SET value = value + $1 WHERE name = 'payout_batch'")
        .bind(batch_number).execute(p).await.map(|r| r.rows_affected()))?;
    let by_table = [
        &claims, &debits, &calls, &travels, &answers, &events, &batches, &payouts, &ledger, &paid,
        &reserved, &shares,
    ]
    .iter()
    .map(|t| (t.name, t.total))
    .collect();
    let by_state = STATES
        .iter()
        .map(|(s, _)| (*s, by_state.get(s).copied().unwrap_or(0)))
        .collect();
    Ok(Summary { by_table, by_state })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_after_a_draft_is_in_the_set_and_each_path_ends_there() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..100 {
            let st = pick(i);
            seen.insert(st);
            let p = path(st);
            assert_eq!(p.last().map(|s| s.2), Some(st));
            for pair in p.windows(2) {
                assert_eq!(pair[0].2, pair[1].1.unwrap_or_default());
            }
        }
        assert_eq!(seen.len(), 12);
        assert_eq!(STATES.iter().map(|s| s.1).sum::<u32>(), 100);
    }

    #[test]
    fn ids_are_ordered_and_of_version_7() {
        let mut ids = Ids { ms: 1, next: 0 };
        let (a, b) = (ids.next(), ids.next());
        assert!(a < b);
        assert_eq!(a.get_version_num(), 7);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
    }
}
