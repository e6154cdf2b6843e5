//! The claimant writing a claim: drafts saved answer by answer, sending, and
//! changing the sections staff asked about. Every function checks that the
//! claim is the user's own (another person's gives NotFound) and that the
//! section may be changed now.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{assessment, mails};
use crate::domain::answers::{
    self, Account, Answers, MAX_ACCOUNTS, MAX_LINES, Payout, PayoutAccount, Section,
};
use crate::domain::claim::BranchQuery;
use crate::domain::workflow::{Action, CaseFacts, CaseState};
use crate::domain::{CaseRef, FieldErrors};
use crate::i18n::Lang;
use crate::server::auth::CurrentUser;
use crate::server::db::{Db, Tx};
use crate::server::error::AppError;
use crate::server::state::AppState;
use crate::server::store::assessment as store_assessment;
use crate::server::store::{bank_review, banks, claims, drafts, evidence, requests};

/// A person may hold this many drafts at once.
pub const MAX_DRAFTS: i64 = 10;
/// Drafts untouched this long are deleted...
pub const DRAFT_DAYS: i64 = 90;
/// ...after a reminder this many days before.
pub const REMINDER_DAYS_BEFORE: i64 = 7;

/// The date in Japan at `now`: dates typed by claimants are Japanese dates.
pub use crate::domain::calendar::date_in_japan as today_jst;

/// A claim the claimant can open: a draft (by id) or a sent claim (by reference).
#[derive(Clone, Debug)]
pub struct Editable {
    pub id: Uuid,
    /// What the address uses: the draft's id, or the claim's reference.
    pub key: String,
    pub reference: Option<String>,
    pub state: CaseState,
    pub version: i64,
    pub answers: Answers,
    /// The sections that may be changed now: all of a draft, the requested
    /// ones of a claim awaiting the claimant, none otherwise.
    pub open: Vec<Section>,
    pub request: Option<requests::RequestRow>,
}

impl Editable {
    pub fn is_draft(&self) -> bool {
        self.reference.is_none()
    }

    pub fn may_change(&self, section: Section) -> bool {
        self.open.contains(&section)
    }
}

/// Answers as stored; a row that cannot be read is an error (never an
/// empty claim that the next save would write over).
pub fn stored_answers(text: &str) -> Result<Answers, anyhow::Error> {
    Answers::from_json(text).map_err(|e| anyhow::anyhow!("stored answers cannot be read: {e}"))
}

/// Loads a draft or claim of `user` by its address key.
#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn load(db: &Db, user: &CurrentUser, key: &str) -> Result<Editable, AppError> {
    if let Ok(reference) = CaseRef::parse(key) {
        let claim = claims::by_reference(db, &reference.to_string())
            .await?
            .filter(|c| c.claimant_id == user.id)
            .ok_or(AppError::NotFound)?;
        let state = claim.state;
        let (sent, pending) = claims::answers_and_pending(db, claim.id).await?;
        let answers = stored_answers(pending.as_deref().or(sent.as_deref()).unwrap_or("{}"))
            .map_err(|e| e.context(format!("loading the answers of {}", claim.reference)))?;
        let request = if state == CaseState::AwaitingClaimant {
            requests::open_for(db, claim.id).await?
        } else {
            None
        };
        let open = request
            .as_ref()
            .map(|r| r.sections.split(',').filter_map(Section::parse).collect())
            .unwrap_or_default();
        return Ok(Editable {
            id: claim.id,
            key: claim.reference.clone(),
            reference: Some(claim.reference),
            state,
            version: claim.version,
            answers,
            open,
            request,
        });
    }
    let id = Uuid::parse_str(key).map_err(|_| AppError::NotFound)?;
    let draft = drafts::by_id(db, id)
        .await?
        .filter(|d| d.claimant_id == user.id)
        .ok_or(AppError::NotFound)?;
    Ok(Editable {
        id,
        key: id.to_string(),
        reference: None,
        state: CaseState::Draft,
        version: draft.version,
        answers: stored_answers(&draft.answers)
            .map_err(|e| e.context(format!("loading the answers of draft {id}")))?,
        open: Section::ALL.to_vec(),
        request: None,
    })
}

