//! The operator's queues: cases by state with filters, search, sorting and
//! pages, the count per state, and who works on which case.

use chrono::{DateTime, Utc};
use domain::money::Yen;
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

/// Whose cases a queue shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assignee {
    Anyone,
    Unassigned,
    User(Uuid),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// Sent first.
    Oldest,
    Newest,
    Largest,
    /// Longest on the SLA clock first (waits for the claimant not counted).
    Clock,
}

#[derive(Clone, Debug)]
pub struct QueueFilter {
    pub state: String,
    pub bank: Option<String>,
    pub min: Option<Yen>,
    pub max: Option<Yen>,
    /// Sent before this moment (the age filter).
    pub sent_before: Option<DateTime<Utc>>,
    pub assignee: Assignee,
    /// A reference, part of a name, or an account number.
    pub search: Option<String>,
    /// A kind of flag the cases raise.
    pub flag: Option<String>,
    pub sort: Sort,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct QueueRow {
    pub id: Uuid,
    pub reference: String,
    pub state: String,
    pub full_name: String,
    pub total_claimed: Yen,
    pub submitted_at: DateTime<Utc>,
    pub assignee: Option<String>,
}

/// One placeholder's SQL and its value, in order.
enum Bind {
    Text(String),
    Int(i64),
    Time(DateTime<Utc>),
    Id(Uuid),
}

/// The WHERE clause of a filter and its values ($1...).
fn conditions(f: &QueueFilter) -> (String, Vec<Bind>) {
    let mut sql = String::from("c.state = $1");
    let mut binds = vec![Bind::Text(f.state.clone())];
    let next = |sql: &mut String, clause: &str, bind: Bind, binds: &mut Vec<Bind>| {
        binds.push(bind);
        sql.push_str(&clause.replace("$?", &format!("${}", binds.len())));
    };
    if let Some(bank) = &f.bank {
        next(
            &mut sql,
            " AND EXISTS (SELECT 1 FROM debit_lines l WHERE l.claim_id = c.id AND l.bank_code = $?)",
            Bind::Text(bank.clone()),
            &mut binds,
        );
    }
    if let Some(min) = f.min {
        next(
            &mut sql,
            " AND c.total_claimed >= $?",
            Bind::Int(min.value()),
            &mut binds,
        );
    }
    if let Some(max) = f.max {
        next(
            &mut sql,
            " AND c.total_claimed <= $?",
            Bind::Int(max.value()),
            &mut binds,
        );
    }
    if let Some(before) = f.sent_before {
        next(
            &mut sql,
            " AND c.submitted_at < $?",
            Bind::Time(before),
            &mut binds,
        );
    }
    match f.assignee {
        Assignee::Anyone => {}
        Assignee::Unassigned => sql.push_str(" AND c.assignee_id IS NULL"),
        Assignee::User(id) => next(
            &mut sql,
            " AND c.assignee_id = $?",
            Bind::Id(id),
            &mut binds,
        ),
    }
    if let Some(flag) = &f.flag {
        next(
            &mut sql,
            " AND EXISTS (SELECT 1 FROM claim_flags g WHERE g.claim_id = c.id AND g.kind = $?)",
            Bind::Text(flag.clone()),
            &mut binds,
        );
    }
    if let Some(q) = &f.search {
        binds.push(Bind::Text(q.clone()));
        let exact = binds.len();
        binds.push(Bind::Text(format!("%{q}%")));
        let like = binds.len();
        sql.push_str(&format!(
            " AND (c.reference = ${exact} OR c.full_name LIKE ${like} OR c.name_kana LIKE ${like}
                   OR EXISTS (SELECT 1 FROM debit_lines l WHERE l.claim_id = c.id AND l.account_number = ${exact}))"
        ));
    }
    (sql, binds)
}

macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                Bind::Text(t) => q.bind(t.clone()),
                Bind::Int(i) => q.bind(*i),
                Bind::Time(t) => q.bind(*t),
                Bind::Id(u) => q.bind(*u),
            };
        }
        q
    }};
}

/// Beyond the page asked for, how many more cases a filtered queue counts
/// at most (past that it says "more than").
pub const COUNT_AHEAD: i64 = 500;

