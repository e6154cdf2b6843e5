//! The compensation policy as data (an admin edits it; each version is
//! kept and a case records the one it was assessed under), the flags a case
//! raises against it, and the amounts an assessment starts from. A flag
//! never decides alone: the reviewer acknowledges each with a note.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::text::kana_fold;

/// The limits and rules of one policy version. Amounts in yen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub version: i64,
    /// The most one debit is compensated for.
    pub per_charge_limit: i64,
    /// The most one wallet (or, without a wallet reference, one account)
    /// is compensated for per calendar month.
    pub monthly_wallet_limit: i64,
    /// Debits from this many days before the claim was sent are covered.
    pub window_days: i64,
    pub call_cap_per_line: i64,
    pub call_cap_per_claim: i64,
    pub travel_cap_per_line: i64,
    pub travel_cap_per_claim: i64,
    /// Call and travel costs above this need a receipt.
    pub receipt_above: i64,
    /// Losses already compensated elsewhere are deducted.
    pub deduct_compensated: bool,
}

impl Default for Policy {
    /// The first version, as the incident's compensation scheme set it.
    fn default() -> Policy {
        Policy {
            version: 1,
            per_charge_limit: 100_000,
            monthly_wallet_limit: 300_000,
            window_days: 90,
            call_cap_per_line: 3_000,
            call_cap_per_claim: 20_000,
            travel_cap_per_line: 10_000,
            travel_cap_per_claim: 50_000,
            receipt_above: 5_000,
            deduct_compensated: true,
        }
    }
}

/// One debit line as the rules see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebitFacts {
    pub position: i64,
    /// Bank, branch and account number, e.g. `0125-100-1234567`.
    pub account: String,
    pub wallet: Option<String>,
    pub date: NaiveDate,
    pub amount: i64,
    /// `confirmed`, `disputed`, or None while the bank has not answered.
    pub bank_verdict: Option<String>,
    pub confirmed_amount: Option<i64>,
    /// The account holder's name as the bank confirmed it (its reading).
    pub bank_holder: Option<String>,
}

impl DebitFacts {
    /// The amount the rules count: the bank's when it confirmed one.
    fn counted(&self) -> i64 {
        match (self.bank_verdict.as_deref(), self.confirmed_amount) {
            (Some("confirmed"), Some(a)) => a,
            _ => self.amount,
        }
    }
}

/// A call or travel cost line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostFacts {
    pub position: i64,
    pub amount: i64,
    pub has_receipt: bool,
}

/// A claim as the rules see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimFacts {
    pub sent_on: NaiveDate,
    pub debits: Vec<DebitFacts>,
    pub calls: Vec<CostFacts>,
    pub travel: Vec<CostFacts>,
    /// Compensation already received from someone else.
    pub compensated_elsewhere: i64,
    /// The claimant's name as they read it (`ヤマダ タロウ`).
    pub claimant_kana: String,
}

/// What the database knows of other claims (references).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Elsewhere {
    /// Open or paid claims naming the same bank account.
    pub same_account: Vec<String>,
    /// Other claims with the same debit (bank, account, date, amount), by line.
    pub same_debit: Vec<(i64, String)>,
    /// Claims from the same e-mail or phone within 24 hours.
    pub same_contact: Vec<String>,
    /// How many other claims were sent from the same client address on the
    /// same day: a count, not a list (a carrier's shared address carries
    /// thousands of phones).
    pub same_address: i64,
    /// Other claims on which the bank confirmed the same debit (its
    /// reference, or account, date and amount), by line.
    pub confirmed_elsewhere: Vec<(i64, String)>,
}