/// Starts a new, empty draft.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn create(state: &AppState, user: &CurrentUser) -> Result<Uuid, AppError> {
    let id = Uuid::new_v4();
    let mut tx = state.db.begin().await?;
    open_draft(&mut tx, id, user.id, &Answers::default(), Utc::now()).await?;
    tx.commit().await?;
    Ok(id)
}

/// The one way a draft comes to exist (a new claim, a redeemed claim code):
/// refused while the claimant has [`MAX_DRAFTS`] open.
#[tracing::instrument(skip_all)]
pub async fn open_draft(
    tx: &mut Tx,
    id: Uuid,
    user: Uuid,
    answers: &Answers,
    now: chrono::DateTime<Utc>,
) -> Result<(), AppError> {
    if drafts::count_for(tx, user).await? >= MAX_DRAFTS {
        return Err(AppError::Conflict("too_many_drafts"));
    }
    drafts::insert(tx, id, user, &answers.to_json(), now).await?;
    Ok(())
}

/// Changes one section: `change` gets the answers so far and either changes
/// them or says what is wrong (then nothing is written). Saves with a
/// compare-and-set, retrying when another tab saved in between.
#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn change<F>(
    state: &AppState,
    user: &CurrentUser,
    key: &str,
    section: Section,
    mut change: F,
) -> Result<Editable, AppError>
where
    F: FnMut(&mut Answers) -> Result<(), AppError>,
{
    for _ in 0..3 {
        let mut doc = load(&state.db, user, key).await?;
        if !doc.may_change(section) {
            return Err(AppError::Conflict("section_locked"));
        }
        change(&mut doc.answers)?;
        let json = doc.answers.to_json();
        let now = Utc::now();
        let mut tx = state.db.begin().await?;
        let saved = if doc.is_draft() {
            drafts::save(&mut tx, doc.id, doc.version, &json, now).await?
        } else {
            claims::save_pending(&mut tx, doc.id, doc.version, &json).await?
        };
        if saved {
            tx.commit().await?;
            return Ok(doc);
        }
    }
    Err(AppError::Conflict("case_changed"))
}

fn invalid(errors: FieldErrors) -> AppError {
    AppError::Invalid(errors)
}

/// "About you". The preferred language is also the user's language from now
/// on (their mail follows it).
#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn save_about(
    state: &AppState,
    user: &CurrentUser,
    key: &str,
    about: answers::About,
) -> Result<(), AppError> {
    let lang = Lang::parse(&about.lang).unwrap_or(user.lang);
    change(state, user, key, Section::About, |a| {
        a.about = Some(about.clone());
        Ok(())
    })
    .await?;
    if lang != user.lang {
        super::accounts::set_language(state, user.id, lang).await?;
    }
    Ok(())
}

/// Checks the bank (must take part) and finds the branch (by code or name).
/// Returns (bank name, branch code, branch name).
pub(crate) async fn resolve_account(
    db: &Db,
    input: &answers::AccountInput,
    must_participate: bool,
) -> Result<(String, String, String), AppError> {
    let mut errors = FieldErrors::new();
    let bank = banks::by_code(db, input.bank.as_str()).await?;
    match &bank {
        Some(b) if b.participating || !must_participate => {}
        Some(_) => errors.add("bank", "bank_not_participating"),
        None => errors.add("bank", "bank_invalid"),
    }
    let found = match &input.branch {
        BranchQuery::Code(code) => {
            banks::find_branches(db, input.bank.as_str(), Some(code), None).await?
        }
        BranchQuery::Name(name) => {
            banks::find_branches(db, input.bank.as_str(), None, Some(name)).await?
        }
    };
    let branch = match found.as_slice() {
        [one] => Some(one.clone()),
        [] => {
            errors.add("branch", "branch_not_found");
            None
        }
        _ => {
            errors.add("branch", "branch_ambiguous");
            None
        }
    };
    match (bank, branch) {
        (Some(bank), Some(branch)) if errors.is_empty() => {
            Ok((bank.name, branch.code, branch.name))
        }
        _ => Err(invalid(errors)),
    }
}

