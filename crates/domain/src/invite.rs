//! The one-time claim code printed on an invitation letter: twelve letters
//! and digits that cannot be mistaken for one another, in groups of four.

/// No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read aloud or copied by hand survives.
pub const ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY34679";
pub const LENGTH: usize = 12;

/// The code as printed: `ACDE-FGHJ-KMNP`.
pub fn format_code(raw: &str) -> String {
    raw.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The code as typed (any case, full-width, spaces or hyphens) in its one
/// stored form, or why not.
pub fn normalise_code(input: &str) -> Result<String, &'static str> {
    let text: String = super::text::to_half_width_ascii(input)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != 'ー' && *c != '−')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if text.is_empty() {
        return Err("claim_code_required");
    }
    if text.len() != LENGTH || !text.bytes().all(|b| ALPHABET.contains(&b)) {
        return Err("claim_code_invalid");
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_survive_how_people_type_them() {
        assert_eq!(format_code("ACDEFGHJKMNP"), "ACDE-FGHJ-KMNP");
        assert_eq!(
            normalise_code(" acde-fghj-kmnp "),
            Ok("ACDEFGHJKMNP".into())
        );
        assert_eq!(
            normalise_code("ＡＣＤＥ ＦＧＨＪ ＫＭＮＰ"),
            Ok("ACDEFGHJKMNP".into())
        );
        assert_eq!(normalise_code(""), Err("claim_code_required"));
        assert_eq!(normalise_code("ACDE-FGHJ-KMN0"), Err("claim_code_invalid"));
        assert_eq!(normalise_code("ACDE"), Err("claim_code_invalid"));
    }
}