/// Something the reviewer must look at and acknowledge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flag {
    OverChargeLimit {
        line: i64,
        amount: i64,
    },
    OverMonthlyLimit {
        wallet: String,
        month: String,
        total: i64,
    },
    OutsideWindow {
        line: i64,
    },
    CompensatedElsewhere {
        amount: i64,
    },
    SameAccountElsewhere {
        claims: Vec<String>,
    },
    SameDebitElsewhere {
        line: i64,
        claims: Vec<String>,
    },
    SameContactElsewhere {
        claims: Vec<String>,
    },
    /// Other claims sent from the same client address that day.
    SameAddress {
        count: i64,
    },
    /// The bank confirmed this very debit on another claim too.
    ConfirmedElsewhere {
        line: i64,
        claims: Vec<String>,
    },
    NotConfirmed {
        line: i64,
    },
    /// The bank confirmed the debit on an account held in another name
    /// than the claimant's reading (kana compared as banks keep them).
    HolderDiffers {
        line: i64,
        holder: String,
    },
    CallsOverCap {
        line: Option<i64>,
    },
    TravelOverCap {
        line: Option<i64>,
    },
    ReceiptMissing {
        calls: bool,
        line: i64,
    },
}

/// Every kind of flag (see [`Flag::kind`]), in the order pages list them.
pub const FLAG_KINDS: [&str; 12] = [
    "flag_over_limit",
    "flag_outside_window",
    "flag_compensated",
    "flag_same_account",
    "flag_same_debit",
    "flag_confirmed_elsewhere",
    "flag_same_contact",
    "flag_same_address",
    "flag_not_confirmed",
    "flag_holder_differs",
    "flag_cost_cap",
    "flag_receipt_missing",
];

impl Flag {
    /// The kind of flag: the queue filter and the text's key.
    pub fn kind(&self) -> &'static str {
        match self {
            Flag::OverChargeLimit { .. } | Flag::OverMonthlyLimit { .. } => "flag_over_limit",
            Flag::OutsideWindow { .. } => "flag_outside_window",
            Flag::CompensatedElsewhere { .. } => "flag_compensated",
            Flag::SameAccountElsewhere { .. } => "flag_same_account",
            Flag::SameDebitElsewhere { .. } => "flag_same_debit",
            Flag::SameContactElsewhere { .. } => "flag_same_contact",
            Flag::SameAddress { .. } => "flag_same_address",
            Flag::ConfirmedElsewhere { .. } => "flag_confirmed_elsewhere",
            Flag::NotConfirmed { .. } => "flag_not_confirmed",
            Flag::HolderDiffers { .. } => "flag_holder_differs",
            Flag::CallsOverCap { .. } | Flag::TravelOverCap { .. } => "flag_cost_cap",
            Flag::ReceiptMissing { .. } => "flag_receipt_missing",
        }
    }

    /// A stable name of this very flag, for its acknowledgement.
    pub fn key(&self) -> String {
        match self {
            Flag::OverChargeLimit { line, .. } => format!("over_charge_limit:{line}"),
            Flag::OverMonthlyLimit { wallet, month, .. } => {
                format!("over_monthly_limit:{wallet}:{month}")
            }
            Flag::OutsideWindow { line } => format!("outside_window:{line}"),
            Flag::CompensatedElsewhere { .. } => "compensated_elsewhere".to_owned(),
            Flag::SameAccountElsewhere { .. } => "same_account".to_owned(),
            Flag::SameDebitElsewhere { line, .. } => format!("same_debit:{line}"),
            Flag::SameContactElsewhere { .. } => "same_contact".to_owned(),
            Flag::SameAddress { .. } => "same_address".to_owned(),
            Flag::ConfirmedElsewhere { line, .. } => format!("confirmed_elsewhere:{line}"),
            Flag::NotConfirmed { line } => format!("not_confirmed:{line}"),
            Flag::HolderDiffers { line, .. } => format!("holder_differs:{line}"),
            Flag::CallsOverCap { line } => format!("calls_over_cap:{}", opt(line)),
            Flag::TravelOverCap { line } => format!("travel_over_cap:{}", opt(line)),
            Flag::ReceiptMissing { calls, line } => {
                format!(
                    "receipt_missing:{}:{line}",
                    if *calls { "call" } else { "travel" }
                )
            }
        }
    }
}

fn opt(line: &Option<i64>) -> String {
    line.map(|l| l.to_string())
        .unwrap_or_else(|| "claim".to_owned())
}

