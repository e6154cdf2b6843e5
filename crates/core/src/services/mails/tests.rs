use super::kinds::SAMPLE_REASON;
use super::*;

const URL: &str = "https://r.example";

#[test]
fn every_template_file_is_listed_and_every_mail_has_both_languages() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/mail");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|f| f.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let mut expected: Vec<String> = TEMPLATES
        .iter()
        .flat_map(|(k, _, _)| [format!("{k}.en.txt"), format!("{k}.ja.txt")])
        .chain(["_layout.html".to_string()])
        .collect();
    expected.sort();
    assert_eq!(
        files, expected,
        "a template file without its mail, or the reverse"
    );
    // Every kind (but the footer) has a typed mail, rendered in both
    // languages by `samples`.
    for lang in [Lang::Ja, Lang::En] {
        let kinds: Vec<&str> = samples(lang, URL).iter().map(|m| m.kind).collect();
        for (kind, _, _) in TEMPLATES.iter().filter(|(k, _, _)| *k != "_footer") {
            assert!(kinds.contains(kind), "no sample of {kind}");
        }
    }
}

#[test]
fn a_placeholder_left_unfilled_is_an_error_not_a_blank() {
    let err = render("claim_received", Lang::En, URL, context! {}).unwrap_err();
    assert!(err.to_string().contains("undefined"), "{err}");
    assert!(render("no_such_mail", Lang::Ja, URL, context! {}).is_err());
}

#[test]
fn every_mail_keeps_the_content_rules_in_both_languages() {
    for lang in [Lang::Ja, Lang::En] {
        for m in samples(lang, URL) {
            let what = format!("{} ({})", m.kind, lang.code());
            assert!(m.subject.starts_with("Redress: "), "{what}");
            for part in [&m.subject, &m.text, &m.html] {
                assert!(
                    !part.contains("{{") && !part.contains("{%"),
                    "{what}: {part}"
                );
            }
            // The notice, in the recipient's language.
            let notice = match lang {
                Lang::Ja => {
                    "暗証番号、パスワード、カード番号、支払いを求めることは絶対にありません"
                }
                Lang::En => "never asks for a PIN, a password, a card number or a payment",
            };
            assert!(m.text.contains(notice), "{what}: {}", m.text);
            assert!(m.html.contains(notice), "{what}");
            // No link but the public address, written out in full.
            let rest = m.text.replace(URL, "");
            assert!(
                !rest.contains("http") && !rest.contains("www."),
                "{what}: {rest}"
            );
            assert!(
                !m.text.contains(&format!("{URL}/")) && !m.text.contains(&format!("{URL}?")),
                "{what}: a deep link"
            );
            let hrefs: Vec<&str> = m.html.split("href=\"").skip(1).collect();
            assert!(!hrefs.is_empty(), "{what}: the address is a link in HTML");
            for h in hrefs {
                assert!(h.starts_with(&format!("{URL}\"")), "{what}: href {h}");
            }
            // No account number: never seven digits in a row.
            let digits = m.text.chars().fold((0, 0), |(run, max), c| {
                let run = if c.is_ascii_digit() { run + 1 } else { 0 };
                (run, std::cmp::max(run, max))
            });
            assert!(digits.1 < 7, "{what}: a long number in {}", m.text);
            // The reference is in the subject of every mail about a case.
            if m.text.contains("RD-000001") {
                assert!(m.subject.contains("[RD-000001]"), "{what}: {}", m.subject);
            }
        }
    }
    let paid = payment_sent(
        Lang::En,
        URL,
        "RD-000007",
        crate::domain::money::Yen::from_db(130_000),
        NaiveDate::from_ymd_opt(2021, 2, 1).unwrap(),
        "7654321",
    );
    assert!(
        paid.text.contains("ending in 321") && !paid.text.contains("7654"),
        "{}",
        paid.text
    );
    assert!(paid.text.contains("130,000"), "{}", paid.text);
    let no = rejected(
        Lang::Ja,
        URL,
        "RD-000007",
        SAMPLE_REASON,
        NaiveDate::from_ymd_opt(2021, 2, 1).unwrap(),
    );
    assert!(
        no.text.contains("損害が確認できませんでした"),
        "{}",
        no.text
    );
    assert!(no.text.contains("2021-02-01"), "{}", no.text);
    let code = verify_email(Lang::Ja, URL, "ACDE-FGHJ-KMNP");
    assert!(code.text.contains("ACDE-FGHJ-KMNP"), "{}", code.text);
}

#[test]
fn the_html_part_escapes_what_people_typed() {
    let m = info_requested(
        Lang::En,
        URL,
        "RD-000001",
        "<script>alert(1)</script> & more",
        NaiveDate::from_ymd_opt(2021, 1, 15).unwrap(),
    );
    assert!(m.html.contains("&lt;script&gt;"), "{}", m.html);
    assert!(!m.html.contains("<script>"));
    assert!(
        m.text.contains("<script>alert(1)</script> & more"),
        "the text part as typed"
    );
    assert!(m.html.contains("<html lang=\"en\">"));
}
