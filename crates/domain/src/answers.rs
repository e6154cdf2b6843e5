//! A claim as the claimant builds it, section by section: what each question
//! page accepts, what the task list shows, and the totals. Every value stored
//! here was checked by one of the `parse_*` functions below; the same
//! functions run in the browser and on the server.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

use super::claim::{BranchQuery, parse_branch, parse_date, parse_descriptor};
use super::text::{collapse_spaces, has_control, to_half_width_ascii};
use super::yucho::{Passbook, YUCHO};
use super::{
    AccountNumber, AccountType, BankCode, FieldErrors, KatakanaName, PersonName, Phone, Yen,
};

/// The most bank accounts one claim may name.
pub const MAX_ACCOUNTS: usize = 10;
/// The most lines of one kind (debits over all accounts, calls, journeys).
pub const MAX_LINES: usize = 50;
/// The most evidence files one claim may hold.
pub const MAX_FILES: usize = 20;
/// The largest evidence file (10 MB).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// A call or a journey costs at most this much (1 million yen).
pub const MAX_EXPENSE: i64 = 1_000_000;
/// Short free-text answers (place names, purposes, references).
pub const MAX_SHORT_TEXT: usize = 100;
/// Addresses and replies.
pub const MAX_LONG_TEXT: usize = 2000;

/// The sections of the task list, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Section {
    About,
    Debits,
    Calls,
    Travel,
    Evidence,
    Payout,
    Declaration,
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::About,
        Section::Debits,
        Section::Calls,
        Section::Travel,
        Section::Evidence,
        Section::Payout,
        Section::Declaration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Section::About => "about",
            Section::Debits => "debits",
            Section::Calls => "calls",
            Section::Travel => "travel",
            Section::Evidence => "evidence",
            Section::Payout => "payout",
            Section::Declaration => "declaration",
        }
    }

    pub fn parse(input: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.as_str() == input)
    }

    /// The sections staff can ask a claimant to change (not the declaration).
    pub const REQUESTABLE: [Section; 6] = [
        Section::About,
        Section::Debits,
        Section::Calls,
        Section::Travel,
        Section::Evidence,
        Section::Payout,
    ];
}

/// Where a section stands, as the task list shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Progress {
    NotStarted,
    InProgress,
    Completed,
    CannotStartYet,
}

impl Progress {
    pub fn key(self) -> &'static str {
        match self {
            Progress::NotStarted => "task_not_started",
            Progress::InProgress => "task_in_progress",
            Progress::Completed => "task_completed",
            Progress::CannotStartYet => "task_cannot_start",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct About {
    pub full_name: String,
    pub name_kana: String,
    pub birth_date: NaiveDate,
    pub postal_code: String,
    pub address: String,
    pub phone: String,
    /// `ja` or `en`.
    pub lang: String,
    /// `email`, `phone` or `post`.
    pub contact: String,
    pub compensated: bool,
    pub compensated_amount: Option<i64>,
    pub compensated_by: Option<String>,
    pub police_number: Option<String>,
    pub police_date: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebitLine {
    pub id: Uuid,
    pub date: NaiveDate,
    pub amount: i64,
    pub descriptor: String,
    pub reference: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: Uuid,
    pub bank: String,
    pub bank_name: String,
    pub branch: String,
    pub branch_name: String,
    pub account_type: String,
    pub number: String,
    /// For a Japan Post Bank account given by its passbook: `記号-番号`
    /// as printed (`10530-12345671`), shown beside the Zengin form.
    #[serde(default)]
    pub passbook: Option<String>,
    #[serde(default)]
    pub lines: Vec<DebitLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallLine {
    pub id: Uuid,
    pub date: NaiveDate,
    /// `bank`, `operator`, `police` or `other`.
    pub callee: String,
    pub minutes: i64,
    pub cost: i64,
    pub receipt: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TravelLine {
    pub id: Uuid,
    pub date: NaiveDate,
    pub from: String,
    pub to: String,
    /// `train`, `bus`, `taxi`, `car` or `other`.
    pub means: String,
    pub purpose: String,
    pub cost: i64,
}

/// Where the money goes: one of the debited accounts, or another account in
/// the claimant's own name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Payout {
    Debited {
        account_id: Uuid,
    },
    Other {
        bank: String,
        bank_name: String,
        branch: String,
        branch_name: String,
        account_type: String,
        number: String,
        holder_kana: String,
        /// A Japan Post Bank account given by its passbook: `記号-番号`.
        #[serde(default)]
        passbook: Option<String>,
    },
}

/// The bank account a payout goes to, resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutAccount {
    pub bank: String,
    pub bank_name: String,
    pub branch: String,
    pub branch_name: String,
    pub account_type: String,
    pub number: String,
    pub holder_kana: String,
    /// A Japan Post Bank passbook's `記号-番号`, when the account was given so.
    #[serde(default)]
    pub passbook: Option<String>,
}

/// Everything the claimant has answered so far.
///
/// Stored as JSON (drafts, claims' answers and pending changes), so a row
/// written by an older version must keep loading: every field here takes
/// its default when missing (`#[serde(default)]`), and **a field added to
/// any type below carries `#[serde(default)]` or is an `Option`** (see the
/// test `an_older_shape_loads_with_defaults`). A row that cannot be read
/// is an error, never an empty claim that the next save would write over.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Answers {
    pub about: Option<About>,
    pub accounts: Vec<Account>,
    pub debits_done: bool,
    pub calls: Vec<CallLine>,
    pub calls_done: bool,
    pub travel: Vec<TravelLine>,
    pub travel_done: bool,
    pub evidence_done: bool,
    pub payout: Option<Payout>,
}

/// The totals claimed, per category and overall, always computed here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub debits: Yen,
    pub calls: Yen,
    pub travel: Yen,
    pub all: Yen,
}

impl Answers {
    /// Reads stored answers; an error (with serde's line and column) for a
    /// row that cannot be read.
    pub fn from_json(text: &str) -> Result<Answers, serde_json::Error> {
        // Only an object is answers (serde would also take `[]` as a struct
        // of defaults: an empty claim).
        if !text.trim_start().starts_with('{') {
            return Err(serde::de::Error::custom(
                "stored answers are not a JSON object",
            ));
        }
        serde_json::from_str(text)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }

