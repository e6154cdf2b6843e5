//! Passwords, single-use tokens, the session and the one guard every server
//! function and handler calls.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tower_sessions::Session;
use uuid::Uuid;

use super::db::Db;
use super::error::AppError;
use super::state::AppState;
use super::store::login_sessions;
use crate::domain::Role;
use crate::i18n::Lang;

const SESSION_USER: &str = "uid";
/// This login's row in `login_sessions` (what ends it, and when it expires).
const SESSION_LOGIN: &str = "login";
/// How stale a login's "last seen" may get before a request writes it again.
const TOUCH_AFTER_SECONDS: i64 = 300;
/// A password checked, the second step not yet: who, and since when.
const SESSION_PENDING: &str = "mfa_uid";
const SESSION_PENDING_AT: &str = "mfa_at";
/// The key being enrolled, between the page that shows it and the code.
const SESSION_NEW_KEY: &str = "mfa_key";
/// Recovery codes waiting to be shown once.
const SESSION_CODES: &str = "mfa_codes";
/// How long the second step may wait after the password.
const PENDING_SECONDS: i64 = 600;

/// Set by the test harness only, and only in a debug build: see `hasher`.
static CHEAP_FOR_TESTS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The integration tests' harness makes new hashes cheap (256 KiB, one
/// pass): hundreds of accounts are made and logged in, and the full cost
/// was a quarter of the suite's time. A release build has no way to do it:
/// this function is not compiled there.
#[cfg(debug_assertions)]
pub fn cheap_hashing_for_tests() {
    CHEAP_FOR_TESTS.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes): OWASP's minimum.
/// Verifying reads the parameters from the stored hash, so hashes made
/// either way verify.
fn hasher() -> Argon2<'static> {
    if cfg!(debug_assertions) && CHEAP_FOR_TESTS.load(std::sync::atomic::Ordering::Relaxed) {
        let cheap = argon2::Params::new(256, 1, 1, None).unwrap_or_default();
        Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, cheap)
    } else {
        Argon2::default()
    }
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so that a
/// wrong address takes as long to refuse as a wrong password.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not a real password, only for timing").unwrap_or_default())
}

/// A new random token (for a link) and the hash we store of it.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// A one-time code to type from a mail (the invitation letters' alphabet:
/// twelve characters no one misreads, ~55 bits): the code as shown, and its
/// hash (only the hash is stored).
pub fn new_mail_code() -> (String, String) {
    use crate::domain::invite::{ALPHABET, LENGTH, format_code};
    use rand::Rng;
    let mut rng = rand::thread_rng();
    let raw: String = (0..LENGTH)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    (format_code(&raw), token_hash(&raw))
}

/// The hash of a code as someone typed it (any case, spaces, hyphens,
/// full-width); anything not shaped like a code is hashed as it is.
pub fn typed_code_hash(input: &str) -> String {
    match crate::domain::invite::normalise_code(input) {
        Ok(code) => token_hash(&code),
        Err(_) => token_hash(input),
    }
}

/// How many leading characters of a mailed code select its token (not
/// secret: the rest, ~37 bits, is what proves it).
pub const SELECTOR_CHARS: usize = 4;

/// The selector of a code as shown or as typed ("" when it is not shaped
/// like a code).
pub fn code_selector(input: &str) -> String {
    crate::domain::invite::normalise_code(input)
        .map(|c| c.chars().take(SELECTOR_CHARS).collect())
        .unwrap_or_default()
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// The user behind a request, loaded from the database on every request (a
/// disabled account stops working at once).
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub bank_code: Option<String>,
    /// A bank's lead user also manages the bank's API keys.
    pub bank_lead: bool,
    pub lang: Lang,
}

impl CurrentUser {
    /// The bank a bank_staff user is bound to (a schema check guarantees one).
    pub fn bank(&self) -> Result<&str, AppError> {
        self.bank_code.as_deref().ok_or(AppError::Forbidden)
    }
}

pub async fn current_user(session: &Session, db: &Db) -> Result<Option<CurrentUser>, AppError> {
    let Some(id) = session
        .get::<Uuid>(SESSION_USER)
        .await
        .map_err(session_err)?
    else {
        return Ok(None);
    };
    // A session from before logins had rows (or a planted one) has no login.
    let login = session
        .get::<Uuid>(SESSION_LOGIN)
        .await
        .map_err(session_err)?;
    let held = match login {
        Some(login) => login_sessions::held(db, id, login).await?,
        None => None,
    };
    let now = chrono::Utc::now();
    // The login ends here, whatever it was doing, when it was ended (log
    // out, ended from the account page, a credential event) or has passed
    // its absolute lifetime; so does a disabled account's, and a staff
    // member's whose two-step login an admin has reset.
    let Some(held) = held.filter(|h| {
        h.live(now)
            && h.user.disabled_at.is_none()
            && Role::parse(&h.user.role)
                .is_ok_and(|r| !r.is_staff() || h.user.mfa_enrolled_at.is_some())
    }) else {
        let _ = session.flush().await;
        return Ok(None);
    };
    let row = held.user;
    let role = Role::parse(&row.role).map_err(|_| anyhow::anyhow!("unknown role in database"))?;
    if row.email_verified_at.is_none() {
        return Ok(None);
    }
    if let Some(login) = login
        && (now - held.login_last_seen_at).num_seconds() > TOUCH_AFTER_SECONDS
    {
        let mut tx = db.begin().await?;
        login_sessions::touch(&mut tx, login, now).await?;
        tx.commit().await?;
    }
    // The idle timeout slides: every request of a logged-in user moves the
    // session's end to a whole period from now (the store writes that at
    // most once a minute; see `server::sessions`).
    session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(
        time::Duration::minutes(role.idle_timeout_minutes()),
    )));
    Ok(Some(CurrentUser {
        id: row.id,
        email: row.email,
        role,
        bank_code: row.bank_code,
        bank_lead: row.bank_lead,
        lang: Lang::parse(&row.lang).unwrap_or_default(),
    }))
}

