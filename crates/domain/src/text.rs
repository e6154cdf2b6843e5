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

/// What every text field goes through first, at every boundary (the
/// claim form, the bank's form, an imported list, the API), in the browser
/// and on the server alike: Unicode NFKC (full-width letters and digits to
/// half-width, half-width katakana to full-width with its voiced marks
/// joined: `ﾀﾞ` is `ダ`), and white space (the ideographic space, runs)
/// folded to single spaces.
pub fn normalise(input: &str) -> String {
    collapse_spaces(&unicode_form(input, "NFKC"))
}

/// A Unicode normalisation form (`NFKC`, `NFD`) of `input`: by the
/// `unicode-normalization` crate on the server, by the browser's own
/// `String.prototype.normalize` in WebAssembly (the same algorithm; the
/// crate's tables would be most of the WebAssembly a phone downloads).
#[cfg(not(target_arch = "wasm32"))]
fn unicode_form(input: &str, form: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    match form {
        "NFD" => input.nfd().collect(),
        _ => input.nfkc().collect(),
    }
}

#[cfg(target_arch = "wasm32")]
fn unicode_form(input: &str, form: &str) -> String {
    String::from(js_sys::JsString::from(input).normalize(form))
}

/// Hiragana to katakana (`やまだ` → `ヤマダ`), everything else as it is.
pub fn to_katakana(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            // ぁ..ゖ and the iteration marks ゝゞ: katakana sit 0x60 above.
            '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}' => {
                char::from_u32(c as u32 + 0x60).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

/// A name's reading as banks hold it: [`normalise`]d, hiragana written in
/// katakana, and every dash people type after a kana (`-`, `‐`, `－`, `―`,
/// `−`, the half-width `ｰ`) read as the long-vowel mark `ー`.
pub fn kana_reading(input: &str) -> String {
    let text = to_katakana(&normalise(input));
    let mut out = String::with_capacity(text.len());
    let mut after_kana = false;
    for c in text.chars() {
        let dash = is_dash(c);
        if dash && after_kana {
            out.push('ー');
        } else {
            out.push(c);
        }
        after_kana = is_kana(c) || (dash && after_kana);
    }
    out
}

/// The dashes people type for the long-vowel mark (and the mark itself).
fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}')
}

fn is_kana(c: char) -> bool {
    ('\u{30A1}'..='\u{30FA}').contains(&c) || c == 'ー'
}