    pub fn debit_lines(&self) -> impl Iterator<Item = (&Account, &DebitLine)> {
        self.accounts
            .iter()
            .flat_map(|a| a.lines.iter().map(move |l| (a, l)))
    }

    pub fn debit_count(&self) -> usize {
        self.accounts.iter().map(|a| a.lines.len()).sum()
    }

    pub fn totals(&self) -> Totals {
        let debits: i64 = self.debit_lines().map(|(_, l)| l.amount).sum();
        let calls: i64 = self.calls.iter().map(|l| l.cost).sum();
        let travel: i64 = self.travel.iter().map(|l| l.cost).sum();
        Totals {
            debits: Yen::from_db(debits),
            calls: Yen::from_db(calls),
            travel: Yen::from_db(travel),
            all: Yen::from_db(debits + calls + travel),
        }
    }

    pub fn account(&self, id: Uuid) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// The ids of every line a file can be linked to.
    pub fn line_ids(&self) -> Vec<Uuid> {
        self.debit_lines()
            .map(|(_, l)| l.id)
            .chain(self.calls.iter().map(|l| l.id))
            .chain(self.travel.iter().map(|l| l.id))
            .collect()
    }

    /// The account a payout goes to, if the payout section is answered and
    /// still points at something that exists.
    pub fn payout_account(&self) -> Option<PayoutAccount> {
        match self.payout.as_ref()? {
            Payout::Debited { account_id } => {
                let a = self.account(*account_id)?;
                let about = self.about.as_ref()?;
                Some(PayoutAccount {
                    bank: a.bank.clone(),
                    bank_name: a.bank_name.clone(),
                    branch: a.branch.clone(),
                    branch_name: a.branch_name.clone(),
                    account_type: a.account_type.clone(),
                    number: a.number.clone(),
                    holder_kana: about.name_kana.clone(),
                    passbook: a.passbook.clone(),
                })
            }
            Payout::Other {
                bank,
                bank_name,
                branch,
                branch_name,
                account_type,
                number,
                holder_kana,
                passbook,
            } => Some(PayoutAccount {
                bank: bank.clone(),
                bank_name: bank_name.clone(),
                branch: branch.clone(),
                branch_name: branch_name.clone(),
                account_type: account_type.clone(),
                number: number.clone(),
                holder_kana: holder_kana.clone(),
                passbook: passbook.clone(),
            }),
        }
    }

    /// Where one section stands.
    pub fn progress(&self, section: Section) -> Progress {
        use Progress::*;
        let started_or = |started: bool, done: bool| match (started, done) {
            (_, true) => Completed,
            (true, false) => InProgress,
            (false, false) => NotStarted,
        };
        match section {
            Section::About => started_or(false, self.about.is_some()),
            Section::Debits => started_or(
                !self.accounts.is_empty(),
                self.debits_done
                    && !self.accounts.is_empty()
                    && self.accounts.iter().all(|a| !a.lines.is_empty()),
            ),
            Section::Calls => started_or(!self.calls.is_empty(), self.calls_done),
            Section::Travel => started_or(!self.travel.is_empty(), self.travel_done),
            Section::Evidence => started_or(false, self.evidence_done),
            Section::Payout => {
                if self.accounts.is_empty() {
                    CannotStartYet
                } else {
                    started_or(self.payout.is_some(), self.payout_account().is_some())
                }
            }
            Section::Declaration => {
                if self.ready_to_send() {
                    NotStarted
                } else {
                    CannotStartYet
                }
            }
        }
    }