/// This session's login, if it has one (the account page marks it).
pub async fn login_id(session: &Session) -> Result<Option<Uuid>, AppError> {
    session
        .get::<Uuid>(SESSION_LOGIN)
        .await
        .map_err(session_err)
}

/// The guard: the logged-in user if their role is one of `roles`, else an
/// error (401 when nobody is logged in, 403 for the wrong role). It returns;
/// it never redirects.
pub async fn require(session: &Session, db: &Db, roles: &[Role]) -> Result<CurrentUser, AppError> {
    let user = current_user(session, db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if roles.contains(&user.role) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Starts an authenticated session: a new session id (so a planted id is
/// worthless), a login row (what the account page lists and every
/// revocation ends) expiring after the role's absolute lifetime, the user's
/// id, and the idle timeout of their role.
pub async fn log_in(
    state: &AppState,
    session: &Session,
    parts: &axum::http::request::Parts,
    user_id: Uuid,
    role: Role,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_err)?;
    let now = chrono::Utc::now();
    let lifetime = if role.is_staff() {
        state.settings.staff_session_lifetime
    } else {
        state.settings.claimant_session_lifetime
    };
    let login = Uuid::new_v4();
    let user_agent: String = parts
        .headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let mut tx = state.db.begin().await?;
    login_sessions::insert(
        &mut tx,
        &login_sessions::NewLogin {
            id: login,
            user_id,
            now,
            expires_at: now
                + chrono::Duration::from_std(lifetime)
                    .map_err(|e| anyhow::anyhow!("session lifetime: {e}"))?,
            user_agent: &user_agent,
            ip: &state.settings.client_ip(parts),
        },
    )
    .await?;
    tx.commit().await?;
    session
        .insert(SESSION_USER, user_id)
        .await
        .map_err(session_err)?;
    session
        .insert(SESSION_LOGIN, login)
        .await
        .map_err(session_err)?;
    session
        .remove_value(SESSION_PENDING)
        .await
        .map_err(session_err)?;
    session
        .remove_value(SESSION_PENDING_AT)
        .await
        .map_err(session_err)?;
    session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(
        time::Duration::minutes(role.idle_timeout_minutes()),
    )));
    Ok(())
}

fn session_err(e: tower_sessions::session::Error) -> AppError {
    anyhow::anyhow!("session: {e}").into()
}

/// The password was right and a second step is due: a new session id that
/// holds only who is half-way in (the guard sees nobody yet).
pub async fn begin_second_step(session: &Session, user_id: Uuid) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_err)?;
    session
        .remove_value(SESSION_USER)
        .await
        .map_err(session_err)?;
    session
        .insert(SESSION_PENDING, user_id)
        .await
        .map_err(session_err)?;
    session
        .insert(SESSION_PENDING_AT, chrono::Utc::now().timestamp())
        .await
        .map_err(session_err)?;
    session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(
        time::Duration::seconds(PENDING_SECONDS),
    )));
    Ok(())
}

/// Who typed their password in this session in the last ten minutes and
/// still owes the second step.
pub async fn pending_user(session: &Session) -> Result<Option<Uuid>, AppError> {
    let at: Option<i64> = session.get(SESSION_PENDING_AT).await.map_err(session_err)?;
    if at.is_none_or(|at| chrono::Utc::now().timestamp() - at > PENDING_SECONDS) {
        return Ok(None);
    }
    session.get(SESSION_PENDING).await.map_err(session_err)
}

/// The key offered for enrolment in this session (a new one the first time).
pub async fn enrolment_key(
    session: &Session,
    fresh: impl FnOnce() -> String,
) -> Result<String, AppError> {
    if let Some(key) = session
        .get::<String>(SESSION_NEW_KEY)
        .await
        .map_err(session_err)?
    {
        return Ok(key);
    }
    let key = fresh();
    session
        .insert(SESSION_NEW_KEY, &key)
        .await
        .map_err(session_err)?;
    Ok(key)
}

/// The key offered, if any (the enrolment form posts against it).
pub async fn offered_key(session: &Session) -> Result<Option<String>, AppError> {
    session.get(SESSION_NEW_KEY).await.map_err(session_err)
}

/// Keeps the recovery codes for the page that shows them once.
pub async fn keep_codes(session: &Session, codes: &[String]) -> Result<(), AppError> {
    session
        .remove_value(SESSION_NEW_KEY)
        .await
        .map_err(session_err)?;
    session
        .insert(SESSION_CODES, codes)
        .await
        .map_err(session_err)
}

/// The recovery codes, taken out of the session: a second look finds none.
pub async fn take_codes(session: &Session) -> Result<Vec<String>, AppError> {
    Ok(session
        .remove::<Vec<String>>(SESSION_CODES)
        .await
        .map_err(session_err)?
        .unwrap_or_default())
}

/// Ends the session: its login row is ended (every process refuses it
/// from now on) and the session deleted on the server.
pub async fn log_out(session: &Session, db: &Db) -> Result<(), AppError> {
    if let (Some(user), Some(login)) = (
        session
            .get::<Uuid>(SESSION_USER)
            .await
            .map_err(session_err)?,
        login_id(session).await?,
    ) {
        let mut tx = db.begin().await?;
        login_sessions::end_one(&mut tx, user, login, chrono::Utc::now()).await?;
        tx.commit().await?;
    }
    session.flush().await.map_err(session_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        // The product's cost (the unit tests never set the cheap one).
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), ha);
        assert_ne!(a, ha);
    }
}
