//! Two-step login (TOTP, RFC 6238): every staff account enrols before its
//! first action, a claimant may. A code is accepted once (its time step is
//! spent); recovery codes are shown once, stored hashed and used once; code
//! attempts are throttled per account.

use chrono::Utc;
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::{CurrentUser, new_mail_code, typed_code_hash};
use crate::domain::{FieldErrors, totp};
use crate::error::AppError;
use crate::limits::{Limit, check_rate, clear_rate};
use crate::state::Core;
use crate::store::{mfa, users};

/// Recovery codes issued at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// Wrong codes allowed per account before a pause (then the oldest attempt
/// must age out of the window).
pub const CODES_PER_ACCOUNT: Limit = Limit {
    max: 5,
    window: chrono::Duration::minutes(15),
};
/// The name authenticator apps show beside the account.
pub const ISSUER: &str = "Redress";

/// What the enrolment page shows: the key to type, and the same key as a QR
/// code (the `otpauth://` address, drawn as SVG on the server).
pub struct Enrolment {
    pub key: String,
    pub uri: String,
    pub qr_svg: String,
}

/// A new random key (160 bits, base32).
pub fn new_key() -> String {
    let mut bytes = [0u8; totp::SECRET_BYTES];
    rand::thread_rng().fill_bytes(&mut bytes);
    totp::base32_encode(&bytes)
}

/// The demo accounts' keys, derived from their address so that `make run`
/// can print them and the tests can compute codes. Used by the demo data only.
pub fn demo_key(email: &str) -> String {
    let digest = Sha256::digest(format!("redress-demo-mfa:{email}").as_bytes());
    totp::base32_encode(&digest[..totp::SECRET_BYTES])
}

pub fn enrolment(key: &str, email: &str) -> Result<Enrolment, AppError> {
    let uri = totp::otpauth_uri(ISSUER, email, key);
    let qr = qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| anyhow::anyhow!("QR code: {e}"))?;
    let svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // The XML declaration is for files; inside a page it is noise.
    let qr_svg = match svg.find("<svg") {
        Some(i) => svg[i..].to_owned(),
        None => svg,
    };
    Ok(Enrolment {
        key: key.to_owned(),
        uri,
        qr_svg,
    })
}

fn now_step() -> i64 {
    totp::step_at(Utc::now().timestamp())
}

fn wrong_code() -> AppError {
    AppError::field("code", "mfa_code_wrong")
}

/// Confirms enrolment with the first code from the app: stores the key and
/// returns the recovery codes (the only time they exist in clear).
#[tracing::instrument(skip_all, fields(user = %user))]
pub async fn enrol(
    state: &Core,
    user: Uuid,
    key: &str,
    code: &str,
) -> Result<Vec<String>, AppError> {
    let rate_key = format!("mfa:{user}");
    check_rate(state, &rate_key, CODES_PER_ACCOUNT).await?;
    let secret =
        totp::base32_decode(key).ok_or_else(|| anyhow::anyhow!("a stored key is not base32"))?;
    let Some(code) = totp::parse_code(code) else {
        let mut errors = FieldErrors::new();
        errors.add("code", "mfa_code_format");
        return Err(AppError::Invalid(errors));
    };
    let step = totp::matching_step(&secret, code, now_step(), None).ok_or_else(wrong_code)?;
    let codes: Vec<(String, String)> = (0..RECOVERY_CODES).map(|_| new_mail_code()).collect();
    let hashes: Vec<String> = codes.iter().map(|(_, h)| h.clone()).collect();
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    if !mfa::enrol(&mut tx, user, key, step, now).await? {
        return Err(AppError::Conflict("mfa_already_on"));
    }
    mfa::replace_recovery(&mut tx, user, &hashes, now).await?;
    tx.commit().await?;
    clear_rate(state, &rate_key).await?;
    Ok(codes.into_iter().map(|(shown, _)| shown).collect())
}

/// New recovery codes for an account with a two-step login (the old ones
/// stop working); returned to be shown once.
#[tracing::instrument(skip_all)]
pub async fn replace_recovery_codes(state: &Core, user: Uuid) -> Result<Vec<String>, AppError> {
    if mfa::secret(&state.db, user).await?.is_none() {
        return Err(AppError::Conflict("no_recovery_codes"));
    }
    let codes: Vec<(String, String)> = (0..RECOVERY_CODES).map(|_| new_mail_code()).collect();
    let hashes: Vec<String> = codes.iter().map(|(_, h)| h.clone()).collect();
    let mut tx = state.db.begin().await?;
    mfa::replace_recovery(&mut tx, user, &hashes, Utc::now()).await?;
    tx.commit().await?;
    Ok(codes.into_iter().map(|(shown, _)| shown).collect())
}

/// Checks the second step of a login: a code from the app (accepted once)
/// or an unused recovery code (then spent).
#[tracing::instrument(skip_all, fields(user = %user))]
pub async fn verify(state: &Core, user: Uuid, input: &str) -> Result<(), AppError> {
    let rate_key = format!("mfa:{user}");
    check_rate(state, &rate_key, CODES_PER_ACCOUNT).await?;
    if input.trim().is_empty() {
        return Err(AppError::field("code", "mfa_code_missing"));
    }
    let secret = mfa::secret(&state.db, user).await?.ok_or_else(wrong_code)?;
    let mut tx = state.db.begin().await?;
    let accepted = match totp::parse_code(input) {
        Some(code) => {
            let key = totp::base32_decode(&secret.key)
                .ok_or_else(|| anyhow::anyhow!("a stored key is not base32"))?;
            match totp::matching_step(&key, code, now_step(), secret.last_step) {
                Some(step) => mfa::spend_step(&mut tx, user, step).await?,
                None => false,
            }
        }
        None => mfa::use_recovery(&mut tx, user, &typed_code_hash(input), Utc::now()).await?,
    };
    if !accepted {
        return Err(wrong_code());
    }
    tx.commit().await?;
    clear_rate(state, &rate_key).await?;
    Ok(())
}

/// Whether the account has a two-step login, and how many recovery codes
/// are left.
#[tracing::instrument(skip_all)]
pub async fn status(state: &Core, user: Uuid) -> Result<(bool, i64), AppError> {
    let on = mfa::secret(&state.db, user).await?.is_some();
    let left = if on {
        mfa::recovery_left(&state.db, user).await?
    } else {
        0
    };
    Ok((on, left))
}

/// An admin forgets someone's two-step login (a lost phone): a staff
/// member's sessions end at once (the guard refuses staff without it) and
/// they enrol again at their next login. Recorded as an admin action.
#[tracing::instrument(skip_all, fields(user = %admin.id))]
pub async fn reset(state: &Core, admin: &CurrentUser, id: &str) -> Result<(), AppError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    if id == admin.id {
        return Err(AppError::Conflict("not_yourself"));
    }
    let target = users::listed(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    if !mfa::reset(&mut tx, id).await? {
        return Err(AppError::Conflict("mfa_not_on"));
    }
    users::record_admin_action(&mut tx, admin.id, "mfa_reset", id, &target.role, now).await?;
    users::end_sessions(&mut tx, id, None).await?;
    tx.commit().await?;
    Ok(())
}

/// The demo's accounts other than the claimant start enrolled with their
/// demo key (printed by `make run`).
#[tracing::instrument(skip_all)]
pub async fn enrol_demo(state: &Core, user: Uuid, email: &str) -> Result<(), AppError> {
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    // Step 0: every real code comes after it.
    mfa::enrol(&mut tx, user, &demo_key(email), 0, now).await?;
    tx.commit().await?;
    Ok(())
}