    /// Every section before the declaration is complete.
    pub fn ready_to_send(&self) -> bool {
        Section::REQUESTABLE
            .into_iter()
            .all(|s| self.progress(s) == Progress::Completed)
    }
}

/// A form as posted: field name to typed text.
pub type Form = HashMap<String, String>;

fn field<'a>(form: &'a Form, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or("")
}

/// Short free text: trimmed, single spaces, no control characters.
pub fn parse_text(
    input: &str,
    required: bool,
    max: usize,
    key: &'static str,
) -> Result<Option<String>, &'static str> {
    if has_control(input) {
        return Err(key_invalid(key));
    }
    let text = collapse_spaces(input);
    if text.is_empty() {
        return if required {
            Err(key_required(key))
        } else {
            Ok(None)
        };
    }
    if text.chars().count() > max {
        return Err(key_too_long(key));
    }
    Ok(Some(text))
}

// Message keys follow one pattern per field: `<field>_required`, ...
fn key_required(key: &'static str) -> &'static str {
    match key {
        "address" => "address_required",
        "from" => "from_required",
        "to" => "to_required",
        "purpose" => "purpose_required",
        "compensated_by" => "compensated_by_required",
        _ => "text_required",
    }
}
fn key_invalid(_key: &'static str) -> &'static str {
    "text_invalid"
}
fn key_too_long(_key: &'static str) -> &'static str {
    "text_too_long"
}

/// The date of birth as typed: the three boxes and their era
/// (`birth_date_era`, `_year`, `_month`, `_day`), or one field `birth_date`
/// (the API, and pages before the boxes).
fn birth_date_text(form: &Form) -> String {
    let part = |p: &str| field(form, &format!("birth_date_{p}")).trim().to_owned();
    let (year, month, day) = (part("year"), part("month"), part("day"));
    if year.is_empty() && month.is_empty() && day.is_empty() {
        return field(form, "birth_date").to_owned();
    }
    if year.is_empty() || month.is_empty() || day.is_empty() {
        // Said as a date that does not exist: one box is missing.
        return "-".to_owned();
    }
    let era = match part("era").as_str() {
        "showa" => "昭和",
        "heisei" => "平成",
        "taisho" => "大正",
        "reiwa" => "令和",
        _ => "",
    };
    format!("{era}{year}年{month}月{day}日")
}

/// A date of birth: a real date, a plausible age; written in the Western
/// year or the Japanese era (`1950-04-01`, `昭和25年4月1日`, `S25.4.1`).
pub fn parse_birth_date(input: &str, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    if input.trim().is_empty() {
        return Err("birth_date_required");
    }
    let date = match super::dates::parse_day(input) {
        Some((day, written)) if written != super::dates::Written::ExcelSerial => day,
        _ => return Err("date_invalid"),
    };
    if date > today {
        return Err("date_in_future");
    }
    if date < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(date) {
        return Err("birth_date_too_old");
    }
    Ok(date)
}

/// A Japanese postal code: 7 digits, with or without the hyphen.
pub fn parse_postal_code(input: &str) -> Result<String, &'static str> {
    let text =
        to_half_width_ascii(input.trim()).replace(['-', '−', '－', '‐', 'ー', '〒', ' ', '　'], "");
    if text.is_empty() {
        return Err("postal_code_required");
    }
    if text.len() != 7 || !text.chars().all(|c| c.is_ascii_digit()) {
        return Err("postal_code_invalid");
    }
    Ok(format!("{}-{}", &text[..3], &text[3..]))
}

fn one_of(input: &str, allowed: &[&str], key: &'static str) -> Result<String, &'static str> {
    let text = input.trim();
    if allowed.contains(&text) {
        Ok(text.to_owned())
    } else {
        Err(key)
    }
}

pub const CONTACTS: [&str; 3] = ["email", "phone", "post"];
pub const LANGS: [&str; 2] = ["ja", "en"];
pub const CALLEES: [&str; 4] = ["bank", "operator", "police", "other"];
pub const MEANS: [&str; 5] = ["train", "bus", "taxi", "car", "other"];

/// The "About you" page.
pub fn parse_about(form: &Form, today: NaiveDate) -> Result<About, FieldErrors> {
    let mut e = FieldErrors::new();
    let full_name = e.check("full_name", PersonName::parse(field(form, "full_name")));
    let name_kana = e.check("name_kana", KatakanaName::parse(field(form, "name_kana")));
    let birth_date = e.check(
        "birth_date",
        parse_birth_date(&birth_date_text(form), today),
    );
    let postal_code = e.check("postal_code", parse_postal_code(field(form, "postal_code")));
    let address = e
        .check(
            "address",
            parse_text(field(form, "address"), true, 200, "address"),
        )
        .flatten();
    let phone = e.check("phone", Phone::parse(field(form, "phone")));
    let lang = e.check("lang", one_of(field(form, "lang"), &LANGS, "lang_required"));
    let contact = e.check(
        "contact",
        one_of(field(form, "contact"), &CONTACTS, "contact_required"),
    );
    let compensated = e.check(
        "compensated",
        match field(form, "compensated") {
            "yes" => Ok(true),
            "no" => Ok(false),
            _ => Err("compensated_required"),
        },
    );
    let (mut compensated_amount, mut compensated_by) = (None, None);
    if compensated == Some(true) {
        compensated_amount = e
            .check(
                "compensated_amount",
                Yen::parse_in_range(
                    field(form, "compensated_amount"),
                    1,
                    MAX_LINES as i64 * super::money::MAX_DEBIT,
                ),
            )
            .map(Yen::value);
        compensated_by = e
            .check(
                "compensated_by",
                parse_text(
                    field(form, "compensated_by"),
                    true,
                    MAX_SHORT_TEXT,
                    "compensated_by",
                ),
            )
            .flatten();
    }
    let police_number = e
        .check(
            "police_number",
            parse_text(field(form, "police_number"), false, 40, "police_number"),
        )
        .flatten();
    let police_date = match field(form, "police_date").trim() {
        "" => None,
        text => e.check("police_date", parse_date(text, today)),
    };
    if police_date.is_some() && police_number.is_none() {
        e.add("police_number", "police_number_required");
    }
    match (
        full_name,
        name_kana,
        birth_date,
        postal_code,
        address,
        phone,
        lang,
        contact,
        compensated,
    ) {
        (
            Some(full_name),
            Some(name_kana),
            Some(birth_date),
            Some(postal_code),
            Some(address),
            Some(phone),
            Some(lang),
            Some(contact),
            Some(compensated),
        ) if e.is_empty() => Ok(About {
            full_name: full_name.as_str().to_owned(),
            name_kana: name_kana.as_str().to_owned(),
            birth_date,
            postal_code,
            address,
            phone: phone.as_str().to_owned(),
            lang,
            contact,
            compensated,
            compensated_amount,
            compensated_by,
            police_number,
            police_date,
        }),
        _ => Err(e),
    }
}

/// The "bank account" page, before the branch is looked up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountInput {
    pub bank: BankCode,
    pub branch: BranchQuery,
    pub account_type: AccountType,
    pub number: AccountNumber,
    /// A Japan Post Bank account given by its passbook's 記号・番号 (the
    /// branch, type and number above are converted from it).
    pub passbook: Option<Passbook>,
}

/// A bank account: bank, branch, type and number; or, for Japan Post Bank,
/// the passbook's 記号 and 番号 instead (fields `yucho_symbol`,
/// `yucho_number`), converted by Japan Post Bank's rule.
pub fn parse_account(form: &Form) -> Result<AccountInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let bank = e.check("bank", BankCode::parse(field(form, "bank")));
    let (symbol, passbook_number) = (field(form, "yucho_symbol"), field(form, "yucho_number"));
    if !symbol.trim().is_empty() || !passbook_number.trim().is_empty() {
        if bank.as_ref().is_some_and(|b| b.as_str() != YUCHO) {
            e.add("yucho_symbol", "yucho_other_bank");
        }
        let passbook = match Passbook::parse(symbol, passbook_number) {
            Ok(p) => Some(p),
            Err((name, key)) => {
                e.add(name, key);
                None
            }
        };
        return match (bank, passbook) {
            (Some(bank), Some(p)) if e.is_empty() => {
                let z = p.to_zengin();
                Ok(AccountInput {
                    bank,
                    branch: BranchQuery::Code(z.branch.as_str().to_owned()),
                    account_type: z.account_type,
                    number: z.number,
                    passbook: Some(p),
                })
            }
            _ => Err(e),
        };
    }
    let branch = e.check("branch", parse_branch(field(form, "branch")));
    let account_type = e.check(
        "account_type",
        AccountType::parse(field(form, "account_type")),
    );
    let number = e.check(
        "account_number",
        AccountNumber::parse(field(form, "account_number")),
    );
    match (bank, branch, account_type, number) {
        (Some(bank), Some(branch), Some(account_type), Some(number)) => Ok(AccountInput {
            bank,
            branch,
            account_type,
            number,
            passbook: None,
        }),
        _ => Err(e),
    }
}

/// The payout page's "another account" fields (the holder's name too).
pub fn parse_other_payout(form: &Form) -> Result<(AccountInput, String), FieldErrors> {
    let account = parse_account(form);
    let kana = KatakanaName::parse(field(form, "holder_kana"));
    match (account, kana) {
        (Ok(a), Ok(k)) => Ok((a, k.as_str().to_owned())),
        (a, k) => {
            let mut e = a.err().unwrap_or_default();
            if let Err(key) = k {
                e.add("holder_kana", key);
            }
            Err(e)
        }
    }
}

/// Where the money goes back: one of the debited accounts, or another
/// account in the claimant's name (the holder's name as the bank has it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PayoutChoice {
    Debited(Uuid),
    Other {
        input: AccountInput,
        holder_kana: String,
    },
}

