//! The sections of a draft (or of a claim being changed in answer to a
//! request): each save is a typed value from the page's parser, written
//! with a compare-and-set on the whole document.

use super::*;

/// "About you". The preferred language is also the user's language from now
/// on (their mail follows it).
#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn save_about(
    state: &Core,
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
        crate::services::accounts::set_language(state, user.id, lang).await?;
    }
    Ok(())
}

/// A branch by its name as a person types it without the lookup island:
/// the name or kana exactly (with or without 支店); else a part of it
/// ("駅前"), or its romaji ("Sendai Ekimae"), when that names one branch.
async fn find_branch_by_name(
    db: &Db,
    bank: &str,
    name: &str,
) -> Result<Vec<banks::BranchRow>, AppError> {
    let exact = banks::find_branches(db, bank, None, Some(name)).await?;
    if !exact.is_empty() {
        return Ok(exact);
    }
    let typed = name.trim();
    if typed.is_ascii() {
        let codes = crate::bank_data::branches_by_romaji(bank, typed);
        if let [code] = codes.as_slice() {
            return Ok(banks::find_branches(db, bank, Some(code), None).await?);
        }
        return Ok(Vec::new());
    }
    // A part of two characters at least ("駅前"): one would name a branch
    // by chance.
    let part = typed.trim_end_matches("支店");
    if part.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let found = banks::search_branches(db, bank, part, 2).await?;
    Ok(if found.len() == 1 { found } else { Vec::new() })
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
        BranchQuery::Name(name) => find_branch_by_name(db, input.bank.as_str(), name).await?,
    };
    // A passbook's converted branch is said beside the passbook's fields.
    let branch_field = if input.passbook.is_some() {
        "yucho_symbol"
    } else {
        "branch"
    };
    let branch = match found.as_slice() {
        [one] => Some(one.clone()),
        [] => {
            errors.add(branch_field, "branch_not_found");
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
    state: &Core,
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
            passbook: input.passbook.as_ref().map(|p| p.printed()),
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
    state: &Core,
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
    state: &Core,
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
    state: &Core,
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
pub(crate) fn upsert<T: Clone>(
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
    state: &Core,
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
    state: &Core,
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
    state: &Core,
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
    state: &Core,
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
                passbook: input.passbook.as_ref().map(|p| p.printed()),
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
