//! The password policy for every account (NIST SP 800-63B style): length,
//! not one of the 1,000 most common passwords, not the e-mail address.

/// The 1,000 most common passwords, ranked, from the zxcvbn data set (MIT).
const COMMON: &str = include_str!("common_passwords.txt");

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

/// Checks a new password. The password itself is never stored or logged here.
pub fn check_new_password(password: &str, email: &str) -> Result<(), &'static str> {
    let chars = password.chars().count();
    if chars == 0 {
        return Err("password_required");
    }
    if chars < MIN_CHARS {
        return Err("password_too_short");
    }
    if chars > MAX_CHARS {
        return Err("password_too_long");
    }
    let lower = password.to_lowercase();
    if COMMON.lines().any(|w| w == lower) {
        return Err("password_common");
    }
    if !email.is_empty()
        && (lower == email.to_lowercase()
            || email.to_lowercase().split('@').next() == Some(lower.as_str()))
    {
        return Err("password_is_email");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_a_thousand() {
        assert_eq!(COMMON.lines().count(), 1000);
    }

    #[test]
    fn policy() {
        assert_eq!(check_new_password("", "a@b.jp"), Err("password_required"));
        assert_eq!(
            check_new_password("short", "a@b.jp"),
            Err("password_too_short")
        );
        assert_eq!(
            check_new_password(&"x".repeat(129), "a@b.jp"),
            Err("password_too_long")
        );
        assert_eq!(
            check_new_password("password", "a@b.jp"),
            Err("password_common")
        );
        assert_eq!(
            check_new_password("Password1", "a@b.jp"),
            Err("password_common")
        );
        assert_eq!(
            check_new_password("hanako.tanaka", "hanako.tanaka@example.jp"),
            Err("password_is_email")
        );
        assert_eq!(
            check_new_password("correct horse battery", "a@b.jp"),
            Ok(())
        );
        // 8 multi-byte characters are 8 characters, not 24 bytes.
        assert_eq!(check_new_password("あいうえおかきく", "a@b.jp"), Ok(()));
        assert_eq!(check_new_password(&"あ".repeat(128), "a@b.jp"), Ok(()));
    }
}
