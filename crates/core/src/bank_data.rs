//! The Japanese bank and branch list (zengin-code data, MIT licence, see
//! `crates/core/data/zengin-code/LICENSE.txt`), shipped inside the binary.

use flate2::read::GzDecoder;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Read;

static BANKS_JSON_GZ: &[u8] = include_bytes!("../data/zengin-code/banks.json.gz");

#[derive(Debug, Deserialize)]
pub struct BankEntry {
    pub code: String,
    pub name: String,
    pub kana: String,
    #[serde(default)]
    pub branches: BTreeMap<String, BranchEntry>,
}

#[derive(Debug, Deserialize)]
pub struct BranchEntry {
    pub code: String,
    pub name: String,
    pub kana: String,
    /// The name in romaji ("sendaiekimae"), as the list gives it.
    #[serde(default)]
    pub roma: String,
}

/// The shipped list's branches by bank: (code, romaji), read once.
fn romaji_index() -> &'static BTreeMap<String, Vec<(String, String)>> {
    static INDEX: std::sync::OnceLock<BTreeMap<String, Vec<(String, String)>>> =
        std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        load()
            .map(|banks| {
                banks
                    .into_iter()
                    .map(|(code, bank)| {
                        let branches = bank
                            .branches
                            .into_values()
                            .map(|b| (b.code, b.roma))
                            .collect();
                        (code, branches)
                    })
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// The codes of `bank`'s branches whose romaji name holds what a person
/// typed in Latin letters ("Sendai Ekimae", "sendai-ekimae shiten"):
/// letters only, lower case, without a trailing "shiten" or "branch".
pub fn branches_by_romaji(bank: &str, typed: &str) -> Vec<String> {
    let mut q: String = typed
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    for suffix in ["shiten", "branch"] {
        if q.len() > suffix.len() && q.ends_with(suffix) {
            q.truncate(q.len() - suffix.len());
        }
    }
    if q.len() < 3 {
        return Vec::new();
    }
    romaji_index()
        .get(bank)
        .map(|branches| {
            branches
                .iter()
                .filter(|(_, roma)| roma.contains(&q))
                .map(|(code, _)| code.clone())
                .collect()
        })
        .unwrap_or_default()
}

pub fn load() -> anyhow::Result<BTreeMap<String, BankEntry>> {
    read(BANKS_JSON_GZ)
}

/// A bank list in the shipped form (zengin-code's banks, each with its
/// `branches`, keyed by code), as JSON or gzipped JSON.
pub fn read(bytes: &[u8]) -> anyhow::Result<BTreeMap<String, BankEntry>> {
    let mut json = String::new();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        GzDecoder::new(bytes).read_to_string(&mut json)?;
    } else {
        json = String::from_utf8(bytes.to_vec())?;
    }
    let mut list: BTreeMap<String, BankEntry> = serde_json::from_str(&json)?;
    for bank in list.values_mut() {
        bank.name = domain::account::bank_display_name(&bank.code, &bank.name);
    }
    for (code, bank) in &list {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        anyhow::ensure!(
            digits(code, 4) && *code == bank.code,
            "bank {code}: not a 4-digit code"
        );
        for (b, branch) in &bank.branches {
            anyhow::ensure!(
                digits(b, 3) && *b == branch.code,
                "bank {code}, branch {b}: not a 3-digit code"
            );
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_branch_is_found_by_its_romaji_as_people_type_it() {
        for typed in [
            "Sendai Ekimae",
            "sendai-ekimae shiten",
            "SENDAIEKIMAE Branch",
            "ekimae",
        ] {
            assert_eq!(super::branches_by_romaji("0125", typed), ["202"], "{typed}");
        }
        assert!(
            super::branches_by_romaji("0125", "zz").is_empty(),
            "too short to mean a branch"
        );
        assert!(super::branches_by_romaji("0125", "nowhere at all").is_empty());
    }

    #[test]
    fn banks_are_named_as_people_write_them() {
        let banks = super::load().unwrap();
        for (code, name) in [
            ("0125", "七十七銀行"),
            ("9900", "ゆうちょ銀行"),
            ("0005", "三菱ＵＦＪ銀行"),
            ("0288", "三菱ＵＦＪ信託銀行"),
            ("1001", "北海道信金"),
            ("2011", "北央信組"),
            ("3001", "北海道信連"),
        ] {
            assert_eq!(banks[code].name, name);
        }
    }

    #[test]
    fn the_shipped_list_is_complete() {
        let banks = super::load().unwrap();
        assert!(banks.len() > 1000);
        let yucho = &banks["9900"];
        assert_eq!(yucho.name, "ゆうちょ銀行");
        let branches: usize = banks.values().map(|b| b.branches.len()).sum();
        assert!(branches > 20_000, "{branches}");
    }
}