/// The flags a claim raises under `policy`, in a stable order.
pub fn flags(policy: &Policy, claim: &ClaimFacts, elsewhere: &Elsewhere) -> Vec<Flag> {
    let mut out = Vec::new();
    let window_start = claim.sent_on - Duration::days(policy.window_days);
    let mut months: BTreeMap<(String, String), i64> = BTreeMap::new();
    for d in &claim.debits {
        let counted = d.counted();
        if counted > policy.per_charge_limit {
            out.push(Flag::OverChargeLimit {
                line: d.position,
                amount: counted,
            });
        }
        if d.date < window_start {
            out.push(Flag::OutsideWindow { line: d.position });
        }
        if d.bank_verdict.as_deref() != Some("confirmed") {
            out.push(Flag::NotConfirmed { line: d.position });
        } else if let Some(holder) = &d.bank_holder
            && kana_fold(holder) != kana_fold(&claim.claimant_kana)
        {
            out.push(Flag::HolderDiffers {
                line: d.position,
                holder: holder.clone(),
            });
        }
        let wallet = d.wallet.clone().unwrap_or_else(|| d.account.clone());
        let month = format!("{:04}-{:02}", d.date.year(), d.date.month());
        *months.entry((wallet, month)).or_default() += counted;
    }
    for ((wallet, month), total) in months {
        if total > policy.monthly_wallet_limit {
            out.push(Flag::OverMonthlyLimit {
                wallet,
                month,
                total,
            });
        }
    }
    for (lines, calls, per_line, per_claim) in [
        (
            &claim.calls,
            true,
            policy.call_cap_per_line,
            policy.call_cap_per_claim,
        ),
        (
            &claim.travel,
            false,
            policy.travel_cap_per_line,
            policy.travel_cap_per_claim,
        ),
    ] {
        let over = |line| {
            if calls {
                Flag::CallsOverCap { line }
            } else {
                Flag::TravelOverCap { line }
            }
        };
        for l in lines {
            if l.amount > per_line {
                out.push(over(Some(l.position)));
            }
            if l.amount > policy.receipt_above && !l.has_receipt {
                out.push(Flag::ReceiptMissing {
                    calls,
                    line: l.position,
                });
            }
        }
        if lines.iter().map(|l| l.amount).sum::<i64>() > per_claim {
            out.push(over(None));
        }
    }
    if claim.compensated_elsewhere > 0 {
        out.push(Flag::CompensatedElsewhere {
            amount: claim.compensated_elsewhere,
        });
    }
    if !elsewhere.same_account.is_empty() {
        out.push(Flag::SameAccountElsewhere {
            claims: elsewhere.same_account.clone(),
        });
    }
    let mut by_line: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (line, reference) in &elsewhere.same_debit {
        by_line.entry(*line).or_default().push(reference.clone());
    }
    for (line, claims) in by_line {
        out.push(Flag::SameDebitElsewhere { line, claims });
    }
    if !elsewhere.same_contact.is_empty() {
        out.push(Flag::SameContactElsewhere {
            claims: elsewhere.same_contact.clone(),
        });
    }
    if elsewhere.same_address > 0 {
        out.push(Flag::SameAddress {
            count: elsewhere.same_address,
        });
    }
    let mut by_line: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (line, reference) in &elsewhere.confirmed_elsewhere {
        let claims = by_line.entry(*line).or_default();
        if !claims.contains(reference) {
            claims.push(reference.clone());
        }
    }
    for (line, claims) in by_line {
        out.push(Flag::ConfirmedElsewhere { line, claims });
    }
    out
}