/// Adds a bank account (`account: None`) or changes one. Returns its id.
#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn save_account(
    state: &AppState,
    user: &CurrentUser,
    key: &str,
    account: Option<Uuid>,
    input: answers::AccountInput,
) -> Result<Uuid, AppError> {
    let (bank_name, branch, branch_name) = resolve_account(&state.db, &input, true).await?;
    let id = account.unwrap_or_else(Uuid::new_v4);
    change(state, user, key, Section::Debits, |a| {
        let same = |x: &Account| {
            x.id != id
                && x.bank == input.bank.as_str()
                && x.branch == branch
                && x.number == input.number.reveal()
        };
        if a.accounts.iter().any(same) {
            return Err(AppError::field("account_number", "account_duplicate"));
        }
        let mut entry = Account {
            id,
            bank: input.bank.as_str().to_owned(),
            bank_name: bank_name.clone(),
            branch: branch.clone(),
            branch_name: branch_name.clone(),
            account_type: input.account_type.as_str().to_owned(),
            number: input.number.reveal().to_owned(),
            lines: Vec::new(),
        };
        let count = a.accounts.len();
        match a.accounts.iter_mut().find(|x| x.id == id) {
            Some(existing) => {
                entry.lines = std::mem::take(&mut existing.lines);
                *existing = entry;
            }
            None if account.is_some() => return Err(AppError::NotFound),
            None if count >= MAX_ACCOUNTS => {
                return Err(AppError::field("bank", "accounts_too_many"));
            }
            None => a.accounts.push(entry),
        }
        if a.payout.is_none() {
            // By default the money goes back to the first debited account.
            a.payout = a
                .accounts
                .first()
                .map(|x| Payout::Debited { account_id: x.id });
        }
        Ok(())
    })
    .await?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn remove_account(
    state: &AppState,
    user: &CurrentUser,
    key: &str,
    account: Uuid,
) -> Result<(), AppError> {
    change(state, user, key, Section::Debits, |a| {
        let before = a.accounts.len();
        a.accounts.retain(|x| x.id != account);
        if a.accounts.len() == before {
            return Err(AppError::NotFound);
        }
        if a.payout
            == Some(Payout::Debited {
                account_id: account,
            })
        {
            a.payout = a
                .accounts
                .first()
                .map(|x| Payout::Debited { account_id: x.id });
        }
        Ok(())
    })
    .await?;
    Ok(())
}

/// Adds a debit to an account (`to: Some(account)`) or changes the debit
/// with the line's id (`to: None`).
#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn save_debit(
    state: &AppState,
    user: &CurrentUser,
    key: &str,
    to: Option<Uuid>,
    parsed: answers::DebitLine,
) -> Result<(), AppError> {
    let (account, id, line) = (to, parsed.id, to.is_none().then_some(parsed.id));
    change(state, user, key, Section::Debits, |a| {
        if let Some(existing) = a
            .accounts
            .iter_mut()
            .flat_map(|x| x.lines.iter_mut())
            .find(|l| l.id == id)
        {
            *existing = parsed.clone();
            return Ok(());
        }
        if line.is_some() {
            return Err(AppError::NotFound);
        }
        if a.debit_count() >= MAX_LINES {
            return Err(AppError::field("amount", "lines_too_many"));
        }
        let target = a
            .accounts
            .iter_mut()
            .find(|x| Some(x.id) == account)
            .ok_or(AppError::NotFound)?;
        target.lines.push(parsed.clone());
        Ok(())
    })
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn remove_line(
    state: &AppState,
    user: &CurrentUser,
    key: &str,
    section: Section,
    line: Uuid,
) -> Result<(), AppError> {
    change(state, user, key, section, |a| {
        let before = a.line_ids().len();
        match section {
            Section::Debits => a
                .accounts
                .iter_mut()
                .for_each(|x| x.lines.retain(|l| l.id != line)),
            Section::Calls => a.calls.retain(|l| l.id != line),
            Section::Travel => a.travel.retain(|l| l.id != line),
            _ => return Err(AppError::NotFound),
        }
        if a.line_ids().len() == before {
            return Err(AppError::NotFound);
        }
        Ok(())
    })
    .await?;
    Ok(())
}

/// Puts `line` into `list`: replaces the line with its id, or, when
/// `adding`, adds it (within the limit). Changing a line that is not there
/// is NotFound.
fn upsert<T: Clone>(
    list: &mut Vec<T>,
    line: &T,
    id_of: impl Fn(&T) -> Uuid,
    adding: bool,
) -> Result<(), AppError> {
    let count = list.len();
    match list.iter_mut().find(|l| id_of(l) == id_of(line)) {
        Some(existing) => *existing = line.clone(),
        None if !adding => return Err(AppError::NotFound),
        None if count >= MAX_LINES => return Err(AppError::field("cost", "lines_too_many")),
        None => list.push(line.clone()),
    }
    Ok(())
}

#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn save_call(
    state: &AppState,
    user: &CurrentUser,
    key: &str,
    parsed: answers::CallLine,
    adding: bool,
) -> Result<(), AppError> {
    change(state, user, key, Section::Calls, |a| {
        upsert(&mut a.calls, &parsed, |l| l.id, adding)
    })
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn save_travel(
    state: &AppState,
    user: &CurrentUser,
    key: &str,
    parsed: answers::TravelLine,
    adding: bool,
) -> Result<(), AppError> {
    change(state, user, key, Section::Travel, |a| {
        upsert(&mut a.travel, &parsed, |l| l.id, adding)
    })
    .await?;
    Ok(())
}

/// "I have finished this section" on a list section.
#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn finish_section(
    state: &AppState,
    user: &CurrentUser,
    key: &str,
    section: Section,
) -> Result<(), AppError> {
    change(state, user, key, section, |a| {
        match section {
            Section::Debits => {
                if a.accounts.is_empty() {
                    return Err(AppError::field("finished", "accounts_required"));
                }
                if a.accounts.iter().any(|x| x.lines.is_empty()) {
                    return Err(AppError::field("finished", "account_without_debit"));
                }
                a.debits_done = true;
            }
            Section::Calls => a.calls_done = true,
            Section::Travel => a.travel_done = true,
            Section::Evidence => a.evidence_done = true,
            _ => return Err(AppError::NotFound),
        }
        Ok(())
    })
    .await?;
    Ok(())
}

