//! What every page needs: who is logged in, and which banks take part.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::Role;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub email: String,
    pub role: Role,
    pub bank_code: Option<String>,
    /// A bank's lead user (manages the bank's API keys).
    pub bank_lead: bool,
}

/// The logged-in user, or None. Open to all: it only tells you about yourself.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<UserInfo>, ApiError> {
    use super::ctx;
    let state = ctx::state()?;
    let session = ctx::session().await?;
    let user =
        crate::server::auth::current_user_once(&session, &state.db, ctx::memo().await.as_ref())
            .await
            .map_err(ctx::fail)?;
    Ok(user.map(|u| UserInfo {
        bank_lead: u.bank_lead,
        email: u.email,
        role: u.role,
        bank_code: u.bank_code,
    }))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankOption {
    pub code: String,
    pub name: String,
}

/// The banks a claim may name. Any logged-in user may read the list.
#[server(endpoint = "participating_banks")]
pub async fn participating_banks() -> Result<Vec<BankOption>, ApiError> {
    use super::ctx;
    let (state, _user) = ctx::require(&Role::ALL).await?;
    let rows = crate::server::store::banks::participating(&state.db)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    Ok(rows
        .into_iter()
        .map(|b| BankOption {
            code: b.code,
            name: b.name,
        })
        .collect())
}

/// One version of the compensation policy, as the admin's page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub policy: crate::domain::policy::Policy,
    pub note: String,
    /// Who wrote it (None: the first version, from the installation).
    pub created_by: Option<String>,
    /// When, in Japan time.
    pub created_at: String,
    /// Cases assessed under it.
    pub cases: i64,
}

/// Every policy version, newest (the one in force) first; admin only.
#[server(endpoint = "admin_policies")]
pub async fn admin_policies() -> Result<Vec<PolicyVersion>, ApiError> {
    use super::ctx;
    let (state, _user) = ctx::require(&[Role::Admin]).await?;
    let rows = crate::server::store::policies::list(&state.db)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    let jst = crate::domain::calendar::jst();
    Ok(rows
        .into_iter()
        .map(|r| PolicyVersion {
            policy: r.policy,
            note: r.note,
            created_by: r.created_by,
            created_at: r
                .created_at
                .with_timezone(&jst)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            cases: r.cases,
        })
        .collect())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankAdminRow {
    pub code: String,
    pub name: String,
    pub branches: i64,
    /// The bank's share (percent) of the debits paid at its accounts.
    pub share: i64,
    /// Where its notices go: its own address (may be empty), its users.
    pub notify_email: String,
    pub notify_users: bool,
}

/// The participating banks with their branch counts (admin only).
#[server(endpoint = "admin_banks")]
pub async fn admin_banks() -> Result<Vec<BankAdminRow>, ApiError> {
    use super::ctx;
    let (state, _user) = ctx::require(&[Role::Admin]).await?;
    let fail = |e: sqlx::Error| ctx::fail(e.into());
    let banks = crate::server::store::banks::participating(&state.db)
        .await
        .map_err(fail)?;
    let counts: std::collections::HashMap<String, i64> =
        crate::server::store::banks::branch_counts(&state.db)
            .await
            .map_err(fail)?
            .into_iter()
            .collect();
    let shares: std::collections::HashMap<String, i64> =
        crate::server::store::banks::shares(&state.db)
            .await
            .map_err(fail)?
            .into_iter()
            .collect();
    let notify: std::collections::HashMap<String, (Option<String>, bool)> =
        crate::server::store::banks::notify_settings(&state.db)
            .await
            .map_err(fail)?
            .into_iter()
            .map(|(code, email, users)| (code, (email, users)))
            .collect();
    Ok(banks
        .into_iter()
        .map(|b| BankAdminRow {
            branches: counts.get(&b.code).copied().unwrap_or(0),
            share: shares.get(&b.code).copied().unwrap_or(50),
            notify_email: notify
                .get(&b.code)
                .and_then(|(e, _)| e.clone())
                .unwrap_or_default(),
            notify_users: notify.get(&b.code).is_none_or(|(_, u)| *u),
            code: b.code,
            name: b.name,
        })
        .collect())
}

/// A newer bank list loaded into the system, with what it changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankListUpdateView {
    pub id: String,
    pub at: String,
    /// The admin's address, or empty for `redress banks update`.
    pub by: String,
    pub file_name: String,
    /// (i18n key, count): banks added, renamed; branches added, renamed, retired.
    pub counts: Vec<(String, usize)>,
    /// Only for the update asked for: (i18n key, `0125-998 新設`), at most
    /// [`LIST_DETAILS_SHOWN`].
    pub details: Vec<(String, String)>,
}