/// The payout page: `choice` = `account-<id>` or `other` (with the account's
/// fields and the holder's name).
pub fn parse_payout_choice(form: &Form) -> Result<PayoutChoice, FieldErrors> {
    let choice = field(form, "choice");
    let required = || {
        let mut e = FieldErrors::new();
        e.add("choice", "payout_required");
        e
    };
    if let Some(id) = choice.strip_prefix("account-") {
        Uuid::parse_str(id)
            .map(PayoutChoice::Debited)
            .map_err(|_| required())
    } else if choice == "other" {
        let (input, holder_kana) = parse_other_payout(form)?;
        Ok(PayoutChoice::Other { input, holder_kana })
    } else {
        Err(required())
    }
}

/// The check page's declaration: the answers are true, and the claimant
/// agrees that they are shared with the banks and the operator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Declaration {
    pub truthful: bool,
    pub consent_to_share: bool,
}

impl Declaration {
    pub fn from_form(form: &Form) -> Declaration {
        Declaration {
            truthful: field(form, "declare_true") == "yes",
            consent_to_share: field(form, "declare_share") == "yes",
        }
    }

    /// What is missing, by the check page's fields.
    pub fn errors(&self) -> FieldErrors {
        let mut e = FieldErrors::new();
        if !self.truthful {
            e.add(DECLARATION_FIELD, "declaration_required");
        }
        if !self.consent_to_share {
            e.add("declare_share", "consent_required");
        }
        e
    }
}

