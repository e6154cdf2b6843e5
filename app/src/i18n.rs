//! Japanese and English text. Every string a person reads comes from here,
//! looked up by a stable key; a missing key shows the key (and a test fails).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim() {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }

    /// Chooses from an `Accept-Language` header: English when the first
    /// language the browser names is English, else Japanese.
    pub fn from_accept_language(header: &str) -> Lang {
        let first = header
            .split(',')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if first.starts_with("en") {
            Lang::En
        } else {
            Lang::Ja
        }
    }

    pub fn t(self, key: &str) -> &'static str {
        match lookup(key) {
            Some((ja, en)) => match self {
                Lang::Ja => ja,
                Lang::En => en,
            },
            None => "??",
        }
    }
}

macro_rules! table {
    ($($key:literal => $ja:literal, $en:literal;)*) => {
        fn lookup(key: &str) -> Option<(&'static str, &'static str)> {
            match key {
                $($key => Some(($ja, $en)),)*
                _ => None,
            }
        }
        #[cfg(test)]
        const KEYS: &[&str] = &[$($key),*];
    };
}

table! {
    // Shell and navigation
    "app_name" => "Redress 不正引き出し被害の補償申請", "Redress: compensation for unauthorized debits";
    "skip_to_content" => "本文へ移動", "Skip to main content";
    "nav_home" => "ホーム", "Home";
    "nav_my_claims" => "わたしの申請", "My claims";
    "nav_queue" => "審査キュー", "Case queue";
    "nav_bank_queue" => "銀行確認キュー", "Bank queue";
    "nav_banks" => "参加銀行", "Participating banks";
    "nav_login" => "ログイン", "Log in";
    "nav_logout" => "ログアウト", "Log out";
    "nav_register" => "アカウント作成", "Create an account";
    "switch_lang" => "English", "日本語";
    "main_nav" => "メインメニュー", "Main menu";
    "never_pin" => "このサービスが暗証番号、インターネットバンキングのパスワード、カード番号、支払いを求めることは絶対にありません。", "This service never asks for a PIN, an online-banking password, a card number or a payment.";
    "footer_genuine" => "メールが本物か確かめるには", "How to check that a message is really from us";
    "not_found_title" => "ページが見つかりません", "Page not found";
    "not_found_body" => "アドレスを確認してください。申請の状況は「わたしの申請」で確認できます。", "Check the address. You can follow your claims under “My claims”.";
    "forbidden_title" => "このページを見る権限がありません", "You cannot see this page";
    "login_required" => "続けるにはログインしてください。", "Please log in to continue.";
    "error_title" => "問題が発生しました", "Something went wrong";
    "error_body" => "時間をおいてもう一度お試しください。入力した内容は保存されていません。", "Please try again later. What you entered has not been saved.";
    // Home
    "home_title" => "不正引き出し被害の補償を申請する", "Claim compensation for unauthorized debits";
    "home_lead" => "電子決済サービスを通じて銀行口座から不正に引き出されたお金、問い合わせの通話料、交通費の補償を申請できます。事業者と契約していなくても申請できます。", "If money was taken from your bank account through an e-money wallet you did not open, you can claim it back here, with your inquiry call charges and travel costs. You do not need to be a customer of the operator.";
    "home_steps_title" => "申請の流れ", "How it works";
    "home_step1" => "メールアドレスでアカウントを作成します。", "Create an account with your e-mail address.";
    "home_step2" => "引き出された日付・金額と通帳の表示（例：ドコモコウザ）を入力します。", "Enter each debit: the date, the amount and the text in your passbook (for example ドコモコウザ).";
    "home_step3" => "銀行が引き出しを確認し、事業者が審査してお振込みします。", "Your bank confirms the debits; the operator reviews your claim and pays you by bank transfer.";
    "home_start" => "申請を始める", "Start a claim";
    "home_have_account" => "アカウントをお持ちの方", "Already have an account?";
    "genuine_title" => "このメールは本物ですか？", "Is this message really from us?";
    "genuine_body1" => "本物のメールには、申請番号（RD-で始まる番号）とお名前だけが書かれています。口座番号、暗証番号、パスワードを求めることはありません。", "Our messages only ever show your claim reference (it starts with RD-) and your name. They never ask for an account number, a PIN or a password.";
    "genuine_body2" => "メール内のリンクを押さず、ブックマークまたは自分で入力したアドレスからログインしてください。", "Do not follow links in a message you are unsure of: log in from your bookmark or by typing the address yourself.";
    // Forms in general
    "error_summary_title" => "入力内容に問題があります", "There is a problem";
    "required" => "必須", "required";
    "optional" => "任意", "optional";
    "error_prefix" => "エラー：", "Error: ";
    // Auth
    "email" => "メールアドレス", "Email address";
    "password" => "パスワード", "Password";
    "password_hint" => "8文字以上。よく使われるパスワードは使えません。銀行の暗証番号は使わないでください。", "At least 8 characters. Common passwords are refused. Do not use your bank card number or the code you use at a cash machine.";
    "register_title" => "アカウントを作成", "Create an account";
    "register_lead" => "申請の状況をお知らせするため、メールアドレスが必要です。", "We need your e-mail address to tell you how your claim is going.";
    "register_button" => "アカウントを作成", "Create account";
    "register_sent_title" => "メールを確認してください", "Check your e-mail";
    "register_sent_body" => "確認用のリンクをお送りしました。リンクを開いてアカウントを有効にしてください。届かない場合は迷惑メールフォルダを確認してください。", "We have sent you a link. Open it to activate your account. If it does not arrive, look in your spam folder.";
    "verify_title" => "メールアドレスの確認", "Confirm your e-mail address";
    "verify_button" => "メールアドレスを確認する", "Confirm my e-mail address";
    "verify_invalid" => "このリンクは無効か期限切れです。もう一度アカウントを作成するか、ログインしてください。", "This link is not valid or has expired. Register again or log in.";
    "verified_notice" => "メールアドレスを確認しました。ログインしてください。", "Your e-mail address is confirmed. Please log in.";
    "login_title" => "ログイン", "Log in";
    "login_button" => "ログイン", "Log in";
    "login_failed" => "メールアドレスまたはパスワードが違います。", "The e-mail address or password is not right.";
    "login_unverified" => "メールアドレスがまだ確認されていません。お送りしたリンクを開いてください。", "Your e-mail address is not confirmed yet. Open the link we sent you.";
    "too_many_attempts" => "試行回数が多すぎます。しばらく待ってからお試しください。", "Too many attempts. Please wait a while and try again.";
    "forgot_link" => "パスワードを忘れた方", "Forgotten your password?";
    "forgot_title" => "パスワードの再設定", "Reset your password";
    "forgot_button" => "再設定のリンクを送る", "Send me a reset link";
    "forgot_sent" => "そのメールアドレスのアカウントがあれば、30分間有効なリンクをお送りしました。", "If an account uses that address, we have sent it a link that works for 30 minutes.";
    "reset_title" => "新しいパスワードを設定", "Choose a new password";
    "new_password" => "新しいパスワード", "New password";
    "reset_button" => "パスワードを変更", "Change password";
    "reset_done" => "パスワードを変更しました。ログインしてください。", "Your password has been changed. Please log in.";
    "logged_out" => "ログアウトしました。", "You have logged out.";
    // Field errors
    "email_required" => "メールアドレスを入力してください", "Enter your e-mail address";
    "email_invalid" => "メールアドレスを name@example.jp の形で入力してください", "Enter an e-mail address like name@example.jp";
    "email_taken" => "このメールアドレスは登録済みです。ログインしてください", "This e-mail address already has an account: log in instead";
    "password_required" => "パスワードを入力してください", "Enter a password";
    "password_too_short" => "パスワードは8文字以上にしてください", "The password must be at least 8 characters";
    "password_too_long" => "パスワードは128文字以内にしてください", "The password must be 128 characters or fewer";
    "password_common" => "よく使われるパスワードです。別のものにしてください", "This password is too common: choose another";
    "password_is_email" => "メールアドレスと同じパスワードは使えません", "The password must not be your e-mail address";
    "name_required" => "氏名を入力してください", "Enter your full name";
    "name_too_long" => "氏名は100文字以内で入力してください", "The name must be 100 characters or fewer";
    "name_invalid" => "氏名に使えない文字が含まれています", "The name contains characters we cannot accept";
    "kana_required" => "氏名のフリガナを入力してください", "Enter your name in katakana";
    "kana_invalid" => "フリガナは全角カタカナ、長音（ー）、スペースで入力してください", "Use full-width katakana, the long-vowel mark (ー) and spaces only";
    "kana_too_long" => "フリガナは60文字以内で入力してください", "The katakana name must be 60 characters or fewer";
    "phone_required" => "電話番号を入力してください", "Enter your phone number";
    "phone_invalid" => "電話番号を 090-1234-5678 の形で入力してください", "Enter a phone number like 090-1234-5678";
    "bank_required" => "銀行を選んでください", "Choose the bank";
    "bank_invalid" => "一覧から銀行を選んでください", "Choose a bank from the list";
    "bank_not_participating" => "この銀行はまだ参加していません。一覧から選んでください", "This bank does not take part yet: choose one from the list";
    "branch_required" => "支店番号または支店名を入力してください", "Enter the branch number or name";
    "branch_invalid" => "支店番号は3桁の数字です", "The branch number has 3 digits";
    "branch_not_found" => "この銀行にその支店は見つかりません", "We cannot find that branch at this bank";
    "branch_ambiguous" => "同じ名前の支店が複数あります。3桁の支店番号を入力してください", "Several branches have that name: enter the 3-digit branch number";
    "account_type_required" => "口座の種類を選んでください", "Choose the account type";
    "account_type_invalid" => "口座の種類を一覧から選んでください", "Choose an account type from the list";
    "account_number_required" => "口座番号を入力してください", "Enter the account number";
    "account_number_invalid" => "口座番号は7桁以内の数字です", "The account number has up to 7 digits";
    "date_required" => "引き出された日付を入力してください", "Enter the date of the debit";
    "date_invalid" => "日付を 2020-09-03 の形で入力してください", "Enter a real date like 2020-09-03";
    "date_in_future" => "未来の日付は入力できません", "The date cannot be in the future";
    "date_too_old" => "2015年より前の日付は対象外です", "The date must be in 2015 or later";
    "amount_required" => "金額を入力してください", "Enter the amount";
    "amount_not_whole_yen" => "金額は円単位の数字で入力してください（例：100000）", "Enter the amount in whole yen, for example 100000";
    "amount_out_of_range" => "金額は1円から10,000,000円の間で入力してください", "The amount must be between 1 and 10,000,000 yen";
    "descriptor_required" => "通帳に表示された内容を入力してください", "Enter the text shown in your passbook";
    "descriptor_invalid" => "通帳の表示に使えない文字が含まれています", "The passbook text contains characters we cannot accept";
    "descriptor_too_long" => "通帳の表示は40文字以内で入力してください", "The passbook text must be 40 characters or fewer";
    "lines_required" => "引き出しを1件以上入力してください", "Add at least one debit";
    "lines_too_many" => "1つの申請に入力できる引き出しは50件までです", "One claim can hold up to 50 debits";
    "declaration_required" => "内容が正しいことを確認し、チェックを入れてください", "Confirm that your answers are true by ticking the box";
    "reference_invalid" => "申請番号は RD-000123 の形です", "A claim reference looks like RD-000123";
    // Claim form
    "claim_new_title" => "補償を申請する", "Claim compensation";
    "claim_lead" => "通帳や取引明細を手元に用意してください。暗証番号やパスワードは入力しないでください。", "Have your passbook or statement at hand. Never enter a PIN or a password here.";
    "about_you" => "あなたについて", "About you";
    "full_name" => "氏名（漢字またはローマ字）", "Full name (kanji or Latin letters)";
    "name_kana" => "氏名のフリガナ（全角カタカナ）", "Full name in katakana";
    "name_kana_hint" => "銀行に届けている読み方。例：ヤマダ タロウ", "As your bank holds it, for example ヤマダ タロウ";
    "phone" => "電話番号", "Phone number";
    "debits_title" => "引き出された口座と金額", "Accounts and unauthorized debits";
    "debit_n" => "引き出し", "Debit";
    "bank" => "銀行", "Bank";
    "choose" => "選んでください", "Choose";
    "branch" => "支店（3桁の番号または支店名）", "Branch (3-digit number or name)";
    "branch_hint" => "キャッシュカードや通帳に書かれています。例：001 または 本店", "It is printed on your cash card or passbook, for example 001 or 本店";
    "account_type" => "口座の種類", "Account type";
    "account_ordinary" => "普通", "Ordinary";
    "account_current" => "当座", "Current";
    "account_savings" => "貯蓄", "Savings";
    "account_number" => "口座番号", "Account number";
    "account_number_hint" => "7桁以内の数字。暗証番号ではありません。", "Up to 7 digits. This is not your PIN.";
    "debit_date" => "引き出された日", "Date of the debit";
    "amount" => "金額（円）", "Amount (yen)";
    "descriptor" => "通帳の表示", "Text in your passbook";
    "descriptor_hint" => "例：ドコモコウザ、デイーバライ", "For example ドコモコウザ or デイーバライ";
    "branches_found" => "該当する支店（選ぶと支店番号が入ります）", "Matching branches (choose one to fill in its number)";
    "choose_branch" => "この支店を選ぶ：", "Choose branch";
    "col_branch" => "支店", "Branch";
    "col_name" => "氏名", "Name";
    "col_kana" => "フリガナ", "Name in katakana";
    "add_line" => "引き出しを追加", "Add another debit";
    "remove_line" => "この引き出しを削除", "Remove this debit";
    "running_total" => "合計", "Total";
    "declaration_title" => "確認", "Declaration";
    "declaration_text" => "入力した内容は真実です。この申請を、口座のある銀行に確認のため共有することに同意します。", "What I have entered is true, and I agree that this claim is shared with my bank so that it can check it.";
    "submit_claim" => "申請を送信", "Send claim";
    "claim_sent_title" => "申請を受け付けました", "Claim sent";
    "claim_sent_ref" => "申請番号", "Your reference number";
    "claim_sent_next" => "銀行が引き出しを確認したあと、事業者が審査します。進み具合はメールでお知らせします。", "Your bank will check the debits, then the operator will review your claim. We will e-mail you at each step.";
    // Claim lists and pages
    "my_claims_title" => "わたしの申請", "My claims";
    "no_claims" => "まだ申請はありません。", "You have no claims yet.";
    "reference" => "申請番号", "Reference";
    "status" => "状況", "Status";
    "submitted_at" => "送信日", "Sent on";
    "total_claimed" => "申請額", "Amount claimed";
    "claimant" => "申請者", "Claimant";
    "claim_title" => "申請", "Claim";
    "lines_title" => "引き出し", "Debits";
    "state_draft" => "下書き", "Draft";
    "state_submitted" => "受付済み", "Submitted";
    "queue_title" => "審査キュー（新しい順）", "Case queue (newest first)";
    "bank_queue_title" => "確認待ちの引き出し", "Debits to verify";
    "queue_empty" => "該当する申請はありません。", "There are no cases here.";
    "page_prev" => "前へ", "Previous";
    "page_next" => "次へ", "Next";
    "page_of" => "ページ", "Page";
    "pagination" => "ページ送り", "Pagination";
    "count_total" => "件", "in all";
    // Admin
    "banks_title" => "参加銀行", "Participating banks";
    "banks_lead" => "参加銀行だけが申請フォームに表示されます。", "Only participating banks are offered in the claim form.";
    "bank_code" => "銀行コード（4桁）", "Bank code (4 digits)";
    "bank_name" => "銀行名", "Bank name";
    "add_bank" => "参加銀行に追加", "Add as participating";
    "remove_bank" => "参加を取り消す", "Remove";
    "bank_unknown" => "その銀行コードは見つかりません", "There is no bank with that code";
    "branches_count" => "支店数", "Branches";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages() {
        for key in KEYS {
            let (ja, en) = lookup(key).unwrap();
            assert!(!ja.is_empty() && !en.is_empty(), "{key}");
        }
        let mut sorted = KEYS.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), KEYS.len(), "duplicate key");
    }

    #[test]
    fn every_domain_error_has_a_message() {
        let errors = [
            "amount_required",
            "amount_not_whole_yen",
            "amount_out_of_range",
            "reference_invalid",
            "kana_required",
            "kana_invalid",
            "kana_too_long",
            "bank_required",
            "bank_invalid",
            "branch_invalid",
            "branch_required",
            "account_type_required",
            "account_type_invalid",
            "account_number_required",
            "account_number_invalid",
            "name_required",
            "name_invalid",
            "name_too_long",
            "email_required",
            "email_invalid",
            "phone_required",
            "phone_invalid",
            "password_required",
            "password_too_short",
            "password_too_long",
            "password_common",
            "password_is_email",
            "date_required",
            "date_invalid",
            "date_in_future",
            "date_too_old",
            "descriptor_required",
            "descriptor_invalid",
            "descriptor_too_long",
            "lines_required",
            "lines_too_many",
            "declaration_required",
        ];
        for key in errors {
            assert!(lookup(key).is_some(), "{key}");
        }
    }

    /// Every key the code names literally (`t("..")`, `label=".."`,
    /// `hint=".."`, `Err("..")`, `field("..", "..")`) exists.
    #[test]
    fn every_key_used_in_the_code_exists() {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        fn literal_after(text: &str, marker: &str) -> Vec<String> {
            text.match_indices(marker)
                .filter_map(|(i, _)| {
                    let rest = &text[i + marker.len()..];
                    let end = rest.find('"')?;
                    let key = &rest[..end];
                    (!key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                        .then(|| key.to_owned())
                })
                .collect()
        }
        let mut sources = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut sources,
        );
        let mut missing = Vec::new();
        for src in &sources {
            for marker in [".t(\"", "label=\"", "hint=\"", "Err(\"", "key=\"", "\", \""] {
                for key in literal_after(src, marker) {
                    let dynamic = ["debit_", "account_", "state_"].iter().any(|p| key == *p);
                    if lookup(&key).is_none()
                        && !dynamic
                        && (marker != "\", \"" || key.contains('_'))
                    {
                        missing.push(format!("{marker}{key}"));
                    }
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(
            missing.is_empty(),
            "keys without a translation: {missing:?}"
        );
    }

    #[test]
    fn accept_language() {
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("ja,en;q=0.8"), Lang::Ja);
        assert_eq!(Lang::from_accept_language(""), Lang::Ja);
    }
}