/// The differences shown for one update (a whole new list can add thousands).
pub const LIST_DETAILS_SHOWN: usize = 500;

/// The bank lists loaded, newest first (20), with the details of `shown`
/// (admin only).
#[server(endpoint = "bank_list_updates")]
pub async fn bank_list_updates(shown: Option<String>) -> Result<Vec<BankListUpdateView>, ApiError> {
    use super::ctx;
    use crate::server::services::banks::ListChanges;
    let (state, _user) = ctx::require(&[Role::Admin]).await?;
    let rows = crate::server::store::banks::list_updates(&state.db, None, 20)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    let shown = shown.and_then(|s| uuid::Uuid::parse_str(&s).ok());
    let mut out = Vec::new();
    for r in rows {
        let c: ListChanges = serde_json::from_str(&r.changes).map_err(|e| {
            ctx::fail(anyhow::anyhow!("bank list update {}: unreadable: {e}", r.id).into())
        })?;
        let counts = vec![
            ("list_banks_added".to_owned(), c.banks_added.len()),
            ("list_banks_renamed".to_owned(), c.banks_renamed.len()),
            ("list_branches_added".to_owned(), c.branches_added.len()),
            ("list_branches_renamed".to_owned(), c.branches_renamed.len()),
            ("list_branches_retired".to_owned(), c.branches_retired.len()),
        ];
        let details = if shown == Some(r.id) {
            let key = |k: &str| k.to_owned();
            c.banks_added
                .iter()
                .map(|(code, name)| (key("list_banks_added"), format!("{code} {name}")))
                .chain(c.banks_renamed.iter().map(|(code, old, new)| {
                    (key("list_banks_renamed"), format!("{code} {old} → {new}"))
                }))
                .chain(c.branches_added.iter().map(|(bank, code, name)| {
                    (key("list_branches_added"), format!("{bank}-{code} {name}"))
                }))
                .chain(c.branches_renamed.iter().map(|(bank, code, old, new)| {
                    (
                        key("list_branches_renamed"),
                        format!("{bank}-{code} {old} → {new}"),
                    )
                }))
                .chain(c.branches_retired.iter().map(|(bank, code, name)| {
                    (
                        key("list_branches_retired"),
                        format!("{bank}-{code} {name}"),
                    )
                }))
                .take(LIST_DETAILS_SHOWN)
                .collect()
        } else {
            Vec::new()
        };
        out.push(BankListUpdateView {
            id: r.id.to_string(),
            at: crate::api::claimant::convert::jst_time(r.at),
            by: r.actor.unwrap_or_default(),
            file_name: r.file_name,
            counts,
            details,
        });
    }
    Ok(out)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchOption {
    pub code: String,
    pub name: String,
}

/// Branches of a participating bank matching what was typed (code prefix,
/// name or kana), for the branch lookup. Any logged-in user.
#[server(endpoint = "branch_suggestions")]
pub async fn branch_suggestions(bank: String, q: String) -> Result<Vec<BranchOption>, ApiError> {
    use super::ctx;
    use crate::server::store::banks;
    let (state, _user) = ctx::require(&Role::ALL).await?;
    let q = crate::domain::text::collapse_spaces(&crate::domain::text::to_half_width_ascii(&q));
    let Ok(bank) = crate::domain::BankCode::parse(&bank) else {
        return Ok(Vec::new());
    };
    if q.is_empty() || q.chars().count() > 40 {
        return Ok(Vec::new());
    }
    let fail = |e: sqlx::Error| ctx::fail(e.into());
    match banks::by_code(&state.db, bank.as_str())
        .await
        .map_err(fail)?
    {
        Some(b) if b.participating => {}
        _ => return Ok(Vec::new()),
    }
    let rows = banks::search_branches(&state.db, bank.as_str(), &q, 8)
        .await
        .map_err(fail)?;
    Ok(rows
        .into_iter()
        .map(|r| BranchOption {
            code: r.code,
            name: r.name,
        })
        .collect())
}

/// The addresses a postcode names (prefecture, city and town, written as
/// one: 宮城県仙台市青葉区一番町), for the address lookup. Any logged-in
/// user; none for an unknown or malformed code.
#[server(endpoint = "postcode_addresses")]
pub async fn postcode_addresses(code: String) -> Result<Vec<String>, ApiError> {
    use super::ctx;
    let (state, _user) = ctx::require(&Role::ALL).await?;
    if code.chars().count() > 20 {
        return Ok(Vec::new());
    }
    let places = crate::server::services::postcodes::find(&state.db, &code)
        .await
        .map_err(ctx::fail)?;
    Ok(places.iter().take(20).map(|p| p.address()).collect())
}

/// One record of a staff member opening a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub reference: String,
    pub email: String,
    pub role: String,
    pub at: String,
}

