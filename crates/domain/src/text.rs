//! Small text normalisations shared by the parsers.

/// Full-width ASCII (digits, letters, symbols) to half-width, and the
/// ideographic space to a plain space. Japanese phones and IMEs often type
/// `１２３` where we need `123`.
pub fn to_half_width_ascii(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Trims and folds runs of white space into one ASCII space.
pub fn collapse_spaces(input: &str) -> String {
    input.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True when the text holds a control character (tabs and newlines included):
/// single-line fields never legitimately contain one.
pub fn has_control(input: &str) -> bool {
    input.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_digits_and_spaces() {
        assert_eq!(to_half_width_ascii("１２３　ＡＢＣ－"), "123 ABC-");
        assert_eq!(collapse_spaces("  ヤマダ 　 タロウ "), "ヤマダ タロウ");
        assert!(has_control("a\tb"));
        assert!(!has_control("山田 太郎"));
    }
}
