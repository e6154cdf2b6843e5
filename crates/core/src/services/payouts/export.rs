//! The Zengin transfer file of a released batch: written once, kept, handed
//! out only after it passed its own validation; and the batches as CSV.

use super::*;

/// The operator's side of the file, from the settings and the bank list.
pub(super) async fn requester(state: &Core) -> Result<Requester, AppError> {
    let r = &state.settings.zengin;
    let bank = banks::by_code(&state.db, &r.bank_code).await?;
    let branch = banks::branch_kana(&state.db, &r.bank_code, &r.branch_code).await?;
    Ok(Requester {
        code: r.code.clone(),
        name: r.name.clone(),
        bank_code: r.bank_code.clone(),
        bank_name: bank.map(|b| b.kana).unwrap_or_default(),
        branch_code: r.branch_code.clone(),
        branch_name: branch.unwrap_or_default(),
        account_type: r.account_type,
        account_number: r.account_number.clone(),
    })
}

/// The Zengin file of a released batch (with CR LF after each record, or
/// without). The first export writes it and keeps it with its SHA-256;
/// every later export hands out the same bytes. A file that fails its own
/// validation is never handed out.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn export(
    state: &Core,
    user: &CurrentUser,
    number: i64,
    crlf: bool,
) -> Result<Vec<u8>, AppError> {
    let b = batch(state, number).await?;
    if b.state == "open" {
        return Err(AppError::Conflict("batch_not_released"));
    }
    let stored = match payouts::file(&state.db, b.id).await? {
        Some(file) => file,
        None => {
            let lines = payouts::lines(&state.db, b.id).await?;
            let payees: Vec<Payee> = lines
                .iter()
                .map(|l| Payee {
                    bank_code: l.bank_code.clone(),
                    bank_name: l.bank_kana.clone().unwrap_or_default(),
                    branch_code: l.branch_code.clone(),
                    branch_name: l.branch_kana.clone().unwrap_or_default(),
                    account_type: l.account_type.clone(),
                    account_number: l.account_number.clone(),
                    name: l.payee_kana.clone(),
                    amount: l.amount.value(),
                    customer_code: l.seq,
                })
                .collect();
            let layout = Layout {
                crlf: true,
                blank_names: state.settings.zengin.blank_names,
            };
            let text = zengin::build(&requester(state).await?, b.transfer_date, &payees, layout)
                .map_err(|errors| {
                    tracing::error!(?errors, number, "a batch that cannot be written");
                    AppError::Conflict("zengin_invalid")
                })?;
            let bytes = zengin::to_shift_jis(&text);
            check(&bytes, true, &b)?;
            let sha = hex::encode(Sha256::digest(&bytes));
            let mut tx = state.db.begin().await?;
            let first = payouts::store_file(&mut tx, b.id, &bytes, &sha, Utc::now()).await?;
            tx.commit().await?;
            if first {
                tracing::info!(number, sha256 = %sha, "zengin file written");
                bytes
            } else {
                // Someone exported at the same moment: theirs is kept.
                payouts::file(&state.db, b.id)
                    .await?
                    .ok_or(AppError::Conflict("batch_changed"))?
            }
        }
    };
    let out = if crlf {
        stored
    } else {
        stored
            .chunks(zengin::RECORD + 2)
            .flat_map(|r| &r[..zengin::RECORD.min(r.len())])
            .copied()
            .collect()
    };
    check(&out, crlf, &b)?;
    Ok(out)
}

/// The file's own validation, and its count and sum against the batch's.
pub(super) fn check(bytes: &[u8], crlf: bool, b: &payouts::BatchRow) -> Result<(), AppError> {
    match zengin::validate(bytes, crlf) {
        Ok(s) if s.count == b.line_count && s.total == b.total.value() => Ok(()),
        Ok(s) => {
            tracing::error!(
                ?s,
                b.line_count,
                total = b.total.value(),
                "zengin file totals differ"
            );
            Err(AppError::Conflict("zengin_invalid"))
        }
        Err(e) => {
            tracing::error!(error = %e, "zengin file invalid");
            Err(AppError::Conflict("zengin_invalid"))
        }
    }
}

/// The same rows for people: CSV (UTF-8 with BOM, as Excel in Japan
/// expects) with the case references and results, through the one CSV
/// writer.
#[tracing::instrument(skip_all)]
pub async fn export_csv(state: &Core, number: i64) -> Result<Vec<u8>, AppError> {
    let b = batch(state, number).await?;
    let lines = payouts::lines(&state.db, b.id).await?;
    let header = [
        "batch",
        "transfer_date",
        "position",
        "reference",
        "bank_code",
        "branch_code",
        "account_type",
        "account_number",
        "payee",
        "amount",
        "result",
        "paid_on",
        "fail_reason",
    ]
    .map(String::from);
    let rows = lines.into_iter().map(|l| {
        [
            b.number.to_string(),
            b.transfer_date.to_string(),
            l.position.to_string(),
            l.reference,
            l.bank_code,
            l.branch_code,
            l.account_type,
            l.account_number,
            l.payee_kana,
            l.amount.value().to_string(),
            l.result.unwrap_or_default(),
            l.paid_on.map(|d| d.to_string()).unwrap_or_default(),
            l.fail_reason.unwrap_or_default(),
        ]
    });
    crate::csv::csv_with_bom(std::iter::once(header).chain(rows))
}