/// Two kana texts compared as bank systems keep them: after
/// [`kana_reading`], small kana read large (`ッ` as `ツ`), `ヴ` as `ブ`,
/// `ヂ` as `ジ`, `ヅ` as `ズ`, voiced and semi-voiced marks dropped (`ジ`
/// and `シ` alike), the
/// long-vowel mark and spaces ignored. `ﾄﾞｺﾓｺｳｻﾞ` and `ドコモコウザ` fold alike,
/// so do `ﾔﾏﾀﾞ ﾀﾛｳ` and `ヤマダ タロウ`. For comparing only: never stored.
pub fn kana_fold(input: &str) -> String {
    let folded: String = kana_reading(input)
        .chars()
        .map(|c| match c {
            'ヴ' => 'ブ',
            'ヂ' => 'ジ',
            'ヅ' => 'ズ',
            c => c,
        })
        .collect();
    let kept: String = unicode_form(&folded, "NFD")
        .chars()
        .filter_map(|c| match c {
            // the combining voiced and semi-voiced marks, the long-vowel
            // mark and any dash left where it did not follow a kana
            '\u{3099}' | '\u{309A}' => None,
            c if is_dash(c) => None,
            c if c.is_whitespace() => None,
            'ァ' => Some('ア'),
            'ィ' => Some('イ'),
            'ゥ' => Some('ウ'),
            'ェ' => Some('エ'),
            'ォ' => Some('オ'),
            'ッ' => Some('ツ'),
            'ャ' => Some('ヤ'),
            'ュ' => Some('ユ'),
            'ョ' => Some('ヨ'),
            'ヮ' => Some('ワ'),
            'ヵ' => Some('カ'),
            'ヶ' => Some('ケ'),
            c => Some(c),
        })
        .collect();
    // Dropping a space can leave a combining mark beside another base's
    // marks, out of their canonical order ("ῲ¸"): ordered again, folding
    // twice is folding once.
    unicode_form(&kept, "NFD")
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

    #[test]
    fn normalises_what_phones_and_bank_systems_write() {
        assert_eq!(normalise("ﾔﾏﾀﾞ　ﾀﾛｳ"), "ヤマダ タロウ");
        assert_eq!(normalise("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"), "パピプペポ");
        assert_eq!(normalise("１２３４　ＡＢＣ"), "1234 ABC");
        assert_eq!(normalise("  a \t  b "), "a b");
        // Already NFKC: unchanged.
        assert_eq!(normalise("ドコモ 口座"), "ドコモ 口座");
    }

    #[test]
    fn reads_a_name_as_banks_hold_it() {
        assert_eq!(kana_reading("やまだ　たろう"), "ヤマダ タロウ");
        assert_eq!(kana_reading("ｽｽﾞｷ ｲﾁﾛｰ"), "スズキ イチロー");
        assert_eq!(kana_reading("すずき いちろ-"), "スズキ イチロー");
        assert_eq!(kana_reading("イチロ－"), "イチロー");
        assert_eq!(kana_reading("イチロ―"), "イチロー");
        assert_eq!(kana_reading("いすゞ"), "イスヾ");
        // A dash that follows no kana is left for the name's own check.
        assert_eq!(kana_reading("-ヤマダ"), "-ヤマダ");
        assert_eq!(to_katakana("ぁゖゝゞ"), "ァヶヽヾ");
    }

    #[test]
    fn folds_kana_as_bank_systems_keep_them() {
        assert_eq!(kana_fold("ﾄﾞｺﾓｺｳｻﾞ"), kana_fold("ドコモコウザ"));
        assert_eq!(kana_fold("ﾔﾏﾀﾞ ﾀﾛｳ"), kana_fold("ヤマダ タロウ"));
        assert_eq!(kana_fold("ヤマダ タロウ"), kana_fold("やまだたろう"));
        assert_eq!(kana_fold("キャッシュ"), kana_fold("キヤツシユ"));
        assert_eq!(kana_fold("ヴァイオリン"), kana_fold("ブアイオリン"));
        assert_eq!(kana_fold("ヂヅ"), kana_fold("ジズ"));
        assert_eq!(kana_fold("ディーバライ"), kana_fold("デイバライ"));
        assert_eq!(kana_fold("ｻﾄｳ"), kana_fold("サトウ"));
        assert_ne!(kana_fold("サトウ"), kana_fold("カトウ"));
        assert_ne!(kana_fold("ヤマダ"), kana_fold("ヤマモト"));
    }

    proptest::proptest! {
        /// Normalising twice is normalising once, for any text at all.
        #[test]
        fn normalising_is_idempotent(s in "\\PC{0,40}") {
            let once = normalise(&s);
            proptest::prop_assert_eq!(normalise(&once), once.clone());
            let reading = kana_reading(&s);
            proptest::prop_assert_eq!(kana_reading(&reading), reading.clone());
            let folded = kana_fold(&s);
            proptest::prop_assert_eq!(kana_fold(&folded), folded);
        }

        /// Half-width katakana and hiragana read as the full-width katakana
        /// they stand for, character for character.
        #[test]
        fn every_kana_form_reads_alike(words in proptest::collection::vec("[ア-ヶ]{1,8}", 1..4)) {
            let katakana = words.join(" ");
            let hiragana: String = katakana.chars().map(|c| match c {
                'ア'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap(),
                c => c,
            }).collect();
            proptest::prop_assert_eq!(kana_reading(&hiragana), kana_reading(&katakana));
            proptest::prop_assert_eq!(kana_fold(&hiragana), kana_fold(&katakana));
        }
    }
}