/// A page of a queue and the number of cases it holds: exact for a whole
/// queue (the kept counts), else counted up to [`COUNT_AHEAD`] cases past
/// the page, with `true` when there are more than that. `kept`: the kept
/// counts of every state when the caller has read them already ([`counts`]).
pub async fn page(
    db: &Db,
    f: &QueueFilter,
    kept: Option<&[(String, i64)]>,
) -> Result<(Vec<QueueRow>, i64, bool), sqlx::Error> {
    let (cond, binds) = conditions(f);
    let order = match f.sort {
        Sort::Oldest => "c.submitted_at, c.seq",
        Sort::Newest => "c.submitted_at DESC, c.seq DESC",
        Sort::Largest => "c.total_claimed DESC, c.seq",
        Sort::Clock => "c.sla_start, c.seq",
    };
    let n = binds.len();
    let sql = format!(
        "SELECT c.id, c.reference, c.state, c.full_name, c.total_claimed, c.submitted_at, u.email AS assignee
         FROM claims c LEFT JOIN users u ON u.id = c.assignee_id
         WHERE {cond} ORDER BY {order} LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let whole = n == 1;
    // A whole queue's count from the kept counts already read.
    let known = kept.filter(|_| whole).map(|kept| {
        kept.iter()
            .find(|(s, _)| *s == f.state)
            .map_or(0, |(_, n)| *n)
    });
    let count = if whole {
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM claim_state_counts WHERE state = $1"
            .to_owned()
    } else {
        format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM claims c WHERE {cond} LIMIT ${}) AS counted",
            n + 1
        )
    };
    let upto = f.offset + COUNT_AHEAD;
    // Not kept prepared: PostgreSQL plans a kept statement once for any
    // values after five runs, and "this state, this bank, oldest first"
    // planned so sorted a whole queue (59 ms against 3 ms planned for its
    // values at 1M cases). Planned for each run's values instead.
    on_db!(db, p => {
        let rows = bind_all!(sqlx::query_as::<_, QueueRow>(&sql), &binds)
            .bind(f.limit).bind(f.offset).persistent(false).fetch_all(p).await?;
        let total: i64 = if let Some(known) = known {
            known
        } else if whole {
            bind_all!(sqlx::query_scalar(&count), &binds).fetch_one(p).await?
        } else {
            bind_all!(sqlx::query_scalar(&count), &binds).bind(upto + 1).persistent(false).fetch_one(p).await?
        };
        Ok(if !whole && total > upto { (rows, upto, true) } else { (rows, total, false) })
    })
}

/// How many cases each state holds (the sums kept by migration 0016's
/// triggers; exact, whatever was compacted).
pub async fn counts(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (String, i64)>(
        "SELECT state, CAST(SUM(n) AS BIGINT) FROM claim_state_counts GROUP BY state HAVING SUM(n) <> 0 ORDER BY state")
        .fetch_all(p).await)
}

/// (claim, when, into awaiting) of the given cases' waits, for their clocks.
pub async fn waits(
    db: &Db,
    claims: &[Uuid],
) -> Result<Vec<(Uuid, DateTime<Utc>, bool)>, sqlx::Error> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let list = (1..=claims.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT claim_id, at, to_state = 'awaiting_claimant' FROM claim_events
         WHERE claim_id IN ({list}) AND (to_state = 'awaiting_claimant' OR from_state = 'awaiting_claimant')
         ORDER BY at"
    );
    on_db!(db, p => {
        let mut q = sqlx::query_as::<_, (Uuid, DateTime<Utc>, bool)>(&sql);
        for id in claims {
            q = q.bind(*id);
        }
        q.fetch_all(p).await
    })
}

/// (claim, kind) of the stored flags of the given cases.
pub async fn flags_of(db: &Db, claims: &[Uuid]) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let list = (1..=claims.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",");
    let sql =
        format!("SELECT claim_id, kind FROM claim_flags WHERE claim_id IN ({list}) ORDER BY kind");
    on_db!(db, p => {
        let mut q = sqlx::query_as::<_, (Uuid, String)>(&sql);
        for id in claims {
            q = q.bind(*id);
        }
        q.fetch_all(p).await
    })
}

/// Assigns a case: to `to` (None releases it). With `only_from`, only when
/// it is assigned to that (None: unassigned) now; false when it was not.
pub async fn assign(
    tx: &mut Tx,
    claim: Uuid,
    to: Option<Uuid>,
    only_from: Option<Option<Uuid>>,
) -> Result<bool, sqlx::Error> {
    let n = match only_from {
        None => on_tx!(tx, c => sqlx::query("UPDATE claims SET assignee_id = $2 WHERE id = $1")
            .bind(claim).bind(to).execute(c).await.map(|r| r.rows_affected()))?,
        Some(None) => {
            on_tx!(tx, c => sqlx::query("UPDATE claims SET assignee_id = $2 WHERE id = $1 AND assignee_id IS NULL")
            .bind(claim).bind(to).execute(c).await.map(|r| r.rows_affected()))?
        }
        Some(Some(from)) => {
            on_tx!(tx, c => sqlx::query("UPDATE claims SET assignee_id = $2 WHERE id = $1 AND assignee_id = $3")
            .bind(claim).bind(to).bind(from).execute(c).await.map(|r| r.rows_affected()))?
        }
    };
    Ok(n == 1)
}

/// The assignee's address, if any.
pub async fn assignee(db: &Db, claim: Uuid) -> Result<Option<(Uuid, String)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (Uuid, String)>(
        "SELECT u.id, u.email FROM claims c JOIN users u ON u.id = c.assignee_id WHERE c.id = $1",
    ).bind(claim).fetch_optional(p).await)
}
