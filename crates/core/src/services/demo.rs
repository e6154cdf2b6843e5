//! Demo data for `make run`: the banks of the reference incident take part,
//! one login per role, and a few claims in the queues.

use crate::auth::CurrentUser;
use crate::domain::answers::{self, Form, Section};
use crate::domain::{CaseRef, Role};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services::{accounts, banks, drafts};
use crate::state::Core;
use crate::store::{claims, users};

/// The banks hit in the reference incident (regional banks, Japan Post Bank, Aeon Bank).
pub const DEMO_BANKS: [&str; 11] = [
    "0125", "0126", "0152", "0157", "0158", "0163", "0166", "0168", "0174", "0040", "9900",
];

pub const DEMO_PASSWORD: &str = "redress-demo-2020";

/// (e-mail, role, bank) of every demo login.
pub const DEMO_USERS: [(&str, Role, Option<&str>); 8] = [
    ("claimant@redress.example", Role::Claimant, None),
    ("bank.77@redress.example", Role::BankStaff, Some("0125")),
    ("bank.yucho@redress.example", Role::BankStaff, Some("9900")),
    ("reviewer@redress.example", Role::Reviewer, None),
    ("approver@redress.example", Role::Approver, None),
    ("approver2@redress.example", Role::Approver, None),
    ("payments@redress.example", Role::Payments, None),
    ("admin@redress.example", Role::Admin, None),
];

/// Seeds the demo data; running it again changes nothing.
#[tracing::instrument(skip_all)]
pub async fn seed(state: &Core) -> Result<(), AppError> {
    for code in DEMO_BANKS {
        banks::set_participating(&state.db, code, true).await?;
    }
    let mut fresh_claimant = None;
    for (email, role, bank) in DEMO_USERS {
        if users::by_email(&state.db, email).await?.is_some() {
            continue;
        }
        let id = accounts::create_user(state, email, DEMO_PASSWORD, role, bank).await?;
        if role.is_staff() {
            // Staff log in with a second step: the demo's keys are printed
            // by `seed-demo` for an authenticator app.
            super::mfa::enrol_demo(state, id, email).await?;
        }
        if role == Role::Claimant {
            fresh_claimant = Some(CurrentUser {
                id,
                email: email.to_owned(),
                role,
                bank_code: None,
                bank_lead: false,
                lang: Lang::Ja,
            });
        }
    }
    // The 77 Bank's demo clerk is also its lead user (manages its API keys).
    if let Some(lead) = users::by_email(&state.db, "bank.77@redress.example").await? {
        let mut tx = state.db.begin().await?;
        users::set_bank_lead(&mut tx, lead.id, true).await?;
        tx.commit().await?;
    }
    if let Some(claimant) = fresh_claimant {
        let mut last = None;
        for claim in demo_claims() {
            last = Some(file_claim(state, &claimant, claim).await?);
        }
        if let Some(reference) = last {
            awaiting_claimant(state, &reference).await?;
        }
    }
    Ok(())
}

/// Puts the last demo claim where the claimant has to answer a request.
/// The bank's check belongs to the bank portal (not built yet): the demo
/// writes its two steps into the history as the bank would.
async fn awaiting_claimant(state: &Core, reference: &CaseRef) -> Result<(), AppError> {
    let reference = reference.to_string();
    let claim = claims::by_reference(&state.db, &reference)
        .await?
        .ok_or(AppError::NotFound)?;
    let staff = |email: &'static str| async move {
        users::by_email(&state.db, email)
            .await?
            .ok_or(AppError::NotFound)
    };
    let bank = staff("bank.77@redress.example").await?;
    let bank = CurrentUser {
        id: bank.id,
        email: bank.email,
        role: Role::BankStaff,
        bank_code: bank.bank_code,
        bank_lead: false,
        lang: Lang::Ja,
    };
    let now = chrono::Utc::now();
    let mut tx = state.db.begin().await?;
    use crate::domain::workflow::{Action, CaseFacts, CaseState as S};
    use crate::services::cases;
    // Staged: the bank's check is written as the bank would take it, but
    // its line stays unanswered for the bank's own demo (and its drill), so
    // the fact "all lines answered" is the demo's, not the database's.
    let staged = CaseFacts {
        all_lines_answered: true,
        ..CaseFacts::default()
    };
    for (i, (from, action)) in [
        (S::Submitted, Action::StartBankReview),
        (S::BankReview, Action::BankChecked),
    ]
    .into_iter()
    .enumerate()
    {
        let case = cases::CaseAt {
            id: claim.id,
            state: from,
            version: Some(claim.version + i as i64),
        };
        let at = now + chrono::Duration::milliseconds(i as i64 + 1);
        let step = cases::Step::new(action, &bank).at(at);
        cases::transition(&mut tx, case, &staged, &step).await?;
    }
    tx.commit().await?;
    let reviewer = staff("reviewer@redress.example").await?;
    let reviewer = CurrentUser {
        id: reviewer.id,
        email: reviewer.email,
        role: Role::Reviewer,
        bank_code: None,
        bank_lead: false,
        lang: Lang::Ja,
    };
    drafts::request_information(
        state,
        &reviewer,
        &reference,
        "電話代の請求書（通話明細）を添付し、銀行へかけた電話の料金を入力してください。",
        &[Section::Calls, Section::Evidence],
    )
    .await
}

