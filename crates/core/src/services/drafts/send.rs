//! Sending a draft: every section and the declaration checked, then the
//! claim, its lines, its first event and the receipt mail in one grouped
//! commit; the draft is gone and the claim locked.

use super::*;
use crate::domain::money::Yen;

/// The rows a claim's answers become: the claim row's fields.
pub(crate) struct Derived {
    pub(crate) about: answers::About,
    pub(crate) payout: PayoutAccount,
    pub(crate) total: i64,
}

pub(crate) fn derive(a: &Answers) -> Result<Derived, AppError> {
    let (Some(about), Some(payout)) = (a.about.clone(), a.payout_account()) else {
        return Err(AppError::field(
            answers::DECLARATION_FIELD,
            "claim_incomplete",
        ));
    };
    if !a.ready_to_send() {
        return Err(AppError::field(
            answers::DECLARATION_FIELD,
            "claim_incomplete",
        ));
    }
    Ok(Derived {
        about,
        payout,
        total: a.totals().all.value(),
    })
}

/// Writes the lines of a claim from its answers (positions from 1). Lines
/// in `keep` (answered by a bank) already exist and are changed in place.
pub(crate) async fn write_lines(
    tx: &mut crate::db::Tx,
    claim_id: Uuid,
    a: &Answers,
    keep: &[Uuid],
) -> Result<(), AppError> {
    for (i, (account, line)) in a.debit_lines().enumerate() {
        let row = claims::NewLineRow {
            id: line.id,
            claim_id,
            position: i as i64 + 1,
            bank_code: &account.bank,
            branch_code: &account.branch,
            account_type: &account.account_type,
            account_number: &account.number,
            debit_date: line.date,
            amount: Yen::from_db(line.amount),
            descriptor: &line.descriptor,
            wallet_ref: line.reference.as_deref(),
            passbook: account.passbook.as_deref(),
        };
        if keep.contains(&line.id) {
            claims::update_line(tx, &row).await?;
        } else {
            claims::insert_line(tx, &row).await?;
        }
    }
    for (i, line) in a.calls.iter().enumerate() {
        claims::insert_call_line(tx, claim_id, i as i64 + 1, line).await?;
    }
    for (i, line) in a.travel.iter().enumerate() {
        claims::insert_travel_line(tx, claim_id, i as i64 + 1, line).await?;
    }
    Ok(())
}

/// The banks of a claim's accounts must still take part (an admin may have
/// changed the list since the draft was written).
async fn banks_take_part(db: &crate::db::Db, answers: &answers::Answers) -> Result<(), AppError> {
    for account in &answers.accounts {
        if !banks::by_code(db, &account.bank)
            .await?
            .is_some_and(|b| b.participating)
        {
            return Err(AppError::field("declare_true", "bank_not_participating"));
        }
    }
    Ok(())
}

/// Sends a draft: checks every section and the declaration, then writes the
/// claim, its lines, the `submitted` event and the receipt mail in one
/// transaction, and deletes the draft. The claim is locked from then on.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn send(
    state: &Core,
    user: &CurrentUser,
    key: &str,
    declaration: answers::Declaration,
    ip: &str,
) -> Result<CaseRef, AppError> {
    let doc = load(&state.db, user, key).await?;
    if !doc.is_draft() {
        return Err(AppError::Conflict("claim_already_sent"));
    }
    let errors = declaration.errors();
    let derived = derive(&doc.answers)?;
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    banks_take_part(&state.db, &doc.answers).await?;
    let now = Utc::now();
    let (id, claimant, email) = (doc.id, user.id, user.email.clone());
    let lang = Lang::parse(&derived.about.lang).unwrap_or(user.lang);
    let public_url = state.settings.public_url.clone();
    let ip = ip.to_owned();
    let answers = doc.answers.clone();
    // One transaction, committed with the other submissions waiting for
    // SQLite's writer (group commit); answered once it is durable.
    let writes = crate::group_commit::work(move |tx| {
        Box::pin(async move {
            // The draft row is the lock: two sends of one draft cannot both delete it.
            if !drafts::delete(tx, id).await? {
                return Err(AppError::Conflict("claim_already_sent"));
            }
            // The claim's figures once for the claim, its lines and costs.
            figures::hold(tx, id).await?;
            let seq = claims::next_reference_seq(tx).await?;
            let reference = CaseRef::from_seq(seq as u64);
            let reference_text = reference.to_string();
            let json = answers.to_json();
            claims::insert_submitted(
                tx,
                &claims::NewClaimRow {
                    id,
                    seq,
                    reference: &reference_text,
                    claimant_id: claimant,
                    full_name: &derived.about.full_name,
                    name_kana: &derived.about.name_kana,
                    phone: &derived.about.phone,
                    total_claimed: Yen::from_db(derived.total),
                    answers: &json,
                    payout: &derived.payout,
                    compensated_amount: derived.about.compensated_amount.map(Yen::from_db),
                    now,
                },
                &claims::Sent {
                    ip: &ip,
                    day: today_jst(now),
                },
            )
            .await?;
            write_lines(tx, id, &answers, &[]).await?;
            crate::services::cases::record_submitted(tx, id, claimant, now).await?;
            figures::release(tx, id).await?;
            let text = mails::claim_received(lang, &public_url, &reference_text);
            mails::queue(tx, &email, Some(id), &text, now).await?;
            Ok(reference)
        })
    });
    let reference = state.commits.run(&state.db, writes).await?;
    let reference_text = reference.to_string();
    tracing::info!(reference = %reference_text, "claim submitted");
    after_sent(state, id);
    Ok(reference)
}

/// The claim is durable and answered: its flags, and those of claims that
/// share an account, a debit or a contact with it, are computed beside the
/// answer (the sweep computes any a crash leaves undone): under a rush they
/// queue on the single writer and must not hold the claimant. Debits its
/// bank reported before the claim came are matched to its lines.
fn after_sent(state: &Core, id: Uuid) {
    let db = state.db.clone();
    tokio::spawn(async move { assessment::refresh_after_change(&db, id).await });
    let core = state.clone();
    tokio::spawn(async move {
        if let Err(e) = crate::services::bank_import::match_reported(&core, id).await {
            tracing::warn!(claim = %id, "reported debits were not matched: {e}");
        }
    });
}
