use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BankRow {
    pub code: String,
    pub name: String,
    pub kana: String,
    pub participating: bool,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BranchRow {
    pub code: String,
    pub name: String,
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM banks").fetch_one(p).await)
}

pub async fn insert_bank(
    tx: &mut Tx,
    code: &str,
    name: &str,
    kana: &str,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("INSERT INTO banks (code, name, kana) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING")
        .bind(code).bind(name).bind(kana).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Inserts branches of one bank: `rows` are (code, name, kana).
pub async fn insert_branches(
    tx: &mut Tx,
    bank: &str,
    rows: &[(String, String, String)],
) -> Result<(), sqlx::Error> {
    // A few hundred rows per statement keeps both backends well inside their
    // bind-parameter limits.
    for chunk in rows.chunks(200) {
        let mut sql = String::from("INSERT INTO branches (bank_code, code, name, kana) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let b = i * 3;
            sql.push_str(&format!("($1, ${}, ${}, ${})", b + 2, b + 3, b + 4));
        }
        sql.push_str(" ON CONFLICT (bank_code, code) DO NOTHING");
        on_tx!(tx, c => {
            let mut q = sqlx::query(&sql).bind(bank);
            for (code, name, kana) in chunk {
                q = q.bind(code).bind(name).bind(kana);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

pub async fn participating(db: &Db) -> Result<Vec<BankRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, BankRow>(
        "SELECT code, name, kana, participating FROM banks WHERE participating ORDER BY code",
    ).fetch_all(p).await)
}

pub async fn by_code(db: &Db, code: &str) -> Result<Option<BankRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, BankRow>("SELECT code, name, kana, participating FROM banks WHERE code = $1")
        .bind(code).fetch_optional(p).await)
}

/// Sets a bank's share (percent) of the debits paid at its accounts.
pub async fn set_share(tx: &mut Tx, code: &str, percent: i64) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE banks SET cost_share_percent = $2 WHERE code = $1")
        .bind(code).bind(percent).execute(c).await.map(|r| r.rows_affected()))
}

/// Where a bank wants its notices: its own address and/or its users.
pub async fn set_notify(
    tx: &mut Tx,
    code: &str,
    email: Option<&str>,
    users: bool,
) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE banks SET notify_email = $2, notify_users = $3 WHERE code = $1 AND participating")
        .bind(code).bind(email).bind(users).execute(c).await.map(|r| r.rows_affected()))
}

/// (bank, notice address, to its users too) of the participating banks.
pub async fn notify_settings(db: &Db) -> Result<Vec<(String, Option<String>, bool)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (String, Option<String>, bool)>(
        "SELECT code, notify_email, notify_users FROM banks WHERE participating ORDER BY code",
    ).fetch_all(p).await)
}

/// Who gets a bank's notices, with their language: the bank's address (in
/// Japanese) if it gave one, and its active staff if it chose so.
pub async fn notify_recipients(db: &Db, code: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (String, String)>(
        "SELECT notify_email, 'ja' FROM banks WHERE code = $1 AND notify_email IS NOT NULL
         UNION
         SELECT u.email, u.lang FROM users u JOIN banks b ON b.code = u.bank_code
          WHERE u.bank_code = $1 AND b.notify_users AND u.role = 'bank_staff'
            AND u.disabled_at IS NULL AND u.email_verified_at IS NOT NULL
         ORDER BY 1",
    ).bind(code).fetch_all(p).await)
}

/// (bank, share percent) of the participating banks.
pub async fn shares(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (String, i64)>(
        "SELECT code, cost_share_percent FROM banks WHERE participating ORDER BY code",
    ).fetch_all(p).await)
}

/// A branch's name in katakana.
pub async fn branch_kana(db: &Db, bank: &str, branch: &str) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, String>("SELECT kana FROM branches WHERE bank_code = $1 AND code = $2")
        .bind(bank).bind(branch).fetch_optional(p).await)
}

pub async fn set_participating(
    tx: &mut Tx,
    code: &str,
    participating: bool,
) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE banks SET participating = $2 WHERE code = $1")
        .bind(code).bind(participating).execute(c).await.map(|r| r.rows_affected()))
}

/// Branches of a bank whose code is `code`, or whose name or kana is `name`.
pub async fn find_branches(
    db: &Db,
    bank: &str,
    code: Option<&str>,
    name: Option<&str>,
) -> Result<Vec<BranchRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, BranchRow>(
        "SELECT code, name FROM branches
         WHERE bank_code = $1 AND NOT retired
           AND (code = $2 OR name = $3 OR kana = $3 OR name = $4 OR name = $5)
         ORDER BY code LIMIT 20",
    )
    .bind(bank)
    .bind(code)
    .bind(name)
    // People often add or drop the 支店 suffix.
    .bind(name.map(|n| format!("{}支店", n.trim_end_matches("支店"))))
    .bind(name.map(|n| n.trim_end_matches("支店").to_owned()))
    .fetch_all(p).await)
}