fn form(pairs: &[(&str, &str)]) -> Form {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// One demo claim: (about-you fields, account fields, debit lines).
type DemoClaim<'a> = (
    Vec<(&'a str, &'a str)>,
    Vec<(&'a str, &'a str)>,
    Vec<Vec<(&'a str, &'a str)>>,
);

fn demo_claims() -> Vec<DemoClaim<'static>> {
    let about = |name: &'static str, kana: &'static str, phone: &'static str| {
        vec![
            ("full_name", name),
            ("name_kana", kana),
            ("birth_date", "1948-05-12"),
            ("postal_code", "980-0811"),
            ("address", "宮城県仙台市青葉区一番町1-1"),
            ("phone", phone),
            ("lang", "ja"),
            ("contact", "phone"),
            ("compensated", "no"),
        ]
    };
    let debit = |date: &'static str, amount: &'static str, descriptor: &'static str| {
        vec![
            ("date", date),
            ("amount", amount),
            ("descriptor", descriptor),
        ]
    };
    vec![
        (
            about("山田 花子", "ヤマダ ハナコ", "022-123-4567"),
            vec![
                ("bank", "0125"),
                ("branch", "本店営業部"),
                ("account_type", "ordinary"),
                ("account_number", "1234567"),
            ],
            vec![
                debit("2020-09-03", "100000", "ドコモコウザ"),
                debit("2020-09-04", "100000", "ドコモコウザ"),
            ],
        ),
        (
            about("佐藤 一郎", "サトウ イチロウ", "090-2345-6789"),
            vec![
                ("bank", "9900"),
                ("branch", "108"),
                ("account_type", "ordinary"),
                ("account_number", "7654321"),
            ],
            vec![debit("2020-09-05", "30000", "デイーバライ")],
        ),
        (
            about("高橋 和子", "タカハシ カズコ", "022-987-6543"),
            vec![
                ("bank", "0125"),
                ("branch", "100"),
                ("account_type", "ordinary"),
                ("account_number", "5550123"),
            ],
            vec![debit("2020-09-07", "200000", "ドコモコウザ")],
        ),
    ]
}

/// Files one demo claim through the same steps a claimant takes.
async fn file_claim(
    state: &Core,
    user: &CurrentUser,
    (about, account, debits): DemoClaim<'_>,
) -> Result<CaseRef, AppError> {
    let key = drafts::create(state, user).await?.to_string();
    // The demo's answers pass the same parsers a claimant's forms do.
    let today = answers::today_in_japan();
    let about = answers::parse_about(&form(&about), today).map_err(AppError::Invalid)?;
    drafts::save_about(state, user, &key, about).await?;
    let account = answers::parse_account(&form(&account)).map_err(AppError::Invalid)?;
    let aid = drafts::save_account(state, user, &key, None, account).await?;
    for d in debits {
        let line = answers::parse_debit(&form(&d), uuid::Uuid::new_v4(), today)
            .map_err(AppError::Invalid)?;
        drafts::save_debit(state, user, &key, Some(aid), line).await?;
    }
    for section in [
        Section::Debits,
        Section::Calls,
        Section::Travel,
        Section::Evidence,
    ] {
        drafts::finish_section(state, user, &key, section).await?;
    }
    let declaration = answers::Declaration {
        truthful: true,
        consent_to_share: true,
    };
    drafts::send(state, user, &key, declaration, "192.0.2.1").await
}
