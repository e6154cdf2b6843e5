//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP, HMAC-SHA-1,
//! 6 digits, 30-second steps): what an authenticator app shows, and the
//! rules for accepting one. Pure: the caller brings the time and the secret.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Digits in a code.
pub const DIGITS: u32 = 6;
/// Steps either side of now that are still accepted (a phone's clock drifts,
/// and a person takes time to type).
pub const WINDOW: i64 = 1;
/// Bytes in a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// The step a moment (seconds since 1970) falls in.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The code for one step (RFC 4226 §5.3: dynamic truncation).
pub fn code_at(secret: &[u8], step: i64) -> u32 {
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(&(step as u64).to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    bin % 10u32.pow(DIGITS)
}

/// The code shown as an app shows it: six digits, leading zeros kept.
pub fn format_code(code: u32) -> String {
    format!("{code:06}")
}

/// A typed code: six digits, spaces and hyphens ignored, full-width digits
/// read as digits. `None` for anything else (it may be a recovery code).
pub fn parse_code(input: &str) -> Option<u32> {
    let digits: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != 'ー')
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            other => other,
        })
        .collect();
    if digits.len() == DIGITS as usize && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()
    } else {
        None
    }
}

/// The step a typed code belongs to, if it matches one within the window
/// around `now_step` that comes after `last_used` (a code is accepted once:
/// its step and every step before it are spent).
pub fn matching_step(
    secret: &[u8],
    code: u32,
    now_step: i64,
    last_used: Option<i64>,
) -> Option<i64> {
    (now_step - WINDOW..=now_step + WINDOW)
        .filter(|s| last_used.is_none_or(|last| *s > last))
        .find(|s| code_at(secret, *s) == code)
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding: the "manual key" people type into an app.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u64 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u64::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Reads a base32 key (any case, spaces and `=` ignored).
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u64 = 0;
    let mut bits = 0;
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let c = c.to_ascii_uppercase() as u8;
        let value = BASE32.iter().position(|&x| x == c)? as u64;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The key shown for typing: groups of four.
pub fn grouped(key: &str) -> String {
    key.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `otpauth://` address a QR code carries (Google Authenticator's key
/// URI format, understood by every app).
pub fn otpauth_uri(issuer: &str, account: &str, key: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={key}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_sha1_test_vectors() {
        // RFC 6238 appendix B gives 8 digits; an app shows the last 6.
        for (time, eight) in [
            (59, 94_287_082u32),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            assert_eq!(
                code_at(RFC_SECRET, step_at(time)),
                eight % 1_000_000,
                "at {time}"
            );
        }
    }

    #[test]
    fn rfc_4226_hotp_test_vectors() {
        let expected = [
            755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871,
            520_489,
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(code_at(RFC_SECRET, counter as i64), *code);
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(
            base32_encode(RFC_SECRET),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("mzxw 6ytb oi======").unwrap(), b"foobar");
        assert_eq!(
            base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap(),
            RFC_SECRET
        );
        assert!(base32_decode("not base32!").is_none());
        for n in 0..40 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(base32_decode(&base32_encode(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn typed_codes_are_read_leniently_and_nothing_else_is_a_code() {
        assert_eq!(parse_code("123456"), Some(123_456));
        assert_eq!(parse_code(" 012 345 "), Some(12_345));
        assert_eq!(parse_code("０１２３４５"), Some(12_345));
        assert_eq!(parse_code("012-345"), Some(12_345));
        assert_eq!(parse_code("12345"), None);
        assert_eq!(parse_code("1234567"), None);
        assert_eq!(parse_code("ACDE-FGHJ-KMNP"), None);
        assert_eq!(format_code(12_345), "012345");
    }

    #[test]
    fn a_code_is_accepted_once_within_the_window() {
        let now = step_at(1_234_567_890);
        let code = code_at(RFC_SECRET, now);
        assert_eq!(matching_step(RFC_SECRET, code, now, None), Some(now));
        // The same code again: its step is spent.
        assert_eq!(matching_step(RFC_SECRET, code, now, Some(now)), None);
        // The previous and next steps are accepted, further ones are not.
        let prev = code_at(RFC_SECRET, now - 1);
        let next = code_at(RFC_SECRET, now + 1);
        assert_eq!(matching_step(RFC_SECRET, prev, now, None), Some(now - 1));
        assert_eq!(
            matching_step(RFC_SECRET, next, now, Some(now)),
            Some(now + 1)
        );
        assert_eq!(matching_step(RFC_SECRET, prev, now, Some(now - 1)), None);
        let far = code_at(RFC_SECRET, now + 2);
        assert_eq!(matching_step(RFC_SECRET, far, now, None), None);
    }

    #[test]
    fn the_key_uri_names_the_issuer_and_account() {
        let uri = otpauth_uri("Redress", "reviewer@redress.example", "GEZDGNBV");
        assert_eq!(
            uri,
            "otpauth://totp/Redress:reviewer@redress.example?secret=GEZDGNBV&issuer=Redress&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(grouped("GEZDGNBVGY"), "GEZD GNBV GY");
    }
}
