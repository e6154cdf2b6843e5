//! Demo data for `make run`: the banks of the reference incident take part,
//! one login per role, and a few claims in the queues.

use crate::domain::{ClaimInput, DebitLineInput, Role};
use crate::i18n::Lang;
use crate::server::auth::CurrentUser;
use crate::server::error::AppError;
use crate::server::services::{accounts, banks, claims};
use crate::server::state::AppState;
use crate::server::store::users;

/// The banks hit in the reference incident (regional banks, Japan Post Bank, Aeon Bank).
pub const DEMO_BANKS: [&str; 11] = [
    "0125", "0126", "0152", "0157", "0158", "0163", "0166", "0168", "0174", "0040", "9900",
];

pub const DEMO_PASSWORD: &str = "redress-demo-2020";

/// (e-mail, role, bank) of every demo login.
pub const DEMO_USERS: [(&str, Role, Option<&str>); 7] = [
    ("claimant@redress.example", Role::Claimant, None),
    ("bank.77@redress.example", Role::BankStaff, Some("0125")),
    ("bank.yucho@redress.example", Role::BankStaff, Some("9900")),
    ("reviewer@redress.example", Role::Reviewer, None),
    ("approver@redress.example", Role::Approver, None),
    ("payments@redress.example", Role::Payments, None),
    ("admin@redress.example", Role::Admin, None),
];

/// Seeds the demo data; running it again changes nothing.
pub async fn seed(state: &AppState) -> Result<(), AppError> {
    for code in DEMO_BANKS {
        banks::set_participating(&state.db, code, true).await?;
    }
    let mut fresh_claimant = None;
    for (email, role, bank) in DEMO_USERS {
        if users::by_email(&state.db, email).await?.is_some() {
            continue;
        }
        let id = accounts::create_user(state, email, DEMO_PASSWORD, role, bank).await?;
        if role == Role::Claimant {
            fresh_claimant = Some(CurrentUser {
                id,
                email: email.to_owned(),
                role,
                bank_code: None,
                lang: Lang::Ja,
            });
        }
    }
    if let Some(claimant) = fresh_claimant {
        for input in demo_claims() {
            claims::submit(state, &claimant, &input).await?;
        }
    }
    Ok(())
}

fn line(
    bank: &str,
    branch: &str,
    number: &str,
    date: &str,
    amount: &str,
    descriptor: &str,
) -> DebitLineInput {
    DebitLineInput {
        bank: bank.into(),
        branch: branch.into(),
        account_type: "ordinary".into(),
        account_number: number.into(),
        date: date.into(),
        amount: amount.into(),
        descriptor: descriptor.into(),
    }
}

fn demo_claims() -> Vec<ClaimInput> {
    vec![
        ClaimInput {
            full_name: "山田 花子".into(),
            name_kana: "ヤマダ ハナコ".into(),
            phone: "022-123-4567".into(),
            lines: vec![
                line(
                    "0125",
                    "本店営業部",
                    "1234567",
                    "2020-09-03",
                    "100000",
                    "ドコモコウザ",
                ),
                line(
                    "0125",
                    "本店営業部",
                    "1234567",
                    "2020-09-04",
                    "100000",
                    "ドコモコウザ",
                ),
            ],
            declaration: true,
        },
        ClaimInput {
            full_name: "佐藤 一郎".into(),
            name_kana: "サトウ イチロウ".into(),
            phone: "090-2345-6789".into(),
            lines: vec![line(
                "9900",
                "108",
                "7654321",
                "2020-09-05",
                "30000",
                "デイーバライ",
            )],
            declaration: true,
        },
    ]
}