/// The amounts an assessment starts from: per debit the bank-confirmed
/// amount up to the per-charge limit (nothing while unconfirmed or
/// disputed, or outside the window); per cost line the claimed amount up to
/// its cap when the receipt rule is met. The reviewer may change any, with
/// a reason.
pub fn suggested_amounts(policy: &Policy, claim: &ClaimFacts) -> Suggested {
    let window_start = claim.sent_on - Duration::days(policy.window_days);
    let debits = claim
        .debits
        .iter()
        .map(|d| {
            let amount = match (d.bank_verdict.as_deref(), d.confirmed_amount) {
                (Some("confirmed"), Some(a)) if d.date >= window_start => {
                    a.min(policy.per_charge_limit)
                }
                _ => 0,
            };
            (d.position, amount)
        })
        .collect();
    let costs = |lines: &[CostFacts], per_line: i64| -> Vec<(i64, i64)> {
        lines
            .iter()
            .map(|l| {
                let ok = l.amount <= policy.receipt_above || l.has_receipt;
                (l.position, if ok { l.amount.min(per_line) } else { 0 })
            })
            .collect()
    };
    Suggested {
        debits,
        calls: costs(&claim.calls, policy.call_cap_per_line),
        travel: costs(&claim.travel, policy.travel_cap_per_line),
    }
}

/// Approved amounts by line position.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggested {
    pub debits: Vec<(i64, i64)>,
    pub calls: Vec<(i64, i64)>,
    pub travel: Vec<(i64, i64)>,
}

/// The amount fields of a policy, in the order an admin's form shows them:
/// (field name, least allowed value).
pub const POLICY_AMOUNTS: [(&str, i64); 7] = [
    ("per_charge_limit", 1),
    ("monthly_wallet_limit", 1),
    ("call_cap_per_line", 0),
    ("call_cap_per_claim", 0),
    ("travel_cap_per_line", 0),
    ("travel_cap_per_claim", 0),
    ("receipt_above", 0),
];

impl Policy {
    /// The value of an amount field by its name (see [`POLICY_AMOUNTS`]).
    pub fn amount(&self, name: &str) -> Option<i64> {
        Some(match name {
            "per_charge_limit" => self.per_charge_limit,
            "monthly_wallet_limit" => self.monthly_wallet_limit,
            "call_cap_per_line" => self.call_cap_per_line,
            "call_cap_per_claim" => self.call_cap_per_claim,
            "travel_cap_per_line" => self.travel_cap_per_line,
            "travel_cap_per_claim" => self.travel_cap_per_claim,
            "receipt_above" => self.receipt_above,
            _ => return None,
        })
    }
}

