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
}

pub fn load() -> anyhow::Result<BTreeMap<String, BankEntry>> {
    let mut json = String::new();
    GzDecoder::new(BANKS_JSON_GZ).read_to_string(&mut json)?;
    Ok(serde_json::from_str(&json)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_list_is_complete() {
        let banks = super::load().unwrap();
        assert!(banks.len() > 1000);
        let yucho = &banks["9900"];
        assert_eq!(yucho.name, "ゆうちょ");
        let branches: usize = banks.values().map(|b| b.branches.len()).sum();
        assert!(branches > 20_000, "{branches}");
    }
}
