//! Registration, e-mail verification, login and password reset.

use chrono::{Duration, Utc};
use uuid::Uuid;

use super::mails;
use crate::auth::{
    code_selector, dummy_hash, hash_password, new_mail_code, typed_code_hash, verify_password,
};
use crate::db::{Tx, constraint_of};
use crate::domain::password::check_new_password;
use crate::domain::{Email, FieldErrors, Role};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::limits::{
    LOGIN_PER_ACCOUNT, LOGIN_PER_IP, REGISTER_PER_IP, RESET_PER_ACCOUNT, check_rate, clear_rate,
    forget_attempt,
};
use crate::state::Core;
use crate::store::{tokens, users};

pub const VERIFY_TTL: Duration = Duration::hours(24);
pub const RESET_TTL: Duration = Duration::minutes(30);

/// A claimant registers: the account exists at once but cannot log in until
/// the address is confirmed through the mailed link.
#[tracing::instrument(skip_all)]
pub async fn register(
    state: &Core,
    email: &str,
    password: &str,
    lang: Lang,
    ip: &str,
) -> Result<Uuid, AppError> {
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(email));
    let email_text = email.as_ref().map(|e| e.as_str()).unwrap_or("");
    errors.check("password", check_new_password(password, email_text));
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    check_rate(state, &format!("register:ip:{ip}"), REGISTER_PER_IP).await?;
    let hash = hash_password(password)?;
    let id = Uuid::new_v4();
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let new = users::NewUser {
        id,
        email: email.as_str(),
        password_hash: &hash,
        role: Role::Claimant.as_str(),
        bank_code: None,
        lang: lang.code(),
        verified_at: None,
        now,
    };
    if let Err(e) = users::insert(&mut tx, &new).await {
        return match constraint_of(&e) {
            // The address has an account: the page answers as for a new
            // one (it must not tell who has an account) and the owner is
            // told instead.
            Some(c) if c.contains("email") => {
                drop(tx);
                let mut tx = state.db.begin().await?;
                let text = mails::register_existing(lang, &state.settings.public_url);
                mails::queue(&mut tx, email.as_str(), None, &text, now).await?;
                tx.commit().await?;
                Ok(id)
            }
            _ => Err(e.into()),
        };
    }
    send_token(&mut tx, state, id, email.as_str(), "verify", lang).await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes a single-use code and its mail in the caller's transaction (the
/// mail carries the code, never a link with it).
async fn send_token(
    tx: &mut Tx,
    state: &Core,
    user: Uuid,
    to: &str,
    purpose: &str,
    lang: Lang,
) -> Result<(), AppError> {
    let now = Utc::now();
    let (code, hash) = new_mail_code();
    let (ttl, text) = match purpose {
        "verify" => (
            VERIFY_TTL,
            mails::verify_email(lang, &state.settings.public_url, &code),
        ),
        _ => (
            RESET_TTL,
            mails::password_reset(lang, &state.settings.public_url, &code),
        ),
    };
    tokens::void_open(tx, user, purpose, now).await?;
    let selector = crate::auth::code_selector(&code);
    let stored = tokens::Code {
        hash: &hash,
        selector: &selector,
    };
    tokens::insert(tx, &stored, user, purpose, now + ttl, now).await?;
    mails::queue(tx, to, None, &text, now).await?;
    Ok(())
}

/// Whether a link is still good (to show the confirm button or an apology).
#[tracing::instrument(skip_all)]
pub async fn token_usable(state: &Core, token: &str, purpose: &str) -> Result<bool, AppError> {
    let mut tx = state.db.begin().await?;
    let ok = tokens::is_usable(&mut tx, &typed_code_hash(token), purpose, Utc::now()).await?;
    tx.commit().await?;
    Ok(ok)
}

#[tracing::instrument(skip_all)]
pub async fn verify_email(state: &Core, token: &str, ip: &str) -> Result<(), AppError> {
    let now = Utc::now();
    let ip_key = code_attempts(state, ip).await?;
    let mut tx = state.db.begin().await?;
    let Some(user) = tokens::consume(&mut tx, &typed_code_hash(token), "verify", now).await? else {
        drop(tx);
        return Err(wrong_code(state, token, "verify").await);
    };
    users::mark_verified(&mut tx, user, now).await?;
    tx.commit().await?;
    forget_attempt(state, &ip_key).await?;
    Ok(())
}

