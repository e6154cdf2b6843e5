//! The versions of the compensation policy (append-only: the database
//! refuses to change or delete one).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::domain::policy::Policy;
use crate::{on_db, on_tx};

const COLUMNS: &str = "version, per_charge_limit, monthly_wallet_limit, window_days, call_cap_per_line,
    call_cap_per_claim, travel_cap_per_line, travel_cap_per_claim, receipt_above, deduct_compensated";

#[derive(Clone, Debug, sqlx::FromRow)]
struct PolicyRow {
    version: i64,
    per_charge_limit: i64,
    monthly_wallet_limit: i64,
    window_days: i64,
    call_cap_per_line: i64,
    call_cap_per_claim: i64,
    travel_cap_per_line: i64,
    travel_cap_per_claim: i64,
    receipt_above: i64,
    deduct_compensated: bool,
}

impl From<PolicyRow> for Policy {
    fn from(r: PolicyRow) -> Policy {
        Policy {
            version: r.version,
            per_charge_limit: r.per_charge_limit,
            monthly_wallet_limit: r.monthly_wallet_limit,
            window_days: r.window_days,
            call_cap_per_line: r.call_cap_per_line,
            call_cap_per_claim: r.call_cap_per_claim,
            travel_cap_per_line: r.travel_cap_per_line,
            travel_cap_per_claim: r.travel_cap_per_claim,
            receipt_above: r.receipt_above,
            deduct_compensated: r.deduct_compensated,
        }
    }
}

/// The version in force: the latest.
pub async fn current(db: &Db) -> Result<Policy, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM policies ORDER BY version DESC LIMIT 1");
    on_db!(db, p => sqlx::query_as::<_, PolicyRow>(&sql).fetch_one(p).await).map(Policy::from)
}

pub async fn by_version(db: &Db, version: i64) -> Result<Option<Policy>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM policies WHERE version = $1");
    on_db!(db, p => sqlx::query_as::<_, PolicyRow>(&sql).bind(version).fetch_optional(p).await)
        .map(|r| r.map(Policy::from))
}

/// One version as the admin page lists it.
#[derive(Clone, Debug)]
pub struct VersionRow {
    pub policy: Policy,
    pub note: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Cases assessed under this version.
    pub cases: i64,
}

#[derive(sqlx::FromRow)]
struct VersionFull {
    #[sqlx(flatten)]
    policy: PolicyRow,
    note: String,
    created_by: Option<String>,
    created_at: DateTime<Utc>,
    cases: i64,
}

/// Every version, newest first, with the number of cases assessed under it.
pub async fn list(db: &Db) -> Result<Vec<VersionRow>, sqlx::Error> {
    let sql = "SELECT p.version, p.per_charge_limit, p.monthly_wallet_limit, p.window_days, p.call_cap_per_line,
                      p.call_cap_per_claim, p.travel_cap_per_line, p.travel_cap_per_claim, p.receipt_above,
                      p.deduct_compensated, p.note, u.email AS created_by, p.created_at,
                      (SELECT COUNT(*) FROM claims c WHERE c.policy_version = p.version) AS cases
               FROM policies p LEFT JOIN users u ON u.id = p.created_by ORDER BY p.version DESC";
    let rows = on_db!(db, p => sqlx::query_as::<_, VersionFull>(sql).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|r| VersionRow {
            policy: r.policy.into(),
            note: r.note,
            created_by: r.created_by,
            created_at: r.created_at,
            cases: r.cases,
        })
        .collect())
}

/// Writes `policy` as version `policy.version`; false when that version
/// exists already (another admin saved first).
pub async fn insert(
    tx: &mut Tx,
    policy: &Policy,
    note: &str,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "INSERT INTO policies (version, per_charge_limit, monthly_wallet_limit, window_days, call_cap_per_line,
                               call_cap_per_claim, travel_cap_per_line, travel_cap_per_claim, receipt_above,
                               deduct_compensated, note, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (version) DO NOTHING",
    )
    .bind(policy.version).bind(policy.per_charge_limit).bind(policy.monthly_wallet_limit)
    .bind(policy.window_days).bind(policy.call_cap_per_line).bind(policy.call_cap_per_claim)
    .bind(policy.travel_cap_per_line).bind(policy.travel_cap_per_claim).bind(policy.receipt_above)
    .bind(policy.deduct_compensated).bind(note).bind(by).bind(at)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