/// Who opened which case when, newest first (admin only).
#[server(endpoint = "case_views")]
pub async fn case_views(page: i64, q: String) -> Result<(Vec<CaseView>, i64), ApiError> {
    use super::ctx;
    use crate::domain::Role;
    let (state, _) = ctx::require(&[Role::Admin]).await?;
    let page = page.max(1);
    let (rows, total) =
        crate::server::store::bank_review::views_page(&state.db, &q, 100, (page - 1) * 100)
            .await
            .map_err(|e| ctx::fail(e.into()))?;
    Ok((
        rows.into_iter()
            .map(|r| CaseView {
                reference: r.reference,
                email: r.email,
                role: r.role,
                at: super::claimant::convert::jst_time(r.at),
            })
            .collect(),
        total,
    ))
}

/// One API key as the admin page lists it (never the key itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub id: uuid::Uuid,
    pub bank: String,
    pub label: String,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: Option<String>,
}

#[server(endpoint = "api_key_list")]
pub async fn api_key_list() -> Result<Vec<ApiKeyView>, ApiError> {
    use super::ctx;
    let (state, user) = ctx::require(&[Role::Admin, Role::BankStaff]).await?;
    let rows = crate::server::services::api_keys::list(&state, &user)
        .await
        .map_err(ctx::fail)?;
    let time = super::claimant::convert::jst_time;
    Ok(rows
        .into_iter()
        .map(|k| ApiKeyView {
            id: k.id,
            bank: k.bank_code,
            label: k.label,
            created: time(k.created_at),
            last_used: k.last_used_at.map(time),
            revoked: k.revoked_at.map(time),
        })
        .collect())
}

/// The REST API's OpenAPI document, boiled down for the docs page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ApiDescription {
    pub title: String,
    pub version: String,
    pub description: String,
    pub endpoints: Vec<EndpointDoc>,
    pub schemas: Vec<SchemaDoc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointDoc {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub params: Vec<FieldDoc>,
    /// The schema of the request body, if any.
    pub body: Option<String>,
    /// (status, description, schema).
    pub responses: Vec<(String, String, String)>,
}

/// A parameter or a field of a schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDoc {
    pub name: String,
    pub kind: String,
    pub required: bool,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaDoc {
    pub name: String,
    /// For a schema without fields (an enumeration): its values.
    pub kind: String,
    pub description: String,
    pub fields: Vec<FieldDoc>,
}

/// The API's documentation (public, as `/api/v1/openapi.json` is).
#[server(endpoint = "api_description")]
pub async fn load_api_description() -> Result<ApiDescription, ApiError> {
    let state = use_context::<crate::server::AppState>().ok_or(ApiError::Internal)?;
    Ok(super::api_docs::describe(&state.openapi))
}
