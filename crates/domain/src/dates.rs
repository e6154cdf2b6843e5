//! Dates as Japanese people and bank systems write them: `2020-09-07`,
//! `2020/9/7`, `20200907`, `2020年9月7日`, in the Japanese era (`令和2年9月7日`,
//! `R2.9.7`, `令和元年`), and Excel's serial day numbers.

use chrono::{Datelike, Duration, NaiveDate};

use super::text::normalise;

/// The eras of the modern calendar: the name, its Latin initial, the day it
/// began (the last day of the one before is the day before).
const ERAS: [(&str, char, (i32, u32, u32)); 5] = [
    ("令和", 'R', (2019, 5, 1)),
    ("平成", 'H', (1989, 1, 8)),
    ("昭和", 'S', (1926, 12, 25)),
    ("大正", 'T', (1912, 7, 30)),
    ("明治", 'M', (1868, 10, 23)),
];

fn era_start(i: usize) -> NaiveDate {
    let (y, m, d) = ERAS[i].2;
    NaiveDate::from_ymd_opt(y, m, d).expect("a real day")
}

/// How a date was written, when it was not the plain `2020-09-07`: what an
/// import report names as the conversion it made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    Plain,
    /// `令和2年9月7日`, `R2.9.7`.
    Era,
    /// `20200907`.
    Compact,
    /// An Excel serial day number (`44081`).
    ExcelSerial,
}

/// Parses a day written any of the ways above (full-width digits too).
/// `None` for anything else, and for a day that does not exist (`2月30日`,
/// `平成31年5月1日`: that day was 令和元年).
pub fn parse_day(input: &str) -> Option<(NaiveDate, Written)> {
    let text = normalise(input);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some(day) = era_day(text) {
        return Some((day, Written::Era));
    }
    let digits = text.chars().all(|c| c.is_ascii_digit());
    if digits && text.len() == 8 {
        let number = |r: std::ops::Range<usize>| text[r].parse::<u32>().ok();
        let year = i32::try_from(number(0..4)?).ok()?;
        let day = NaiveDate::from_ymd_opt(year, number(4..6)?, number(6..8)?)?;
        return Some((day, Written::Compact));
    }
    if digits && text.len() == 5 {
        // Excel counts days from 1899-12-30; five digits are 1927..2173.
        let n: i64 = text.parse().ok()?;
        let day = NaiveDate::from_ymd_opt(1899, 12, 30)? + Duration::days(n);
        return Some((day, Written::ExcelSerial));
    }
    let (y, m, d) = three_numbers(text, &['-', '/', '.', '年', '月', '日'])?;
    NaiveDate::from_ymd_opt(y, m, d)
        .filter(|_| (1000..=9999).contains(&y))
        .map(|day| (day, Written::Plain))
}