/// The payout account: one of the debited accounts (`choice` =
/// `account-<id>`) or another account in the claimant's name (`other`).
#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn save_payout(
    state: &AppState,
    user: &CurrentUser,
    key: &str,
    choice: answers::PayoutChoice,
) -> Result<(), AppError> {
    let payout = match choice {
        answers::PayoutChoice::Debited(account_id) => Payout::Debited { account_id },
        answers::PayoutChoice::Other { input, holder_kana } => {
            // Any bank may receive the money, not only the participating ones.
            let (bank_name, branch, branch_name) =
                resolve_account(&state.db, &input, false).await?;
            Payout::Other {
                bank: input.bank.as_str().to_owned(),
                bank_name,
                branch,
                branch_name,
                account_type: input.account_type.as_str().to_owned(),
                number: input.number.reveal().to_owned(),
                holder_kana,
            }
        }
    };
    change(state, user, key, Section::Payout, |a| {
        if let Payout::Debited { account_id } = &payout
            && a.account(*account_id).is_none()
        {
            return Err(AppError::field("choice", "payout_required"));
        }
        a.payout = Some(payout.clone());
        Ok(())
    })
    .await?;
    Ok(())
}

/// The rows a claim's answers become: the claim row's fields.
struct Derived {
    about: answers::About,
    payout: PayoutAccount,
    total: i64,
}