/// The check page's first field: where "the claim is not complete" is said.
pub const DECLARATION_FIELD: &str = "declare_true";

/// One unauthorized debit.
pub fn parse_debit(form: &Form, id: Uuid, today: NaiveDate) -> Result<DebitLine, FieldErrors> {
    let mut e = FieldErrors::new();
    let date = e.check("date", parse_date(field(form, "date"), today));
    let amount = e.check("amount", Yen::parse_debit(field(form, "amount")));
    let descriptor = e.check("descriptor", parse_descriptor(field(form, "descriptor")));
    let reference = e
        .check(
            "reference",
            parse_text(field(form, "reference"), false, 60, "reference"),
        )
        .flatten();
    match (date, amount, descriptor) {
        (Some(date), Some(amount), Some(descriptor)) => Ok(DebitLine {
            id,
            date,
            amount: amount.value(),
            descriptor,
            reference,
        }),
        _ => Err(e),
    }
}

fn parse_minutes(input: &str) -> Result<i64, &'static str> {
    let text = to_half_width_ascii(input.trim());
    if text.is_empty() {
        return Err("minutes_required");
    }
    match text.parse::<i64>() {
        Ok(n) if (1..=600).contains(&n) => Ok(n),
        _ => Err("minutes_invalid"),
    }
}

fn parse_cost(input: &str) -> Result<i64, &'static str> {
    Yen::parse_in_range(input, 1, MAX_EXPENSE).map(Yen::value)
}

/// One call made because of the fraud.
pub fn parse_call(form: &Form, id: Uuid, today: NaiveDate) -> Result<CallLine, FieldErrors> {
    let mut e = FieldErrors::new();
    let date = e.check("date", parse_date(field(form, "date"), today));
    let callee = e.check(
        "callee",
        one_of(field(form, "callee"), &CALLEES, "callee_required"),
    );
    let minutes = e.check("minutes", parse_minutes(field(form, "minutes")));
    let cost = e.check("cost", parse_cost(field(form, "cost")));
    let receipt = field(form, "receipt") == "yes";
    match (date, callee, minutes, cost) {
        (Some(date), Some(callee), Some(minutes), Some(cost)) => Ok(CallLine {
            id,
            date,
            callee,
            minutes,
            cost,
            receipt,
        }),
        _ => Err(e),
    }
}

/// One journey made because of the fraud.
pub fn parse_travel(form: &Form, id: Uuid, today: NaiveDate) -> Result<TravelLine, FieldErrors> {
    let mut e = FieldErrors::new();
    let date = e.check("date", parse_date(field(form, "date"), today));
    let from = e
        .check(
            "from",
            parse_text(field(form, "from"), true, MAX_SHORT_TEXT, "from"),
        )
        .flatten();
    let to = e
        .check(
            "to",
            parse_text(field(form, "to"), true, MAX_SHORT_TEXT, "to"),
        )
        .flatten();
    let means = e.check(
        "means",
        one_of(field(form, "means"), &MEANS, "means_required"),
    );
    let purpose = e
        .check(
            "purpose",
            parse_text(field(form, "purpose"), true, MAX_SHORT_TEXT, "purpose"),
        )
        .flatten();
    let cost = e.check("cost", parse_cost(field(form, "cost")));
    match (date, from, to, means, purpose, cost) {
        (Some(date), Some(from), Some(to), Some(means), Some(purpose), Some(cost)) => {
            Ok(TravelLine {
                id,
                date,
                from,
                to,
                means,
                purpose,
                cost,
            })
        }
        _ => Err(e),
    }
}

