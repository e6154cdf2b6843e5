//! The text of every mail, in the recipient's language. Plain words, the
//! reference where there is one, no personal data beyond that, and the same
//! anti-phishing notice at the end of every message.

use crate::i18n::Lang;

pub struct MailText {
    pub subject: String,
    pub body: String,
}

fn footer(lang: Lang, public_url: &str) -> String {
    match lang {
        Lang::Ja => format!(
            "\n\n--\nRedress（不正引き出し被害の補償窓口）\n{public_url}\n\
             このサービスが暗証番号、パスワード、カード番号、支払いを求めることは絶対にありません。\n\
             このメールが本物か確かめる方法：{public_url}/genuine"
        ),
        Lang::En => format!(
            "\n\n--\nRedress (compensation for unauthorized debits)\n{public_url}\n\
             This service never asks for a PIN, a password, a card number or a payment.\n\
             How to check that this message is really from us: {public_url}/genuine"
        ),
    }
}

pub fn verify_email(lang: Lang, public_url: &str, token: &str) -> MailText {
    let link = format!("{public_url}/verify?token={token}");
    let (subject, body) = match lang {
        Lang::Ja => (
            "メールアドレスの確認".to_owned(),
            format!(
                "Redress にアカウントが作成されました。\n\n\
                 次のアドレスを開き、「メールアドレスを確認する」ボタンを押してください（24時間有効）。\n{link}\n\n\
                 心当たりがない場合は、このメールを削除してください。"
            ),
        ),
        Lang::En => (
            "Confirm your e-mail address".to_owned(),
            format!(
                "An account was created on Redress with this address.\n\n\
                 Open this address and press “Confirm my e-mail address” (it works for 24 hours):\n{link}\n\n\
                 If this was not you, delete this message."
            ),
        ),
    };
    MailText {
        subject: format!("Redress: {subject}"),
        body: body + &footer(lang, public_url),
    }
}

pub fn password_reset(lang: Lang, public_url: &str, token: &str) -> MailText {
    let link = format!("{public_url}/password/reset?token={token}");
    let (subject, body) = match lang {
        Lang::Ja => (
            "パスワードの再設定".to_owned(),
            format!(
                "パスワード再設定の依頼を受け付けました。\n\n\
                 次のアドレスを開いて新しいパスワードを設定してください（30分間、1回だけ有効）。\n{link}\n\n\
                 依頼した覚えがない場合は、このメールを削除してください。パスワードは変わりません。"
            ),
        ),
        Lang::En => (
            "Reset your password".to_owned(),
            format!(
                "Someone asked to reset the password of your Redress account.\n\n\
                 Open this address to choose a new password (it works once, for 30 minutes):\n{link}\n\n\
                 If this was not you, delete this message: your password stays as it is."
            ),
        ),
    };
    MailText {
        subject: format!("Redress: {subject}"),
        body: body + &footer(lang, public_url),
    }
}

pub fn claim_received(lang: Lang, public_url: &str, reference: &str) -> MailText {
    let (subject, body) = match lang {
        Lang::Ja => (
            format!("申請を受け付けました [{reference}]"),
            format!(
                "申請 {reference} を受け付けました。\n\n\
                 次に、口座のある銀行が引き出しを確認し、その後に事業者が審査します。\n\
                 進み具合はログインして「わたしの申請」で確認できます。"
            ),
        ),
        Lang::En => (
            format!("We have received your claim [{reference}]"),
            format!(
                "We have received your claim {reference}.\n\n\
                 Next, your bank checks the debits; then the operator reviews your claim.\n\
                 You can follow it by logging in and opening “My claims”."
            ),
        ),
    };
    MailText {
        subject: format!("Redress: {subject}"),
        body: body + &footer(lang, public_url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mail_ends_with_the_notice_and_asks_for_nothing() {
        for lang in [Lang::Ja, Lang::En] {
            for mail in [
                verify_email(lang, "https://r.example", "abc"),
                password_reset(lang, "https://r.example", "abc"),
                claim_received(lang, "https://r.example", "RD-000001"),
            ] {
                assert!(mail.body.contains("https://r.example/genuine"));
                assert!(mail.subject.starts_with("Redress: "));
            }
        }
        assert!(
            claim_received(Lang::En, "u", "RD-000001")
                .subject
                .contains("[RD-000001]")
        );
    }
}