/// An admin's edit of the policy: the next version after `based_on`, and
/// the note saying why. Every field is checked; the errors name them.
pub fn parse_policy(
    form: &crate::answers::Form,
    based_on: i64,
) -> Result<(Policy, String), crate::FieldErrors> {
    let get = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let mut errors = crate::FieldErrors::new();
    let mut amounts = BTreeMap::new();
    for (name, least) in POLICY_AMOUNTS {
        match crate::Yen::parse_in_range(get(name), least, 100_000_000) {
            Ok(y) => {
                amounts.insert(name, y.value());
            }
            Err(k) => errors.add(name, k),
        }
    }
    let window_days = match get("window_days").trim().parse::<i64>() {
        Ok(d) if (1..=3650).contains(&d) => d,
        _ => {
            errors.add("window_days", "window_days_invalid");
            0
        }
    };
    let deduct_compensated = match get("deduct_compensated") {
        "yes" => true,
        "no" => false,
        _ => {
            errors.add("deduct_compensated", "deduct_choice_required");
            false
        }
    };
    let note = match crate::answers::parse_text(get("policy_note"), true, 500, "policy_note") {
        Ok(n) => n.unwrap_or_default(),
        Err(k) => {
            errors.add("policy_note", k);
            String::new()
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let a = |name: &str| amounts.get(name).copied().unwrap_or(0);
    Ok((
        Policy {
            version: based_on + 1,
            per_charge_limit: a("per_charge_limit"),
            monthly_wallet_limit: a("monthly_wallet_limit"),
            window_days,
            call_cap_per_line: a("call_cap_per_line"),
            call_cap_per_claim: a("call_cap_per_claim"),
            travel_cap_per_line: a("travel_cap_per_line"),
            travel_cap_per_claim: a("travel_cap_per_claim"),
            receipt_above: a("receipt_above"),
            deduct_compensated,
        },
        note,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn debit(position: i64, date: NaiveDate, amount: i64) -> DebitFacts {
        DebitFacts {
            position,
            account: "0125-100-1234567".into(),
            wallet: None,
            date,
            amount,
            bank_verdict: Some("confirmed".into()),
            confirmed_amount: Some(amount),
            bank_holder: Some("ﾔﾏﾀﾞ ﾀﾛｳ".into()),
        }
    }

    fn claim(debits: Vec<DebitFacts>) -> ClaimFacts {
        ClaimFacts {
            sent_on: day(2020, 10, 1),
            debits,
            calls: Vec::new(),
            travel: Vec::new(),
            compensated_elsewhere: 0,
            claimant_kana: "やまだ たろう".into(),
        }
    }

    /// The bank's half-width holder name and the claimant's hiragana
    /// reading are the same name; another name is a flag, never a refusal.
    #[test]
    fn a_holder_in_another_name_is_flagged_and_the_same_name_in_any_kana_is_not() {
        let p = Policy::default();
        let mut c = claim(vec![debit(1, day(2020, 9, 3), 10_000)]);
        assert!(flags(&p, &c, &Elsewhere::default()).is_empty());
        c.debits[0].bank_holder = Some("ﾔﾏﾀﾞ ﾊﾅｺ".into());
        let f = flags(&p, &c, &Elsewhere::default());
        assert_eq!(
            f,
            [Flag::HolderDiffers {
                line: 1,
                holder: "ﾔﾏﾀﾞ ﾊﾅｺ".into()
            }]
        );
        assert_eq!(f[0].key(), "holder_differs:1");
        // Not confirmed yet: nothing to compare.
        c.debits[0].bank_verdict = None;
        assert_eq!(
            kinds(&flags(&p, &c, &Elsewhere::default())),
            ["flag_not_confirmed"]
        );
    }

    fn kinds(flags: &[Flag]) -> Vec<&'static str> {
        flags.iter().map(Flag::kind).collect()
    }

    #[test]
    fn a_charge_of_100_001_yen_is_over_the_limit_and_100_000_is_not() {
        let p = Policy::default();
        let f = flags(
            &p,
            &claim(vec![
                debit(1, day(2020, 9, 3), 100_000),
                debit(2, day(2020, 8, 3), 100_001),
            ]),
            &Elsewhere::default(),
        );
        assert_eq!(
            f,
            [Flag::OverChargeLimit {
                line: 2,
                amount: 100_001
            }]
        );
        let s = suggested_amounts(&p, &claim(vec![debit(2, day(2020, 9, 3), 100_001)]));
        assert_eq!(s.debits, [(2, 100_000)]);
    }

    #[test]
    fn a_month_of_310_000_yen_on_one_wallet_is_over_the_monthly_limit() {
        let p = Policy::default();
        let september = vec![
            debit(1, day(2020, 9, 1), 100_000),
            debit(2, day(2020, 9, 10), 100_000),
            debit(3, day(2020, 9, 20), 100_000),
            debit(4, day(2020, 9, 30), 10_000),
        ];
        let f = flags(&p, &claim(september.clone()), &Elsewhere::default());
        assert_eq!(
            f,
            [Flag::OverMonthlyLimit {
                wallet: "0125-100-1234567".into(),
                month: "2020-09".into(),
                total: 310_000
            }]
        );
        // The same amounts over two months, or on two wallets, are not.
        let mut split = september.clone();
        split[3].date = day(2020, 8, 31);
        assert!(flags(&p, &claim(split), &Elsewhere::default()).is_empty());
        let mut wallets = september;
        wallets[3].wallet = Some("d-barai-2".into());
        assert!(flags(&p, &claim(wallets), &Elsewhere::default()).is_empty());
    }

    #[test]
    fn a_debit_91_days_before_the_claim_is_outside_the_window() {
        let p = Policy::default();
        let sent = day(2020, 10, 1);
        let f = flags(
            &p,
            &claim(vec![
                debit(1, sent - Duration::days(90), 1000),
                debit(2, sent - Duration::days(91), 1000),
            ]),
            &Elsewhere::default(),
        );
        assert_eq!(f, [Flag::OutsideWindow { line: 2 }]);
        let s = suggested_amounts(&p, &claim(vec![debit(2, sent - Duration::days(91), 1000)]));
        assert_eq!(s.debits, [(2, 0)]);
    }

    #[test]
    fn a_debit_repeated_in_another_claim_and_other_facts_are_flagged() {
        let p = Policy::default();
        let mut unanswered = debit(2, day(2020, 9, 4), 5000);
        unanswered.bank_verdict = None;
        unanswered.confirmed_amount = None;
        let mut c = claim(vec![debit(1, day(2020, 9, 3), 5000), unanswered]);
        c.compensated_elsewhere = 3000;
        c.calls = vec![
            CostFacts {
                position: 1,
                amount: 2000,
                has_receipt: false,
            },
            CostFacts {
                position: 2,
                amount: 6000,
                has_receipt: false,
            },
        ];
        let elsewhere = Elsewhere {
            same_account: vec!["RD-000009".into()],
            same_debit: vec![(1, "RD-000009".into())],
            same_contact: vec!["RD-000010".into()],
            same_address: 4_999,
            confirmed_elsewhere: vec![(1, "RD-000009".into()), (1, "RD-000009".into())],
        };
        let f = flags(&p, &c, &elsewhere);
        assert_eq!(
            kinds(&f),
            [
                "flag_not_confirmed",
                "flag_cost_cap",
                "flag_receipt_missing",
                "flag_compensated",
                "flag_same_account",
                "flag_same_debit",
                "flag_same_contact",
                "flag_same_address",
                "flag_confirmed_elsewhere",
            ]
        );
        // The address signal is a count, however many share the address.
        assert!(f.contains(&Flag::SameAddress { count: 4_999 }));
        // The same other claim named once, however the bank's answers match.
        assert!(f.contains(&Flag::ConfirmedElsewhere {
            line: 1,
            claims: vec!["RD-000009".into()]
        }));
        assert!(f.contains(&Flag::SameDebitElsewhere {
            line: 1,
            claims: vec!["RD-000009".into()]
        }));
        // Every flag has its own key, to be acknowledged one by one.
        let mut keys: Vec<String> = f.iter().map(Flag::key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), f.len());
        // A cost over the receipt limit without a receipt starts at nothing.
        let s = suggested_amounts(&p, &c);
        assert_eq!(s.calls, [(1, 2000), (2, 0)]);
        assert_eq!(s.debits, [(1, 5000), (2, 0)]);
    }

    #[test]
    fn an_admins_edit_is_the_next_version_and_every_field_is_checked() {
        let mut form = crate::answers::Form::new();
        let base = Policy::default();
        for (name, _) in POLICY_AMOUNTS {
            form.insert(name.to_owned(), base.amount(name).unwrap().to_string());
        }
        form.insert("per_charge_limit".into(), "150,000".into());
        form.insert("window_days".into(), "120".into());
        form.insert("deduct_compensated".into(), "no".into());
        form.insert("policy_note".into(), "Board decision 12".into());
        let (p, note) = parse_policy(&form, 3).unwrap();
        assert_eq!(p.version, 4);
        assert_eq!(p.per_charge_limit, 150_000);
        assert_eq!(p.window_days, 120);
        assert!(!p.deduct_compensated);
        assert_eq!(p.monthly_wallet_limit, base.monthly_wallet_limit);
        assert_eq!(note, "Board decision 12");

        form.insert("per_charge_limit".into(), "0".into());
        form.insert("window_days".into(), "ninety".into());
        form.remove("deduct_compensated");
        form.insert("policy_note".into(), " ".into());
        let errors = parse_policy(&form, 3).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        let expected: Vec<&str> = "per_charge_limit window_days deduct_compensated policy_note"
            .split(' ')
            .collect();
        assert_eq!(fields, expected);
    }
}