/// A reply to a request for information: some text (required, not too long).
pub fn parse_reply(input: &str) -> Result<String, &'static str> {
    if input
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err("reply_invalid");
    }
    let text = input.trim();
    if text.is_empty() {
        return Err("reply_required");
    }
    if text.chars().count() > MAX_LONG_TEXT {
        return Err("reply_too_long");
    }
    Ok(text.replace("\r\n", "\n"))
}

/// Today's date in Japan (where every date a claimant types is).
pub use crate::calendar::today_in_japan;

/// Checks one question page's fields with the same functions the server
/// uses (the browser runs this before sending; the server always again).
/// `kind` names the page. Returns every problem, or none.
pub fn check_page(kind: &str, form: &Form, today: NaiveDate) -> FieldErrors {
    let result = match kind {
        "about" => parse_about(form, today).err(),
        "account" => parse_account(form).err(),
        "debit" => parse_debit(form, Uuid::nil(), today).err(),
        "call" => parse_call(form, Uuid::nil(), today).err(),
        "travel" => parse_travel(form, Uuid::nil(), today).err(),
        "payout" => match field(form, "choice") {
            "other" => parse_other_payout(form).err(),
            c if c.starts_with("account-") => None,
            _ => {
                let mut e = FieldErrors::new();
                e.add("choice", "payout_required");
                Some(e)
            }
        },
        "declaration" => {
            let mut e = FieldErrors::new();
            if field(form, "declare_true") != "yes" {
                e.add("declare_true", "declaration_required");
            }
            if field(form, "declare_share") != "yes" {
                e.add("declare_share", "consent_required");
            }
            Some(e)
        }
        "verification" => super::verification::parse_verification(form, today).err(),
        "reply" => parse_reply(field(form, "reply")).err().map(|k| {
            let mut e = FieldErrors::new();
            e.add("reply", k);
            e
        }),
        _ => None,
    };
    result.unwrap_or_default()
}

/// The kinds of evidence file we accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    Heic,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpeg",
            FileKind::Png => "png",
            FileKind::Heic => "heic",
        }
    }

    pub fn parse(input: &str) -> Option<FileKind> {
        [FileKind::Pdf, FileKind::Jpeg, FileKind::Png, FileKind::Heic]
            .into_iter()
            .find(|k| k.as_str() == input)
    }

    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Heic => "image/heic",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
            FileKind::Heic => "heic",
        }
    }
}

/// The kind of a file, decided by its first bytes only (never its name or
/// what the browser says it is).
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") {
        return Some(FileKind::Pdf);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(FileKind::Jpeg);
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(FileKind::Png);
    }
    // ISO base media file: a box size, `ftyp`, then the major brand.
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        if [
            b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
        ]
        .iter()
        .any(|b| brand == *b)
        {
            return Some(FileKind::Heic);
        }
    }
    None
}