pub async fn branch_counts(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (String, i64)>(
        "SELECT b.code, COUNT(r.code) FROM banks b LEFT JOIN branches r ON r.bank_code = b.code
         WHERE b.participating GROUP BY b.code ORDER BY b.code",
    ).fetch_all(p).await)
}

/// Up to `limit` branches of a bank whose code starts with `q` or whose name
/// or kana contains it (for the branch lookup as a person types).
pub async fn search_branches(
    db: &Db,
    bank: &str,
    q: &str,
    limit: i64,
) -> Result<Vec<BranchRow>, sqlx::Error> {
    let escaped: String = q
        .chars()
        .flat_map(|c| {
            if matches!(c, '%' | '_' | '\\') {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect();
    on_db!(db, p => sqlx::query_as::<_, BranchRow>(
        "SELECT code, name FROM branches
         WHERE bank_code = $1 AND NOT retired
           AND (code LIKE $2 ESCAPE '\\' OR name LIKE $3 ESCAPE '\\' OR kana LIKE $3 ESCAPE '\\')
         ORDER BY code LIMIT $4",
    )
    .bind(bank)
    .bind(format!("{escaped}%"))
    .bind(format!("%{escaped}%"))
    .bind(limit)
    .fetch_all(p).await)
}

/// Every branch code of a bank.
pub async fn branch_codes(db: &Db, bank: &str) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, String>("SELECT code FROM branches WHERE bank_code = $1")
        .bind(bank).fetch_all(p).await)
}

/// Every bank and branch as the table holds them (for comparing a newer
/// list): (bank, name, kana) and (bank, branch, name, kana, retired).
pub async fn whole_list(
    db: &Db,
) -> Result<
    (
        Vec<(String, String, String)>,
        Vec<(String, String, String, String, bool)>,
    ),
    sqlx::Error,
> {
    let banks = on_db!(db, p => sqlx::query_as::<_, (String, String, String)>(
        "SELECT code, name, kana FROM banks ORDER BY code").fetch_all(p).await)?;
    let branches = on_db!(db, p => sqlx::query_as::<_, (String, String, String, String, bool)>(
        "SELECT bank_code, code, name, kana, retired FROM branches ORDER BY bank_code, code")
        .fetch_all(p).await)?;
    Ok((banks, branches))
}

/// A bank's new name and kana.
pub async fn rename_bank(
    tx: &mut Tx,
    code: &str,
    name: &str,
    kana: &str,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE banks SET name = $2, kana = $3 WHERE code = $1")
        .bind(code).bind(name).bind(kana).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A branch as a newer list has it: its name and kana, and in use again.
pub async fn renew_branch(
    tx: &mut Tx,
    bank: &str,
    code: &str,
    name: &str,
    kana: &str,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE branches SET name = $3, kana = $4, retired = FALSE WHERE bank_code = $1 AND code = $2")
        .bind(bank).bind(code).bind(name).bind(kana).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A branch a newer list no longer has: kept (cases name it), not offered.
pub async fn retire_branch(tx: &mut Tx, bank: &str, code: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE branches SET retired = TRUE WHERE bank_code = $1 AND code = $2")
        .bind(bank).bind(code).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One loaded bank list, as the admin page lists them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ListUpdateRow {
    pub id: uuid::Uuid,
    pub actor: Option<String>,
    pub file_name: String,
    /// The differences, as JSON.
    pub changes: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Records a loaded bank list (`actor` none for the command line).
pub async fn record_list_update(
    tx: &mut Tx,
    id: uuid::Uuid,
    actor: Option<uuid::Uuid>,
    file_name: &str,
    changes: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO bank_list_updates (id, actor_id, file_name, changes, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id).bind(actor).bind(file_name).bind(changes).bind(at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The loaded bank lists, newest first (`id` for one).
pub async fn list_updates(
    db: &Db,
    id: Option<uuid::Uuid>,
    limit: i64,
) -> Result<Vec<ListUpdateRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, ListUpdateRow>(
        "SELECT u.id, a.email AS actor, u.file_name, u.changes, u.at
         FROM bank_list_updates u LEFT JOIN users a ON a.id = u.actor_id
         WHERE $1 IS NULL OR u.id = $1 ORDER BY u.at DESC LIMIT $2")
        .bind(id).bind(limit).fetch_all(p).await)
}