fn derive(a: &Answers) -> Result<Derived, AppError> {
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
async fn write_lines(
    tx: &mut crate::server::db::Tx,
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
            amount: line.amount,
            descriptor: &line.descriptor,
            wallet_ref: line.reference.as_deref(),
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

/// Sends a draft: checks every section and the declaration, then writes the
/// claim, its lines, the `submitted` event and the receipt mail in one
/// transaction, and deletes the draft. The claim is locked from then on.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn send(
    state: &AppState,
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
    // The banks must still take part (an admin may have changed the list).
    for account in &doc.answers.accounts {
        if !banks::by_code(&state.db, &account.bank)
            .await?
            .is_some_and(|b| b.participating)
        {
            return Err(AppError::field("declare_true", "bank_not_participating"));
        }
    }
    let now = Utc::now();
    let (id, claimant, email) = (doc.id, user.id, user.email.clone());
    let lang = Lang::parse(&derived.about.lang).unwrap_or(user.lang);
    let public_url = state.settings.public_url.clone();
    let ip = ip.to_owned();
    let answers = doc.answers.clone();
    // One transaction, committed with the other submissions waiting for
    // SQLite's writer (group commit); answered once it is durable.
    let writes = crate::server::group_commit::work(move |tx| {
        Box::pin(async move {
            // The draft row is the lock: two sends of one draft cannot both delete it.
            if !drafts::delete(tx, id).await? {
                return Err(AppError::Conflict("claim_already_sent"));
            }
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
                    total_claimed: derived.total,
                    answers: &json,
                    payout: &derived.payout,
                    compensated_amount: derived.about.compensated_amount,
                    now,
                },
                &claims::Sent {
                    ip: &ip,
                    day: today_jst(now),
                },
            )
            .await?;
            write_lines(tx, id, &answers, &[]).await?;
            super::cases::record_submitted(tx, id, claimant, now).await?;
            let text = mails::claim_received(lang, &public_url, &reference_text);
            mails::queue(tx, &email, Some(id), &text, now).await?;
            Ok(reference)
        })
    });
    let reference = state.commits.run(&state.db, writes).await?;
    let reference_text = reference.to_string();
    tracing::info!(reference = %reference_text, "claim submitted");
    // The claim is durable: answer now. Its flags, and those of claims that
    // share an account, a debit or a contact with it, are computed beside
    // the answer (the sweep computes any a crash leaves undone): under a
    // rush they queue on the single writer and must not hold the claimant.
    let db = state.db.clone();
    tokio::spawn(async move { assessment::refresh_after_change(&db, id).await });
    Ok(reference)
}