/// Mailed codes typed from one address: 10 in 15 minutes (each wrong one
/// also counts against the code its selector names; see `tokens`).
pub const CODE_PER_IP: crate::limits::Limit = crate::limits::Limit {
    max: 10,
    window: Duration::minutes(15),
};

/// Counts a typed code against the address's limit; returns the key (a
/// right code is un-counted).
async fn code_attempts(state: &Core, ip: &str) -> Result<String, AppError> {
    let key = format!("code:ip:{ip}");
    check_rate(state, &key, CODE_PER_IP).await?;
    Ok(key)
}

/// A wrong code: counted against the token its selector names (in a
/// transaction of its own, so the refusal does not undo it); the answer is
/// the same whatever the code was.
async fn wrong_code(state: &Core, typed: &str, purpose: &str) -> AppError {
    let counted = async {
        let mut tx = state.db.begin().await?;
        tokens::count_failure(&mut tx, &code_selector(typed), purpose, Utc::now()).await?;
        tx.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match counted {
        Ok(()) => AppError::field("token", "code_invalid"),
        Err(e) => e,
    }
}

/// Checks a login. Refuses with the same message whether the address is
/// unknown or the password wrong; counts every failure per account and per
/// IP. A disabled account with its right password is told it is disabled.
#[tracing::instrument(skip_all)]
pub async fn log_in(
    state: &Core,
    email: &str,
    password: &str,
    ip: &str,
) -> Result<PasswordChecked, AppError> {
    let email = Email::parse(email)
        .map(|e| e.as_str().to_owned())
        .unwrap_or_else(|_| email.trim().to_lowercase());
    let account_key = format!("login:acct:{email}");
    let ip_key = format!("login:ip:{ip}");
    check_rate(state, &ip_key, LOGIN_PER_IP).await?;
    check_rate(state, &account_key, LOGIN_PER_ACCOUNT).await?;
    let user = users::by_email(&state.db, &email).await?;
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.as_str())
        .unwrap_or(dummy_hash());
    let password_ok = verify_password(password, hash);
    // Who knows the password is told the account is disabled (and whom to
    // ask), not that the password is wrong; anyone else learns nothing.
    if password_ok && user.as_ref().is_some_and(|u| u.disabled_at.is_some()) {
        return Err(AppError::field("password", "login_disabled"));
    }
    let Some(user) = user.filter(|u| password_ok && u.disabled_at.is_none()) else {
        return Err(AppError::field("password", "login_failed"));
    };
    if user.email_verified_at.is_none() {
        return Err(AppError::field("email", "login_unverified"));
    }
    // A login that works does not count against the address (an office
    // of bank clerks shares one); failures keep counting.
    clear_rate(state, &account_key).await?;
    forget_attempt(state, &ip_key).await?;
    let role = Role::parse(&user.role).map_err(|_| anyhow::anyhow!("unknown role"))?;
    Ok(PasswordChecked {
        id: user.id,
        role,
        lang: Lang::parse(&user.lang).unwrap_or_default(),
        mfa_enrolled: user.mfa_enrolled_at.is_some(),
    })
}

/// A right password: who it is, and what the second step must be.
pub struct PasswordChecked {
    pub id: Uuid,
    pub role: Role,
    pub lang: Lang,
    pub mfa_enrolled: bool,
}

impl PasswordChecked {
    /// Where the login goes next: `None` when the password is enough (a
    /// claimant without a two-step login); else the code page, or the
    /// enrolment page for staff who have none yet.
    pub fn second_step(&self) -> Option<&'static str> {
        if self.mfa_enrolled {
            Some("/login/code")
        } else if self.role.is_staff() {
            Some("/mfa/setup")
        } else {
            None
        }
    }
}

