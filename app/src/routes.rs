//! Every address the web edge answers (form posts, downloads, uploads, the
//! REST API), declared once. The router binds a handler to a route's
//! `PATH`; a page builds its form's action (or a download's link) with the
//! route's `to(..)`. Rename an address here and both follow; a page cannot
//! post to an address no handler answers.
//!
//! The pages themselves (`GET`, rendered by Leptos) are declared in the
//! app's router (`lib.rs`); a form that reloads its own page with filters
//! names that page's address.

/// The address of a route for the given parameters, in order: each `{name}`
/// (or `{*name}`) of `pattern` is replaced by the next value.
pub fn fill(pattern: &str, values: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    let mut values = values.iter();
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |c| c + open);
        out.push_str(&rest[..open]);
        if let Some(value) = values.next() {
            out.push_str(&value.to_string());
        }
        rest = rest.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

macro_rules! routes {
    ($( $(#[doc = $doc:literal])* $name:ident ( $($arg:ident),* ) = $pattern:literal; )*) => {
        $(
            $(#[doc = $doc])*
            pub mod $name {
                /// The pattern the router binds (axum's `{name}` parameters).
                pub const PATH: &str = $pattern;

                /// This address for the given parameters.
                pub fn to($($arg: impl std::fmt::Display),*) -> String {
                    super::fill(PATH, &[$(&$arg as &dyn std::fmt::Display),*])
                }
            }
        )*

        /// Every declared route: its name, pattern and parameters.
        pub const ALL: &[(&str, &str, &[&str])] =
            &[$( (stringify!($name), $pattern, &[$(stringify!($arg)),*]) ),*];
    };
}

routes! {
    // Anyone.
    register() = "/register";
    verify() = "/verify";
    login() = "/login";
    logout() = "/logout";
    password_forgot() = "/password/forgot";
    password_reset() = "/password/reset";
    /// The public "is this really from us?" lookup.
    genuine() = "/genuine";
    lang() = "/lang";
    healthz() = "/healthz";
    /// The process answers (for an orchestrator's liveness probe).
    livez() = "/livez";
    /// The database, the migrations and the evidence files are ready.
    readyz() = "/readyz";
    metrics() = "/metrics";
    /// An invited member of staff sets a password with the mailed code.
    invite() = "/invite";
    login_code() = "/login/code";
    mfa_setup() = "/mfa/setup";

    // Anyone logged in: their own account.
    account_password() = "/account/password";
    account_end_login(id) = "/account/logins/{id}/end";
    account_end_others() = "/account/logins/end-others";
    account_recovery_codes() = "/account/recovery-codes";

    // A claimant's sent claims.
    claim_withdraw(reference) = "/claims/{reference}/withdraw";
    claim_appeal(reference) = "/claims/{reference}/appeal";
    claim_payout_account(reference) = "/claims/{reference}/payout-account";

    // A claimant's journey through a draft (or a claim being changed in
    // answer to a request): `key` is the draft's or the claim's.
    claim_new() = "/claims/new";
    claim_redeem() = "/claims/redeem";
    claim_about(key) = "/claims/{key}/about";
    claim_add_account(key) = "/claims/{key}/add-account";
    claim_account(key, aid) = "/claims/{key}/accounts/{aid}";
    claim_account_remove(key, aid) = "/claims/{key}/accounts/{aid}/remove";
    claim_add_debit(key, aid) = "/claims/{key}/accounts/{aid}/add-debit";
    claim_debit(key, lid) = "/claims/{key}/debits/{lid}";
    claim_debit_remove(key, lid) = "/claims/{key}/debits/{lid}/remove";
    claim_debits(key) = "/claims/{key}/debits";
    claim_add_call(key) = "/claims/{key}/add-call";
    claim_call(key, lid) = "/claims/{key}/calls/{lid}";
    claim_call_remove(key, lid) = "/claims/{key}/calls/{lid}/remove";
    claim_calls(key) = "/claims/{key}/calls";
    claim_add_journey(key) = "/claims/{key}/add-journey";
    claim_journey(key, lid) = "/claims/{key}/travel/{lid}";
    claim_journey_remove(key, lid) = "/claims/{key}/travel/{lid}/remove";
    claim_travel(key) = "/claims/{key}/travel";
    /// An evidence file's upload (its own body limit).
    claim_evidence(key) = "/claims/{key}/evidence";
    claim_file_links(key, fid) = "/claims/{key}/evidence/{fid}/links";
    claim_file_remove(key, fid) = "/claims/{key}/evidence/{fid}/remove";
    claim_evidence_done(key) = "/claims/{key}/evidence/done";
    claim_payout(key) = "/claims/{key}/payout";
    claim_check(key) = "/claims/{key}/check";
    claim_reply(key) = "/claims/{key}/reply";
    /// An evidence file, for whoever may see its claim.
    file(id) = "/files/{id}";

    // The operator's staff.
    staff_assess(reference) = "/staff/claims/{reference}/assess";
    staff_approve(reference) = "/staff/claims/{reference}/approve";
    staff_send_back(reference) = "/staff/claims/{reference}/send-back";
    staff_reject(reference) = "/staff/claims/{reference}/reject";
    staff_notes(reference) = "/staff/claims/{reference}/notes";
    staff_close_duplicate(reference) = "/staff/claims/{reference}/close-duplicate";
    staff_reopen(reference) = "/staff/claims/{reference}/reopen";
    staff_assign(reference) = "/staff/claims/{reference}/assign";
    staff_request(reference) = "/staff/claims/{reference}/request";
    staff_history_csv(reference) = "/admin/claims/{reference}/history.csv";
    staff_queue_csv() = "/staff/queue.csv";
    staff_losses_csv() = "/staff/reported-losses.csv";
    /// A letter of invitation to a victim who is not a customer.
    staff_invitations() = "/staff/invitations";

    // A bank's staff.
    bank_line(reference, line) = "/bank/claims/{reference}/lines/{line}";
    bank_account_check(reference) = "/bank/claims/{reference}/account-check";
    /// Every open line of the bank on a case confirmed as claimed.
    bank_confirm_all(reference) = "/bank/claims/{reference}/confirm-all";
    bank_debit_accept(id) = "/bank/debits/{id}/accept";
    /// A bank's list of debits (its own body limit).
    bank_import() = "/bank/import";
    bank_queue_csv() = "/bank/queue.csv";
    bank_imports_csv() = "/bank/imports.csv";
    bank_notices() = "/bank/notices";
    bank_api_keys() = "/bank/api-keys";
    bank_api_key_revoke(id) = "/bank/api-keys/{id}/revoke";

    // Payments.
    batches() = "/payments/batches";
    batch_release(number) = "/payments/batches/{number}/release";
    batch_results(number) = "/payments/batches/{number}/results";
    /// The bank's results file (its own body limit).
    batch_results_file(number) = "/payments/batches/{number}/results-file";
    batch_zengin(number) = "/payments/batches/{number}/zengin.txt";
    batch_csv(number) = "/payments/batches/{number}/batch.csv";
    batches_csv() = "/payments/batches.csv";
    settlement_csv() = "/admin/settlement.csv";
    settlement_xlsx() = "/admin/settlement.xlsx";

    // Reports.
    reports() = "/reports";
    report_csv(number) = "/reports/{number}/csv";
    /// What a frozen report is (number, dates, ledger totals), apart from its table.
    report_about_csv(number) = "/reports/{number}/about.csv";
    report_xlsx(number) = "/reports/{number}/xlsx";

    // Administrators.
    admin_invite() = "/admin/users/invite";
    admin_user_role(id) = "/admin/users/{id}/role";
    admin_user_disable(id) = "/admin/users/{id}/disable";
    admin_user_enable(id) = "/admin/users/{id}/enable";
    admin_user_mfa_reset(id) = "/admin/users/{id}/mfa-reset";
    admin_actions_csv() = "/admin/actions.csv";
    admin_users_csv() = "/admin/users.csv";
    admin_mail_csv() = "/admin/mail.csv";
    admin_views_csv() = "/admin/views.csv";
    admin_banks() = "/admin/banks";
    admin_banks_share() = "/admin/banks/share";
    admin_banks_notify() = "/admin/banks/notify";
    admin_bank_list() = "/admin/banks/list";
    admin_policy() = "/admin/policy";
    admin_mail_retry(id) = "/admin/mail/{id}/retry";
    admin_api_keys() = "/admin/api-keys";
    admin_api_key_revoke(id) = "/admin/api-keys/{id}/revoke";

    // The banks' REST API.
    api_lines() = "/api/v1/lines";
    api_line(id) = "/api/v1/lines/{id}";
    api_line_verification(id) = "/api/v1/lines/{id}/verification";
    api_imports() = "/api/v1/imports";
    api_import(id) = "/api/v1/imports/{id}";
    api_openapi() = "/api/v1/openapi.json";
    /// Any other address under the API: a problem document, not a page.
    api_unknown(rest) = "/api/v1/{*rest}";
}

/// The case pages: a member of staff's or a bank clerk's view of one case.
/// Each view of one is recorded (who saw which case, when): the server
/// binds these pages with the audit as their own layer, so a view is
/// recorded because the page is a case page, not because its address
/// looks like one. A page with a case's `reference` in its address that is
/// not listed here fails a test.
pub const CASE_PAGES: &[&str] = &[
    "/staff/claims/{reference}",
    "/bank/claims/{reference}",
    "/bank/claims/{reference}/lines/{line}",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Each route's parameters are its pattern's, in order; no address is
    /// declared twice.
    #[test]
    fn every_route_names_its_parameters_in_order() {
        for (name, pattern, args) in ALL {
            let named: Vec<&str> = pattern
                .split('{')
                .skip(1)
                .map(|p| p[..p.find('}').unwrap()].trim_start_matches('*'))
                .collect();
            assert_eq!(&named, args, "{name}: {pattern}");
        }
        let mut patterns: Vec<&str> = ALL.iter().map(|r| r.1).collect();
        patterns.sort();
        let before = patterns.len();
        patterns.dedup();
        assert_eq!(patterns.len(), before, "an address is declared twice");
    }

    #[test]
    fn addresses_are_filled_in_order() {
        assert_eq!(
            bank_line::to("RD-000001", 7),
            "/bank/claims/RD-000001/lines/7"
        );
        assert_eq!(register::to(), "/register");
        assert_eq!(api_unknown::to("x/y"), "/api/v1/x/y");
    }
}