/// The claimant answers an open request: the reply text, and the changed
/// sections take effect; the case goes back to the staff's queue.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn reply(
    state: &AppState,
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
    let step = super::cases::Step::new(Action::AnswerRequest, user);
    super::cases::next(doc.state, &step, &facts)?;
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
            total_claimed: derived.total,
            answers: &json,
            payout: &derived.payout,
            compensated_amount: derived.about.compensated_amount,
            now,
        },
        doc.version,
    )
    .await?
    {
        return Err(AppError::Conflict("case_changed"));
    }
    // Lines are written again only when the claimant could change them.
    if doc.open.iter().any(|s| {
        matches!(
            s,
            Section::Debits | Section::Calls | Section::Travel | Section::About
        )
    }) {
        // A debit a bank has answered stays: it can be changed, not removed.
        let answered = bank_review::answered_line_ids(&mut tx, doc.id).await?;
        let now_there: Vec<Uuid> = doc.answers.debit_lines().map(|(_, l)| l.id).collect();
        if answered.iter().any(|id| !now_there.contains(id)) {
            return Err(AppError::field("reply", "answered_line_removed"));
        }
        claims::clear_debit_lines_for_rewrite(&mut tx, doc.id).await?;
        write_lines(&mut tx, doc.id, &doc.answers, &answered).await?;
    }
    if !requests::answer(&mut tx, request.id, &reply, now).await? {
        return Err(AppError::Conflict("case_changed"));
    }
    // The answers above moved the version on by one.
    let case = super::cases::CaseAt {
        id: doc.id,
        state: doc.state,
        version: Some(doc.version + 1),
    };
    super::cases::transition(&mut tx, case, &facts, &step.at(now)).await?;
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
    state: &AppState,
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
    let step = super::cases::Step::new(Action::RequestInfo, staff).note(Some(&question));
    super::cases::next(claim.state, &step, &CaseFacts::default())?;
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
    super::cases::transition(
        &mut tx,
        super::cases::CaseAt::of(&claim, claim.version),
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
        today_jst(now) + Duration::days(super::reminders::REMIND_AFTER_DAYS),
    );
    mails::queue(&mut tx, &email, Some(claim.id), &text, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Old drafts: a reminder mail 7 days before deletion, then deletion (with
/// their files) 90 days after the last change. Returns (reminded, deleted).
#[tracing::instrument(skip_all)]
pub async fn expire_drafts(
    db: &Db,
    files: &dyn crate::server::files::FileStore,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<(usize, usize), AppError> {
    let remind_before = now - Duration::days(DRAFT_DAYS - REMINDER_DAYS_BEFORE);
    let mut reminded = 0;
    for d in drafts::needing_reminder(db, remind_before).await? {
        let lang = Lang::parse(&d.lang).unwrap_or_default();
        let deleted_on = today_jst(d.updated_at + Duration::days(DRAFT_DAYS));
        let text = mails::draft_expiring(lang, public_url, deleted_on);
        let mut tx = db.begin().await?;
        if drafts::mark_reminded(&mut tx, d.id, d.updated_at, now).await? {
            mails::queue(&mut tx, &d.email, None, &text, now).await?;
            tx.commit().await?;
            reminded += 1;
        }
    }
    let mut deleted = 0;
    let expired = drafts::expired(
        db,
        now - Duration::days(DRAFT_DAYS),
        now - Duration::days(REMINDER_DAYS_BEFORE),
    )
    .await?;
    for id in expired {
        let mut tx = db.begin().await?;
        let names = evidence::delete_case(&mut tx, id).await?;
        if drafts::delete(&mut tx, id).await? {
            tx.commit().await?;
            for name in names {
                if let Err(e) = files.delete(&name).await {
                    tracing::warn!(error = %e, "could not delete an expired draft's file");
                }
            }
            deleted += 1;
        }
    }
    if reminded + deleted > 0 {
        tracing::info!(reminded, deleted, "draft expiry");
    }
    Ok((reminded, deleted))
}

/// Runs the draft expiry and the request reminders every `every` until the
/// process stops.
#[tracing::instrument(skip_all)]
pub async fn run_expiry(state: AppState, every: std::time::Duration) {
    // The first round comes one period after start: a process that restarts
    // often does not repeat the work, and nothing races a fresh start.
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tick.tick().await;
        if let Err(e) = expire_drafts(
            &state.db,
            state.files.as_ref(),
            &state.settings.public_url,
            Utc::now(),
        )
        .await
        {
            tracing::warn!(error = %e, "draft expiry failed; will retry");
        }
        if let Err(e) =
            super::reminders::remind_requests(&state.db, &state.settings.public_url, Utc::now())
                .await
        {
            tracing::warn!(error = %e, "request reminders failed; will retry");
        }
    }
}
