//! What the policy's rules need to know about a case and its neighbours.

use chrono::{DateTime, NaiveDate, Utc};
use domain::money::Yen;
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DebitFactRow {
    pub position: i64,
    pub account: String,
    pub wallet_ref: Option<String>,
    pub debit_date: NaiveDate,
    pub amount: Yen,
    pub bank_verdict: Option<String>,
    pub confirmed_amount: Option<Yen>,
    /// The holder's name in the bank's latest answer on the line.
    pub bank_holder: Option<String>,
}

pub async fn debits(db: &Db, claim: Uuid) -> Result<Vec<DebitFactRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, DebitFactRow>(
        "SELECT position, bank_code || '-' || branch_code || '-' || account_number AS account, wallet_ref,
                debit_date, amount, bank_verdict, confirmed_amount,
                (SELECT a.holder_kana FROM line_answers a WHERE a.line_id = debit_lines.id
                 ORDER BY a.at DESC LIMIT 1) AS bank_holder
         FROM debit_lines WHERE claim_id = $1 ORDER BY position",
    ).bind(claim).fetch_all(p).await)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CostFactRow {
    pub position: i64,
    pub amount: Yen,
    pub receipt: bool,
}

/// Call lines: the claimant says whether a receipt is attached.
pub async fn calls(db: &Db, claim: Uuid) -> Result<Vec<CostFactRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, CostFactRow>(
        "SELECT position, amount, receipt FROM call_lines WHERE claim_id = $1 ORDER BY position",
    ).bind(claim).fetch_all(p).await)
}

/// Travel lines: a receipt is a file linked to the line.
pub async fn travel(db: &Db, claim: Uuid) -> Result<Vec<CostFactRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, CostFactRow>(
        "SELECT t.position, t.amount,
                EXISTS (SELECT 1 FROM evidence_links e WHERE e.line_id = t.id) AS receipt
         FROM travel_lines t WHERE t.claim_id = $1 ORDER BY t.position",
    ).bind(claim).fetch_all(p).await)
}

/// Claims still counting (not withdrawn or closed as duplicates).
const LIVE: &str = "('withdrawn', 'closed_duplicate')";

/// Other live claims naming one of this claim's bank accounts.
pub async fn same_account(db: &Db, claim: Uuid) -> Result<Vec<String>, sqlx::Error> {
    let sql = format!(
        "SELECT DISTINCT c.reference FROM debit_lines m
         JOIN debit_lines l ON l.bank_code = m.bank_code AND l.branch_code = m.branch_code
              AND l.account_number = m.account_number
         JOIN claims c ON c.id = l.claim_id
         WHERE m.claim_id = $1 AND l.claim_id <> $1 AND c.state NOT IN {LIVE}
         ORDER BY c.reference"
    );
    on_db!(db, p => sqlx::query_scalar::<_, String>(&sql).bind(claim).fetch_all(p).await)
}

/// (line position, other claim) for each debit another live claim also has.
pub async fn same_debit(db: &Db, claim: Uuid) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let sql = format!(
        "SELECT m.position, c.reference FROM debit_lines m
         JOIN debit_lines l ON l.bank_code = m.bank_code AND l.branch_code = m.branch_code
              AND l.account_number = m.account_number AND l.debit_date = m.debit_date AND l.amount = m.amount
         JOIN claims c ON c.id = l.claim_id
         WHERE m.claim_id = $1 AND l.claim_id <> $1 AND c.state NOT IN {LIVE}
         ORDER BY m.position, c.reference"
    );
    on_db!(db, p => sqlx::query_as::<_, (i64, String)>(&sql).bind(claim).fetch_all(p).await)
}

/// Other claims from the same account holder (e-mail) or phone number sent
/// within a day either side of `at`.
pub async fn same_contact(
    db: &Db,
    claim: &crate::store::claims::ClaimRow,
) -> Result<Vec<String>, sqlx::Error> {
    let at = claim.submitted_at;
    let (from, to) = (
        at - chrono::Duration::hours(24),
        at + chrono::Duration::hours(24),
    );
    on_db!(db, p => sqlx::query_scalar::<_, String>(
        // Two lookups by index (claimant, phone), not one scan.
        "SELECT reference FROM claims WHERE id <> $1 AND claimant_id = $2 AND submitted_at BETWEEN $4 AND $5
         UNION SELECT reference FROM claims WHERE id <> $1 AND phone = $3 AND submitted_at BETWEEN $4 AND $5
         ORDER BY reference",
    ).bind(claim.id).bind(claim.claimant_id).bind(&claim.phone)
    .bind(from).bind(to).fetch_all(p).await)
}

/// How many claims were sent from `ip` on `day` (in Japan): the rows
/// migration 0022's trigger appends as claims arrive (folded every 10 s).
pub async fn address_count(db: &Db, ip: &str, day: NaiveDate) -> Result<i64, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM address_days WHERE submit_ip = $1 AND day = $2",
    ).bind(ip).bind(day.format("%Y-%m-%d").to_string()).fetch_one(p).await)
}

