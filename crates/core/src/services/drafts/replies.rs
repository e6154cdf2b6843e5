//! Staff ask the claimant for more about some sections; the claimant's
//! answer changes only those and sends the case back to the queue.

use super::*;
use crate::domain::money::Yen;

/// Writes a reply's lines again, when the request opened a section with
/// lines. A debit a bank has answered stays: it can be changed, not
/// removed.
async fn rewrite_open_lines(tx: &mut crate::db::Tx, doc: &Editable) -> Result<(), AppError> {
    let lines_open = doc.open.iter().any(|s| {
        matches!(
            s,
            Section::Debits | Section::Calls | Section::Travel | Section::About
        )
    });
    if !lines_open {
        return Ok(());
    }
    let answered = bank_review::answered_line_ids(tx, doc.id).await?;
    let now_there: Vec<Uuid> = doc.answers.debit_lines().map(|(_, l)| l.id).collect();
    if answered.iter().any(|id| !now_there.contains(id)) {
        return Err(AppError::field("reply", "answered_line_removed"));
    }
    claims::clear_debit_lines_for_rewrite(tx, doc.id).await?;
    write_lines(tx, doc.id, &doc.answers, &answered).await
}

/// The claimant answers an open request: the reply text, and the changed
/// sections take effect; the case goes back to the staff's queue.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn reply(
    state: &Core,
    user: &CurrentUser,
    key: &str,
    text: &str,
) -> Result<CaseRef, AppError> {
    let reply = answers::parse_reply(text).map_err(|k| AppError::field("reply", k))?;
    let doc = load(&state.db, user, key).await?;
    let (Some(request), Some(reference)) = (doc.request.clone(), doc.reference.clone()) else {
        return Err(AppError::Conflict("no_open_request"));
    };
    let facts = CaseFacts {
        actor_is_claimant: true,
        ..CaseFacts::default()
    };
    let step = crate::services::cases::Step::new(Action::AnswerRequest, user);
    crate::services::cases::next(doc.state, &step, &facts)?;
    let derived = derive(&doc.answers).map_err(|_| AppError::field("reply", "claim_incomplete"))?;
    let now = Utc::now();
    let json = doc.answers.to_json();
    let submitted = claims::by_id(&state.db, doc.id)
        .await?
        .ok_or(AppError::NotFound)?
        .submitted_at;
    let clock_start = assessment::sla_start_after_wait(&state.db, doc.id, submitted).await?;
    // The case's owner is told it is back, in the answer's transaction.
    let owner = claims::owner_contact(&state.db, doc.id, request.id).await?;
    let mut tx = state.db.begin().await?;
    if !claims::save_answers(
        &mut tx,
        &claims::NewClaimRow {
            id: doc.id,
            seq: 0,
            reference: &reference,
            claimant_id: user.id,
            full_name: &derived.about.full_name,
            name_kana: &derived.about.name_kana,
            phone: &derived.about.phone,
            total_claimed: Yen::from_db(derived.total),
            answers: &json,
            payout: &derived.payout,
            compensated_amount: derived.about.compensated_amount.map(Yen::from_db),
            now,
        },
        doc.version,
    )
    .await?
    {
        return Err(AppError::Conflict("case_changed"));
    }
    rewrite_open_lines(&mut tx, &doc).await?;
    if !requests::answer(&mut tx, request.id, &reply, now).await? {
        return Err(AppError::Conflict("case_changed"));
    }
    // The answers above moved the version on by one.
    let case = crate::services::cases::CaseAt {
        id: doc.id,
        state: doc.state,
        version: Some(doc.version + 1),
    };
    crate::services::cases::transition(&mut tx, case, &facts, &step.at(now)).await?;
    store_assessment::set_sla_start(&mut tx, doc.id, clock_start).await?;
    if let Some((email, lang)) = owner {
        let lang = Lang::parse(&lang).unwrap_or_default();
        let text = mails::case_returned(lang, &state.settings.public_url, &reference);
        mails::queue(&mut tx, &email, Some(doc.id), &text, now).await?;
    }
    tx.commit().await?;
    assessment::refresh_after_change(&state.db, doc.id).await;
    CaseRef::parse(&reference).map_err(|_| AppError::NotFound)
}

/// Staff ask the claimant for more information about some sections (the
/// case must be in review). The claimant may then change those sections only.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %staff.id))]
pub async fn request_information(
    state: &Core,
    staff: &CurrentUser,
    reference: &str,
    question: &str,
    sections: &[Section],
) -> Result<(), AppError> {
    let question = answers::parse_reply(question).map_err(|k| {
        AppError::field(
            "question",
            if k == "reply_required" {
                "question_required"
            } else {
                k
            },
        )
    })?;
    let reference = CaseRef::parse(reference).map_err(|_| AppError::NotFound)?;
    let claim = claims::by_reference(&state.db, &reference.to_string())
        .await?
        .ok_or(AppError::NotFound)?;
    let step = crate::services::cases::Step::new(Action::RequestInfo, staff).note(Some(&question));
    crate::services::cases::next(claim.state, &step, &CaseFacts::default())?;
    let sections: Vec<&str> = sections
        .iter()
        .filter(|s| Section::REQUESTABLE.contains(s))
        .map(|s| s.as_str())
        .collect();
    let now = Utc::now();
    // Read before the transaction: inside it, only its own connection.
    let (email, lang) = claims::claimant_contact(&state.db, claim.id).await?;
    let lang = Lang::parse(&lang).unwrap_or(Lang::Ja);
    let mut tx = state.db.begin().await?;
    crate::services::cases::transition(
        &mut tx,
        crate::services::cases::CaseAt::of(&claim, claim.version),
        &CaseFacts::default(),
        &step.at(now),
    )
    .await?;
    requests::insert(
        &mut tx,
        claim.id,
        staff.id,
        &question,
        &sections.join(","),
        now,
    )
    .await?;
    // The claimant is told what is asked, and by when an answer keeps the
    // claim moving.
    let text = mails::info_requested(
        lang,
        &state.settings.public_url,
        &claim.reference,
        &question,
        today_jst(now) + Duration::days(crate::services::reminders::REMIND_AFTER_DAYS),
    );
    mails::queue(&mut tx, &email, Some(claim.id), &text, now).await?;
    tx.commit().await?;
    Ok(())
}