/// A file name fit to show and to offer as a download name: the last path
/// part, no control characters or quotes, at most 100 characters.
pub fn clean_file_name(input: &str) -> String {
    let last = input.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ';'))
        .take(100)
        .collect();
    let name = name.trim().to_owned();
    if name.is_empty() {
        "file".to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A draft as an early version wrote it: no `calls`, no travel, no
    /// `*_done` marks, no payout. It loads with those defaults and keeps
    /// what it had (a field added since never empties a stored draft).
    #[test]
    fn an_older_shape_loads_with_defaults() {
        let old = r#"{"about":{"full_name":"山田 花子","name_kana":"ヤマダ ハナコ","birth_date":"1948-05-12",
            "postal_code":"980-0811","address":"仙台市","phone":"022-123-4567","lang":"ja","contact":"phone",
            "compensated":false,"compensated_amount":null,"compensated_by":null,"police_number":null,"police_date":null},
            "accounts":[{"id":"6f7c1a52-8a2c-4f55-9d0e-2f3a0f0a1b2c","bank":"0125","bank_name":"七十七","branch":"100",
            "branch_name":"本店営業部","account_type":"ordinary","number":"1234567",
            "lines":[{"id":"0b6a4a1e-2d3c-4e5f-8a9b-0c1d2e3f4a5b","date":"2020-09-03","amount":100000,
            "descriptor":"ドコモコウザ","reference":null}]}]}"#;
        let answers = Answers::from_json(old).expect("an older draft loads");
        assert_eq!(answers.about.as_ref().unwrap().full_name, "山田 花子");
        assert_eq!(answers.accounts[0].lines[0].amount, 100_000);
        assert!(answers.calls.is_empty() && answers.travel.is_empty());
        assert!(!answers.debits_done && !answers.evidence_done);
        assert!(answers.payout.is_none());
        // An account written before its lines existed.
        let bare = r#"{"accounts":[{"id":"6f7c1a52-8a2c-4f55-9d0e-2f3a0f0a1b2c","bank":"0125","bank_name":"七十七",
            "branch":"100","branch_name":"本店営業部","account_type":"ordinary","number":"1234567"}]}"#;
        assert!(
            Answers::from_json(bare).unwrap().accounts[0]
                .lines
                .is_empty()
        );
    }

    /// What today's version writes, it reads back whole.
    #[test]
    fn todays_shape_round_trips() {
        let old = Answers::from_json(r#"{"debits_done":true,"calls_done":true}"#).unwrap();
        let again = Answers::from_json(&old.to_json()).unwrap();
        assert_eq!(old, again);
        assert!(again.debits_done && again.calls_done);
    }

    /// A row that cannot be read is an error, never an empty claim.
    #[test]
    fn an_unreadable_row_is_an_error_not_an_empty_claim() {
        for bad in [
            "",
            "{",
            "[]",
            r#"{"accounts":"x"}"#,
            r#"{"about":{"full_name":1}}"#,
        ] {
            assert!(Answers::from_json(bad).is_err(), "{bad}");
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 9, 20).unwrap()
    }

    fn form(pairs: &[(&str, &str)]) -> Form {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn good_about() -> Form {
        form(&[
            ("full_name", "山田 太郎"),
            ("name_kana", "ヤマダ タロウ"),
            ("birth_date", "1950-04-01"),
            ("postal_code", "１００−０００１"),
            ("address", "東京都千代田区千代田1-1"),
            ("phone", "090-1234-5678"),
            ("lang", "ja"),
            ("contact", "phone"),
            ("compensated", "no"),
        ])
    }

    #[test]
    fn about_you_parses_and_normalises() {
        let about = parse_about(&good_about(), today()).unwrap();
        assert_eq!(about.postal_code, "100-0001");
        assert!(!about.compensated && about.compensated_amount.is_none());
    }

    /// A claimant in her seventies types her birthday as she knows it:
    /// 昭和25年4月1日 in three boxes, her reading in hiragana.
    #[test]
    fn the_birthday_in_the_era_and_the_reading_in_hiragana_are_taken() {
        let mut f = good_about();
        f.remove("birth_date");
        f.insert("name_kana".into(), "やまだ　たろう".into());
        for (k, v) in [
            ("era", "showa"),
            ("year", "２５"),
            ("month", "4"),
            ("day", "1"),
        ] {
            f.insert(format!("birth_date_{k}"), v.into());
        }
        let about = parse_about(&f, today()).unwrap();
        assert_eq!(
            about.birth_date,
            NaiveDate::from_ymd_opt(1950, 4, 1).unwrap()
        );
        assert_eq!(about.name_kana, "ヤマダ タロウ");
        f.insert("birth_date_era".into(), "seireki".into());
        f.insert("birth_date_year".into(), "1950".into());
        assert_eq!(
            parse_about(&f, today()).unwrap().birth_date,
            NaiveDate::from_ymd_opt(1950, 4, 1).unwrap()
        );
        // 昭和 ended on its 64th year's 7 January; one box empty is a date
        // that does not exist.
        for (k, v) in [("era", "showa"), ("year", "65")] {
            f.insert(format!("birth_date_{k}"), v.into());
        }
        let e = parse_about(&f, today()).unwrap_err();
        assert_eq!(e.0[0].field, "birth_date");
        f.insert("birth_date_year".into(), "".into());
        assert_eq!(
            parse_about(&f, today()).unwrap_err().0[0].key,
            "date_invalid"
        );
    }

    #[test]
    fn about_you_reports_every_problem() {
        let mut f = good_about();
        f.insert("name_kana".into(), "山田".into());
        f.insert("compensated".into(), "yes".into());
        f.insert("police_date".into(), "2020-09-10".into());
        f.insert("postal_code".into(), "12".into());
        let errors = parse_about(&f, today()).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name_kana",
                "postal_code",
                "compensated_amount",
                "compensated_by",
                "police_number"
            ]
        );
    }

    #[test]
    fn lines_and_totals() {
        let today = today();
        let d = parse_debit(
            &form(&[
                ("date", "2020-09-03"),
                ("amount", "１００，０００円"),
                ("descriptor", "ドコモコウザ"),
            ]),
            Uuid::nil(),
            today,
        )
        .unwrap();
        assert_eq!(d.amount, 100_000);
        let c = parse_call(
            &form(&[
                ("date", "2020-09-04"),
                ("callee", "bank"),
                ("minutes", "30"),
                ("cost", "660"),
                ("receipt", "yes"),
            ]),
            Uuid::nil(),
            today,
        )
        .unwrap();
        assert!(c.receipt);
        let t = parse_travel(
            &form(&[
                ("date", "2020-09-05"),
                ("from", "自宅"),
                ("to", "銀行 本店"),
                ("means", "train"),
                ("purpose", "窓口で相談"),
                ("cost", "420"),
            ]),
            Uuid::nil(),
            today,
        )
        .unwrap();
        let answers = Answers {
            accounts: vec![Account {
                id: Uuid::nil(),
                bank: "0158".into(),
                bank_name: "x".into(),
                branch: "001".into(),
                branch_name: "y".into(),
                account_type: "ordinary".into(),
                number: "1234567".into(),
                passbook: None,
                lines: vec![d],
            }],
            calls: vec![c],
            travel: vec![t],
            ..Answers::default()
        };
        let totals = answers.totals();
        assert_eq!(totals.all.value(), 100_000 + 660 + 420);
        assert_eq!(totals.debits.value(), 100_000);
    }

    /// The account page's passbook fields: converted for ゆうちょ銀行, and
    /// their errors named beside them (another bank, a bad 番号).
    #[test]
    fn a_passbook_account_converts_and_its_errors_are_named() {
        let input = parse_account(&form(&[
            ("bank", "9900"),
            ("yucho_symbol", "１０５３０"),
            ("yucho_number", "12345671"),
        ]))
        .unwrap();
        assert_eq!(input.branch, BranchQuery::Code("058".into()));
        assert_eq!(input.number.reveal(), "1234567");
        assert_eq!(input.passbook.unwrap().printed(), "10530-12345671");
        let fields = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            let e = parse_account(&form(pairs)).unwrap_err();
            e.0.iter()
                .map(|e| (e.field.clone(), e.key.clone()))
                .collect()
        };
        assert_eq!(
            fields(&[
                ("bank", "0125"),
                ("yucho_symbol", "10530"),
                ("yucho_number", "12345671")
            ]),
            [("yucho_symbol".to_owned(), "yucho_other_bank".to_owned())]
        );
        assert_eq!(
            fields(&[
                ("bank", "9900"),
                ("yucho_symbol", "10530"),
                ("yucho_number", "12345678")
            ]),
            [("yucho_number".to_owned(), "yucho_number_invalid".to_owned())]
        );
    }

    #[test]
    fn bad_lines_are_refused() {
        let e = parse_debit(
            &form(&[("date", "2021-01-01"), ("amount", "10000001")]),
            Uuid::nil(),
            today(),
        )
        .unwrap_err();
        let keys: Vec<&str> = e.0.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "date_in_future",
                "amount_out_of_range",
                "descriptor_required"
            ]
        );
        let e = parse_call(
            &form(&[
                ("date", "2020-09-01"),
                ("callee", "friend"),
                ("minutes", "0"),
            ]),
            Uuid::nil(),
            today(),
        )
        .unwrap_err();
        let keys: Vec<&str> = e.0.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            ["callee_required", "minutes_invalid", "amount_required"]
        );
    }

    #[test]
    fn progress_follows_the_answers() {
        let mut a = Answers::default();
        assert_eq!(a.progress(Section::About), Progress::NotStarted);
        assert_eq!(a.progress(Section::Payout), Progress::CannotStartYet);
        assert_eq!(a.progress(Section::Declaration), Progress::CannotStartYet);
        a.calls_done = true;
        assert_eq!(a.progress(Section::Calls), Progress::Completed);
        a.accounts.push(Account {
            id: Uuid::nil(),
            bank: "0158".into(),
            bank_name: String::new(),
            branch: "001".into(),
            branch_name: String::new(),
            account_type: "ordinary".into(),
            number: "1234567".into(),
            passbook: None,
            lines: vec![],
        });
        a.debits_done = true;
        assert_eq!(
            a.progress(Section::Debits),
            Progress::InProgress,
            "an account without a debit is not complete"
        );
        a.payout = Some(Payout::Debited {
            account_id: Uuid::from_u128(9),
        });
        assert_eq!(
            a.progress(Section::Payout),
            Progress::InProgress,
            "a payout to an account that is gone is not complete"
        );
    }

    #[test]
    fn files_are_known_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(FileKind::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(FileKind::Png));
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"),
            Some(FileKind::Heic)
        );
        assert_eq!(sniff(b"<!DOCTYPE html><html>"), None);
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42"), None, "a video is not a photo");
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(clean_file_name("C:\\Users\\a\\通帳.pdf"), "通帳.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\"b\r\n.pdf"), "ab.pdf");
        assert_eq!(clean_file_name(""), "file");
    }
}
