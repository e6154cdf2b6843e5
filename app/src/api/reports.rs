//! The dashboard and the regulator's report: guard, compute, return.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::Role;
use crate::domain::report::Report;

/// Who sees the dashboard (bank staff: their own bank only).
pub const DASHBOARD_ROLES: [Role; 5] = [
    Role::BankStaff,
    Role::Reviewer,
    Role::Approver,
    Role::Payments,
    Role::Admin,
];
/// Who reads the regulator's report; of them, approvers and admins freeze it.
pub const REPORT_ROLES: [Role; 4] = [Role::Reviewer, Role::Approver, Role::Payments, Role::Admin];
pub const FREEZE_ROLES: [Role; 2] = [Role::Approver, Role::Admin];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardData {
    /// When the figures were computed (Japan time).
    pub computed_at: String,
    /// How old they may grow before they are computed again (0: every view).
    pub refresh_seconds: u64,
    /// The bank the figures are restricted to (bank staff), by name.
    pub bank: Option<String>,
    pub states: Vec<(String, i64)>,
    pub daily: Vec<(String, i64, i64)>,
    pub report: Report,
    pub past_sla: i64,
    pub days_to_payment: Option<f64>,
}

/// The dashboard's figures; `refresh`: counted now, not the kept ones.
#[server(endpoint = "get_dashboard")]
pub async fn get_dashboard(#[server(default)] refresh: bool) -> Result<DashboardData, ApiError> {
    use super::ctx;
    use crate::server::services::reports;
    let (state, user) = ctx::require(&DASHBOARD_ROLES).await?;
    let bank = match user.role {
        Role::BankStaff => Some(user.bank().map_err(ctx::fail)?.to_owned()),
        _ => None,
    };
    let d = if refresh {
        reports::refresh_dashboard(&state, bank.as_deref()).await
    } else {
        reports::dashboard_view(&state, bank.as_deref()).await
    }
    .map_err(ctx::fail)?;
    let d = (*d).clone();
    let bank_name = match &bank {
        Some(code) => crate::server::store::banks::by_code(&state.db, code)
            .await
            .map_err(|e| ctx::fail(e.into()))?
            .map(|b| b.name),
        None => None,
    };
    Ok(DashboardData {
        computed_at: crate::domain::report::jst_text(d.computed_at),
        refresh_seconds: state.settings.dashboard_refresh.as_secs(),
        bank: bank_name,
        states: d.states,
        daily: d.daily,
        report: d.report,
        past_sla: d.past_sla,
        days_to_payment: d.days_to_payment,
    })
}

/// The live report as of a moment, the change since the latest frozen one,
/// and the frozen reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub report: Report,
    /// (number, report) of the latest frozen report.
    pub latest: Option<(i64, Report)>,
    /// (number, as of, computed at) of every frozen report, newest first.
    pub frozen: Vec<(i64, String, String)>,
    pub can_freeze: bool,
    /// The freeze form's one-time token.
    pub request_id: String,
}

#[server(endpoint = "get_report")]
pub async fn get_report(as_of: String) -> Result<ReportView, ApiError> {
    use super::ctx;
    use crate::domain::report::jst_text;
    use crate::server::services::reports;
    let (state, user) = ctx::require(&REPORT_ROLES).await?;
    let at = reports::as_of(&as_of).map_err(ctx::fail)?;
    let report = reports::compute(&state, at, None)
        .await
        .map_err(ctx::fail)?;
    let latest = reports::latest(&state).await.map_err(ctx::fail)?;
    let frozen = crate::server::store::reports::list(&state.db)
        .await
        .map_err(|e| ctx::fail(e.into()))?
        .into_iter()
        .map(|r| (r.number, jst_text(r.as_of), jst_text(r.computed_at)))
        .collect();
    Ok(ReportView {
        report,
        latest,
        frozen,
        can_freeze: FREEZE_ROLES.contains(&user.role),
        request_id: uuid::Uuid::new_v4().to_string(),
    })
}

/// A frozen report as stored, and the one before it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrozenView {
    pub number: i64,
    pub report: Report,
    pub previous: Option<Report>,
}

#[server(endpoint = "get_frozen_report")]
pub async fn get_frozen_report(number: i64) -> Result<FrozenView, ApiError> {
    use super::ctx;
    let (state, _) = ctx::require(&REPORT_ROLES).await?;
    let (report, previous) = crate::server::services::reports::frozen(&state, number)
        .await
        .map_err(ctx::fail)?;
    Ok(FrozenView {
        number,
        report,
        previous,
    })
}