/// Mails a reset link if the account exists; says the same either way.
#[tracing::instrument(skip_all)]
pub async fn request_reset(state: &Core, email: &str, lang: Lang) -> Result<(), AppError> {
    let email = Email::parse(email).map_err(|k| AppError::field("email", k))?;
    check_rate(
        state,
        &format!("reset:acct:{}", email.as_str()),
        RESET_PER_ACCOUNT,
    )
    .await?;
    let Some(user) = users::by_email(&state.db, email.as_str()).await? else {
        return Ok(());
    };
    if user.disabled_at.is_some() {
        return Ok(());
    }
    let lang = Lang::parse(&user.lang).unwrap_or(lang);
    let mut tx = state.db.begin().await?;
    send_token(&mut tx, state, user.id, &user.email, "reset", lang).await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn reset_password(
    state: &Core,
    token: &str,
    password: &str,
    ip: &str,
) -> Result<(), AppError> {
    set_password_with_code(state, "reset", token, password, ip).await
}

/// Sets a password with a mailed code of `purpose` (a reset, or a staff
/// invitation): the code is used once, and it proves the address too.
#[tracing::instrument(skip_all)]
pub async fn set_password_with_code(
    state: &Core,
    purpose: &str,
    token: &str,
    password: &str,
    ip: &str,
) -> Result<(), AppError> {
    let now = Utc::now();
    let ip_key = code_attempts(state, ip).await?;
    let mut tx = state.db.begin().await?;
    let Some(user_id) = tokens::consume(&mut tx, &typed_code_hash(token), purpose, now).await?
    else {
        drop(tx);
        return Err(wrong_code(state, token, purpose).await);
    };
    let user = users::by_id_tx(&mut tx, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_new_password(password, &user.email).map_err(|k| AppError::field("password", k))?;
    users::set_password(&mut tx, user_id, &hash_password(password)?).await?;
    users::mark_verified(&mut tx, user_id, now).await?;
    // Whoever held a session with the old password is logged out.
    users::end_sessions(&mut tx, user_id, None).await?;
    tx.commit().await?;
    forget_attempt(state, &ip_key).await?;
    Ok(())
}

/// Creates a staff (or any) account directly: the CLI and the demo seed.
#[tracing::instrument(skip_all)]
pub async fn create_user(
    state: &Core,
    email: &str,
    password: &str,
    role: Role,
    bank: Option<&str>,
) -> Result<Uuid, AppError> {
    let email = Email::parse(email).map_err(|k| AppError::field("email", k))?;
    check_new_password(password, email.as_str()).map_err(|k| AppError::field("password", k))?;
    if (role == Role::BankStaff) != bank.is_some() {
        return Err(AppError::field("bank", "bank_required"));
    }
    let id = Uuid::new_v4();
    let now = Utc::now();
    let hash = hash_password(password)?;
    let mut tx = state.db.begin().await?;
    let new = users::NewUser {
        id,
        email: email.as_str(),
        password_hash: &hash,
        role: role.as_str(),
        bank_code: bank,
        lang: Lang::Ja.code(),
        verified_at: Some(now),
        now,
    };
    if let Err(e) = users::insert(&mut tx, &new).await {
        return Err(match constraint_of(&e) {
            Some(c) if c.contains("email") => AppError::field("email", "email_taken"),
            _ if matches!(&e, sqlx::Error::Database(d) if d.is_foreign_key_violation()) => {
                AppError::field("bank", "bank_unknown")
            }
            _ => e.into(),
        });
    }
    tx.commit().await?;
    Ok(id)
}

/// Makes a bank user their bank's lead user (who manages its API keys).
#[tracing::instrument(skip_all)]
pub async fn make_bank_lead(state: &Core, user: Uuid) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    if !users::set_bank_lead(&mut tx, user, true).await? {
        return Err(AppError::field("role", "bank_lead_needs_bank"));
    }
    tx.commit().await?;
    Ok(())
}

/// Stores the language a user chose (their mails follow it).
#[tracing::instrument(skip_all)]
pub async fn set_language(state: &Core, user: Uuid, lang: Lang) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    users::set_lang(&mut tx, user, lang.code()).await?;
    tx.commit().await?;
    Ok(())
}
