//! Passwords, single-use tokens, the user behind a login and the login
//! rows (what the web edge's session points at).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::db::Db;
use super::error::AppError;
use super::state::Core;
use super::store::login_sessions;
use crate::domain::Role;
use crate::i18n::Lang;

/// How stale a login's "last seen" may get before a request writes it again.
const TOUCH_AFTER_SECONDS: i64 = 300;

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

/// What a session's login comes to on this request.
#[derive(Debug)]
pub enum Held {
    /// Nobody: the login was ended (log out, ended from the account page, a
    /// credential event), passed its absolute lifetime, its account was
    /// disabled, or a staff member's two-step login was reset. The session
    /// is to be deleted.
    Ended,
    /// A login whose address is not verified yet: nobody, for now.
    Unverified,
    Live(CurrentUser),
}

/// Checks a session's login against the database on every request (a
/// disabled account stops working at once) and, at most every five
/// minutes, writes when it was last seen.
#[tracing::instrument(skip_all, fields(user = %id))]
pub async fn held_login(db: &Db, id: Uuid, login: Option<Uuid>) -> Result<Held, AppError> {
    // A session from before logins had rows (or a planted one) has no login.
    let held = match login {
        Some(login) => login_sessions::held(db, id, login).await?,
        None => None,
    };
    let now = chrono::Utc::now();
    let Some(held) = held.filter(|h| {
        h.live(now)
            && h.user.disabled_at.is_none()
            && Role::parse(&h.user.role)
                .is_ok_and(|r| !r.is_staff() || h.user.mfa_enrolled_at.is_some())
    }) else {
        return Ok(Held::Ended);
    };
    let row = held.user;
    let role = Role::parse(&row.role).map_err(|_| anyhow::anyhow!("unknown role in database"))?;
    if row.email_verified_at.is_none() {
        return Ok(Held::Unverified);
    }
    if let Some(login) = login
        && (now - held.login_last_seen_at).num_seconds() > TOUCH_AFTER_SECONDS
    {
        let mut tx = db.begin().await?;
        login_sessions::touch(&mut tx, login, now).await?;
        tx.commit().await?;
    }
    Ok(Held::Live(CurrentUser {
        id: row.id,
        email: row.email,
        role,
        bank_code: row.bank_code,
        bank_lead: row.bank_lead,
        lang: Lang::parse(&row.lang).unwrap_or_default(),
    }))
}

/// Opens a login row (what the account page lists and every revocation
/// ends) expiring after the role's absolute lifetime; returns its id.
#[tracing::instrument(skip_all, fields(user = %user_id))]
pub async fn open_login(
    core: &Core,
    user_id: Uuid,
    role: Role,
    user_agent: &str,
    ip: &str,
) -> Result<Uuid, AppError> {
    let now = chrono::Utc::now();
    let lifetime = if role.is_staff() {
        core.settings.staff_session_lifetime
    } else {
        core.settings.claimant_session_lifetime
    };
    let login = Uuid::new_v4();
    let user_agent: String = user_agent
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let mut tx = core.db.begin().await?;
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
            ip,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(login)
}

/// Ends one login of a user (logging out).
#[tracing::instrument(skip_all, fields(user = %user))]
pub async fn end_login(db: &Db, user: Uuid, login: Uuid) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    login_sessions::end_one(&mut tx, user, login, chrono::Utc::now()).await?;
    tx.commit().await?;
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

/// Who is logged in, read once per request: every server function and
/// guard of one page view shares the first reading (the session's login row
/// and the account, one query) instead of reading it again. A layer puts a
/// fresh one in each request's extensions; nothing outlives the request, so
/// an ended login or a changed role shows on the next request of every
/// process at once.
#[derive(Clone, Debug, Default)]
pub struct UserMemo(std::sync::Arc<tokio::sync::OnceCell<Option<CurrentUser>>>);

impl UserMemo {
    /// The memo's reading, or `read`'s (kept for the rest of the request).
    ///
    /// The reading runs in a task of its own: a caller dropped half way
    /// (Leptos's `Suspense` runs a page's futures more than once in SSR and
    /// drops the first) does not cancel it, so the next caller waits for it
    /// instead of reading the session and the user again.
    pub async fn get_or_read<F, E>(&self, read: F) -> Result<Option<CurrentUser>, E>
    where
        F: std::future::Future<Output = Result<Option<CurrentUser>, E>> + Send + 'static,
        E: Send + 'static,
    {
        if let Some(user) = self.0.get() {
            return Ok(user.clone());
        }
        let cell = self.0.clone();
        match tokio::spawn(async move { cell.get_or_try_init(|| read).await.cloned() }).await {
            Ok(read) => read,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
}