/// Another claim sent from `ip` on `day` than `claim` (the first found).
pub async fn other_from_address(
    db: &Db,
    claim: Uuid,
    ip: &str,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, String>(
        "SELECT reference FROM claims WHERE submit_ip = $1 AND submitted_at >= $2 AND submitted_at < $3 AND id <> $4
         LIMIT 1",
    ).bind(ip).bind(from).bind(to).bind(claim).fetch_optional(p).await)
}

/// Marks the flags of these claims to be computed again.
pub async fn mark_dirty(tx: &mut Tx, ids: &[Uuid]) -> Result<(), sqlx::Error> {
    for chunk in ids.chunks(500) {
        let list = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!("UPDATE claims SET flags_dirty = flags_dirty + 1 WHERE id IN ({list})");
        on_tx!(tx, c => {
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Marks every open case's flags (a new policy applies to them all).
pub async fn mark_open_dirty(tx: &mut Tx) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "UPDATE claims SET flags_dirty = flags_dirty + 1 WHERE state IN {}",
        super::open_states()
    );
    on_tx!(tx, c => sqlx::query(&sql).execute(c).await.map(|r| r.rows_affected()))
}

/// Up to `limit` claims whose flags are to be computed, with their mark.
pub async fn dirty(db: &Db, limit: i64) -> Result<Vec<(Uuid, i64)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (Uuid, i64)>(
        "SELECT id, flags_dirty FROM claims WHERE flags_dirty > 0 LIMIT $1",
    ).bind(limit).fetch_all(p).await)
}

/// Takes up to `limit` dirty claims for this process's sweep until `until`
/// (claims another sweep holds are skipped; its lease ended, they are
/// anyone's again), with their marks.
pub async fn take_dirty(
    db: &Db,
    limit: i64,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<(Uuid, i64)>, sqlx::Error> {
    let lock = match db {
        Db::Postgres { .. } => "FOR UPDATE SKIP LOCKED",
        Db::Sqlite { .. } => "",
    };
    let sql = format!(
        "UPDATE claims SET flags_lease_until = $2
          WHERE id IN (SELECT id FROM claims
                        WHERE flags_dirty > 0 AND (flags_lease_until IS NULL OR flags_lease_until < $3)
                        LIMIT $1 {lock})
         RETURNING id, flags_dirty"
    );
    on_db!(db, p => sqlx::query_as::<_, (Uuid, i64)>(&sql)
        .bind(limit).bind(until).bind(now).fetch_all(p).await)
}

pub async fn dirty_mark(db: &Db, claim: Uuid) -> Result<i64, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, i64>("SELECT flags_dirty FROM claims WHERE id = $1")
        .bind(claim).fetch_one(p).await)
}

/// Stores the kinds of flag a claim raises; the claim is clean again only
/// if its mark is still `mark` (nothing changed it while they were
/// computed). Returns whether it is clean now.
pub async fn save_flags(
    tx: &mut Tx,
    claim: Uuid,
    kinds: &[&str],
    mark: i64,
) -> Result<bool, sqlx::Error> {
    // Flags are derived: the claim stays marked (`flags_dirty`) until this
    // transaction saves them, and the sweep computes again any a crash
    // loses. So on PostgreSQL their commit does not wait for the disk (the
    // claim's own commit did): a lost one is lost whole, mark included.
    if matches!(tx, Tx::Postgres(_)) {
        on_tx!(tx, c => sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(c).await.map(|r| r.rows_affected()))?;
    }
    on_tx!(tx, c => sqlx::query("DELETE FROM claim_flags WHERE claim_id = $1")
        .bind(claim).execute(c).await.map(|r| r.rows_affected()))?;
    // Every kind in one statement (a claim has a handful).
    if !kinds.is_empty() {
        let values = (2..kinds.len() + 2)
            .map(|i| format!("($1, ${i})"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO claim_flags (claim_id, kind) VALUES {values} ON CONFLICT DO NOTHING"
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(&sql).bind(claim);
            for kind in kinds {
                q = q.bind(*kind);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    // Clean only if nothing changed the claim meanwhile; a sweep's lease
    // ends with the computation either way (changed meanwhile, the claim is
    // the next sweep's at once).
    let left = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(
        "UPDATE claims SET flags_dirty = CASE WHEN flags_dirty = $2 THEN 0 ELSE flags_dirty END,
                           flags_lease_until = NULL
          WHERE id = $1 RETURNING flags_dirty")
        .bind(claim).bind(mark).fetch_optional(c).await)?;
    Ok(left == Some(0))
}

/// The stored kinds of flag of a claim.
pub async fn stored_flags(db: &Db, claim: Uuid) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, String>(
        "SELECT kind FROM claim_flags WHERE claim_id = $1 ORDER BY kind",
    ).bind(claim).fetch_all(p).await)
}

/// The case waited for the claimant from `from` to today: its clock starts
/// that many business days later.
pub async fn set_sla_start(tx: &mut Tx, claim: Uuid, start: NaiveDate) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE claims SET sla_start = $2 WHERE id = $1")
        .bind(claim).bind(start).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The compensation the claimant says they already received.
pub async fn compensated(db: &Db, claim: Uuid) -> Result<Option<Yen>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, Option<Yen>>("SELECT compensated_amount FROM claims WHERE id = $1")
        .bind(claim).fetch_one(p).await)
}
