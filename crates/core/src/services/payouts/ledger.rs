//! The ledger's own check (every paid yen has its entries) and the
//! settlement exports.

use super::*;

/// The ledger's state: totals by bank and state, and the invariants.
pub struct LedgerCheck {
    pub totals: Vec<payouts::TotalRow>,
    pub violations: payouts::Violations,
    /// Released batches whose stored file does not hold their lines'
    /// count and total (batch number, what is wrong).
    pub bad_files: Vec<(i64, String)>,
}

impl LedgerCheck {
    pub fn ok(&self) -> bool {
        self.violations == payouts::Violations::default() && self.bad_files.is_empty()
    }
}

#[tracing::instrument(skip_all)]
pub async fn check_ledger(state: &Core) -> Result<LedgerCheck, AppError> {
    let mut bad_files = Vec::new();
    for (number, file, total, count) in payouts::released_files(&state.db).await? {
        if let Some(file) = file {
            match zengin::validate(&file, true) {
                Ok(s) if s.total == total && s.count == count => {}
                Ok(s) => bad_files.push((
                    number,
                    format!(
                        "file {}/{} yen, lines {count}/{total} yen",
                        s.count, s.total
                    ),
                )),
                Err(e) => bad_files.push((number, e)),
            }
        }
    }
    Ok(LedgerCheck {
        totals: payouts::totals(&state.db).await?,
        violations: payouts::violations(&state.db).await?,
        bad_files,
    })
}

/// The settlement's columns, as words in the reader's language (the other
/// exports' way; they were field names).
const SETTLEMENT_COLUMNS: [&str; 6] = [
    "settle_bank_code",
    "settle_bank_name",
    "settle_cases",
    "settle_debits_paid",
    "settle_bank_share",
    "settle_operator_share",
];

/// The per-bank settlement: CSV (UTF-8 with BOM), through the one CSV
/// writer.
#[tracing::instrument(skip_all)]
pub async fn settlement_csv(state: &Core, lang: crate::i18n::Lang) -> Result<Vec<u8>, AppError> {
    let rows = payouts::settlement(&state.db).await?;
    let header = SETTLEMENT_COLUMNS.map(|k| lang.t(k));
    let rows = rows.into_iter().map(|r| {
        [
            r.bank_code,
            r.bank_name,
            r.cases.to_string(),
            r.debits_paid.value().to_string(),
            r.bank_share.value().to_string(),
            r.operator_share.value().to_string(),
        ]
    });
    crate::csv::csv_with_bom(std::iter::once(header).chain(rows))
}

/// The per-bank settlement as an Excel workbook (numbers as numbers).
#[tracing::instrument(skip_all)]
pub async fn settlement_xlsx(state: &Core, lang: crate::i18n::Lang) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::Workbook;
    let rows = payouts::settlement(&state.db).await?;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::other(anyhow::anyhow!(e));
    for (col, h) in SETTLEMENT_COLUMNS.iter().enumerate() {
        sheet.write_string(0, col as u16, lang.t(h)).map_err(fail)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let text = crate::csv::safe_text;
        sheet
            .write_string(row, 0, text(&r.bank_code))
            .map_err(fail)?;
        sheet
            .write_string(row, 1, text(&r.bank_name))
            .map_err(fail)?;
        for (col, value) in [
            r.cases,
            r.debits_paid.value(),
            r.bank_share.value(),
            r.operator_share.value(),
        ]
        .into_iter()
        .enumerate()
        {
            sheet
                .write_number(row, col as u16 + 2, value as f64)
                .map_err(fail)?;
        }
    }
    book.save_to_buffer().map_err(fail)
}