/// A day written `YYYY-MM-DD` exactly (the form a date input sends, and the
/// server's own dates): read without chrono's format parser, which is most
/// of what chrono would add to the browser's code.
pub fn parse_iso_day(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |r: std::ops::Range<usize>| {
        let part = &text[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse::<u32>().ok())?
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

/// Three numbers separated by any of `seps` (a trailing `日` allowed).
fn three_numbers(text: &str, seps: &[char]) -> Option<(i32, u32, u32)> {
    let parts: Vec<&str> = text
        .split(|c| seps.contains(&c))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let ok = |p: &str| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit());
    if !(ok(y) && ok(m) && ok(d)) || m.len() > 2 || d.len() > 2 {
        return None;
    }
    Some((y.parse().ok()?, m.parse().ok()?, d.parse().ok()?))
}

/// `令和2年9月7日`, `令和元年5月1日`, `R2.9.7`, `r02/09/07`, `H31-4-30`.
fn era_day(text: &str) -> Option<NaiveDate> {
    let (i, rest) = ERAS
        .iter()
        .enumerate()
        .find_map(|(i, (name, initial, _))| {
            text.strip_prefix(name)
                .or_else(|| text.strip_prefix(*initial))
                .or_else(|| text.strip_prefix(initial.to_ascii_lowercase()))
                .map(|rest| (i, rest.trim()))
        })?;
    let rest = rest.replacen("元年", "1年", 1);
    let (year, m, d) = three_numbers(&rest, &['-', '/', '.', '年', '月', '日'])?;
    if year < 1 {
        return None;
    }
    let start = era_start(i);
    let day = NaiveDate::from_ymd_opt(start.year() + year - 1, m, d)?;
    let ends = (i > 0).then(|| era_start(i - 1));
    (day >= start && ends.is_none_or(|e| day < e)).then_some(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn reads_every_way_a_day_is_written() {
        let sept7 = day(2020, 9, 7);
        for (text, how) in [
            ("2020-09-07", Written::Plain),
            ("2020/9/7", Written::Plain),
            ("2020.9.7", Written::Plain),
            ("２０２０／０９／０７", Written::Plain),
            ("2020年9月7日", Written::Plain),
            ("20200907", Written::Compact),
            ("令和2年9月7日", Written::Era),
            ("令和２年９月７日", Written::Era),
            ("R2.9.7", Written::Era),
            ("r02/09/07", Written::Era),
            ("Ｒ２．９．７", Written::Era),
            ("44081", Written::ExcelSerial),
        ] {
            assert_eq!(parse_day(text), Some((sept7, how)), "{text}");
        }
    }

    /// Japanese birth dates: 昭和25年4月1日 is 1950-04-01; the first year of
    /// an era is 元年; a day outside its era does not exist.
    #[test]
    fn reads_the_eras_and_their_edges() {
        assert_eq!(
            parse_day("昭和25年4月1日"),
            Some((day(1950, 4, 1), Written::Era))
        );
        assert_eq!(parse_day("S25.4.1"), Some((day(1950, 4, 1), Written::Era)));
        assert_eq!(
            parse_day("令和元年5月1日"),
            Some((day(2019, 5, 1), Written::Era))
        );
        assert_eq!(
            parse_day("平成31年4月30日"),
            Some((day(2019, 4, 30), Written::Era))
        );
        assert_eq!(
            parse_day("平成元年1月8日"),
            Some((day(1989, 1, 8), Written::Era))
        );
        assert_eq!(
            parse_day("昭和64年1月7日"),
            Some((day(1989, 1, 7), Written::Era))
        );
        assert_eq!(
            parse_day("大正15年12月24日"),
            Some((day(1926, 12, 24), Written::Era))
        );
        assert_eq!(parse_day("平成31年5月1日"), None);
        assert_eq!(parse_day("令和元年4月30日"), None);
        assert_eq!(parse_day("昭和64年1月8日"), None);
        assert_eq!(parse_day("令和0年1月1日"), None);
    }

    #[test]
    fn refuses_what_is_not_a_day() {
        for text in [
            "",
            "2020-02-30",
            "2020/13/1",
            "9/7",
            "2020-9",
            "20201301",
            "令和",
            "X2.9.7",
            "2020-09-07-01",
            "12345678901",
        ] {
            assert_eq!(parse_day(text), None, "{text}");
        }
    }

    proptest! {
        /// Every day since 1900, written each way, reads back as itself.
        #[test]
        fn every_day_reads_back_however_written(n in 0i64..73_000) {
            let d = day(1900, 1, 1) + Duration::days(n);
            let plain = d.format("%Y-%m-%d").to_string();
            prop_assert_eq!(parse_day(&plain), Some((d, Written::Plain)));
            let slashed = format!("{}/{}/{}", d.year(), d.month(), d.day());
            prop_assert_eq!(parse_day(&slashed), Some((d, Written::Plain)));
            prop_assert_eq!(parse_day(&d.format("%Y%m%d").to_string()), Some((d, Written::Compact)));
            // The era the day falls in, by name and by initial.
            let i = (0..ERAS.len()).find(|&i| d >= era_start(i)).unwrap();
            let year = d.year() - era_start(i).year() + 1;
            let named = format!("{}{}年{}月{}日", ERAS[i].0, year, d.month(), d.day());
            prop_assert_eq!(parse_day(&named), Some((d, Written::Era)));
            let initial = format!("{}{}.{}.{}", ERAS[i].1, year, d.month(), d.day());
            prop_assert_eq!(parse_day(&initial), Some((d, Written::Era)));
            prop_assert_eq!(parse_iso_day(&plain), Some(d));
        }

        /// The browser's own reading of `YYYY-MM-DD` and of eight digits
        /// agrees with chrono's format parser on every such text, dates
        /// that do not exist included.
        #[test]
        fn the_hand_written_readings_agree_with_chrono(
            text in "[0-9]{4}-[0-9]{2}-[0-9]{2}",
            compact in "[0-9]{8}",
        ) {
            prop_assert_eq!(parse_iso_day(&text), NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok());
            prop_assert_eq!(
                parse_day(&compact).map(|(d, _)| d),
                NaiveDate::parse_from_str(&compact, "%Y%m%d").ok()
            );
        }

        /// It reads nothing but the one form: whatever it accepts is written
        /// back exactly as it was given.
        #[test]
        fn it_reads_only_the_one_form(text in "[0-9０-９+ -]{8,11}") {
            if let Some(d) = parse_iso_day(&text) {
                prop_assert_eq!(d.format("%Y-%m-%d").to_string(), text);
            }
        }
    }
}
