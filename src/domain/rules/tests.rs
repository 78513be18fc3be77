use super::*;
use crate::domain::clock::Targets;
use crate::domain::{ItemId, NewItem, Platform, Timestamp};

const T0: i64 = 1_796_634_000_000;

fn item(kind: Kind, text: &str, rating: Option<u8>) -> Item {
    let mut n = NewItem::comment(
        Platform::Vk,
        "shop",
        "1",
        "u1",
        text,
        Timestamp(T0 - 60_000),
    );
    n.kind = kind;
    n.rating = rating;
    Item::from_new(ItemId(1), &n, Timestamp(T0))
}

fn ctx() -> PatternCtx {
    PatternCtx::at(Timestamp(T0), Targets::default())
}

const FILE: &str = r#"
# Delivery questions go to Anna with the ETA reply ready.
[[rule]]
name = "delivery"
when = 'доставка | "где заказ" | 快递'
then = ["tag:delivery", "assign:anna"]

[[rule]]
name = "spam wave"
when = "~t promo | crypto*"
then = ["spam", "hide"]
stop = true

[[rule]]
name = "nights"
when = "~k dm"
then = ["snooze:8h", "priority"]
"#;

#[test]
fn a_file_reads_in_order_with_its_actions() {
    crate::i18n::init(crate::i18n::Lang::En);
    let r = parse(FILE).expect("reads");
    let names: Vec<&str> = r.rules.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["delivery", "spam wave", "nights"]);
    assert_eq!(r.rules[0].line, 3);
    assert_eq!(
        r.rules[0].then,
        vec![
            Action::Tag("delivery".into()),
            Action::Assign("anna".into())
        ]
    );
    assert!(r.rules[1].stop && !r.rules[1].reviews);
    assert_eq!(
        r.rules[2].then,
        vec![Action::Snooze(8 * 3_600_000), Action::Priority]
    );
    let shown: Vec<String> = r.rules[2].then.iter().map(|a| a.to_string()).collect();
    assert_eq!(shown, ["snooze:8h", "priority"]);
}

#[test]
fn every_mistake_is_reported_with_its_line_and_column() {
    crate::i18n::init(crate::i18n::Lang::En);
    let bad = "[[rule]]\nname = \"a\"\nwhen = \"~p vkk\"\nthen = [\"tag:x\", \"explode\"]\n\n[[rule]]\nname = \"a\"\nwhen = \"x\"\nthen = []\n";
    let errs = parse(bad).expect_err("refused");
    let places: Vec<(usize, Option<usize>)> = errs.iter().map(|e| (e.line, e.col)).collect();
    // The pattern's mistake: column of `vkk` inside the quotes (the string opens at 8).
    assert_eq!(
        places,
        vec![(3, Some(12)), (4, Some(18)), (7, Some(8)), (9, Some(8))]
    );
    let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert!(text[0].starts_with("3:12: rule \"a\": "), "{}", text[0]);
    assert_eq!(
        text[1],
        "4:18: unknown action \"explode\" (tag:, assign:, spam, hide, snooze:, priority, draft:)"
    );
    assert_eq!(text[2], "7:8: two rules are named \"a\"");
    assert_eq!(
        text[3],
        "9:8: rule \"a\" does nothing: give it actions in then = [...]"
    );
    let toml_err = parse("[[rule]\nname = 1").expect_err("toml");
    assert_eq!(toml_err[0].line, 1);
    for (s, why) in [
        ("snooze:forever", "bad_snooze"),
        ("tag:", "needs_value"),
        ("spam:yes", "no_value"),
    ] {
        assert_eq!(
            parse_action(s).map_err(|p| p.key.clone()),
            Err(format!("rules.err.{why}")),
            "{s}"
        );
    }
}

#[test]
fn rules_run_in_order_stop_where_told_and_never_bury_a_review() {
    crate::i18n::init(crate::i18n::Lang::En);
    let r = parse(FILE).expect("reads");
    let mut it = item(Kind::Comment, "Где заказ? Доставка задерживается", None);
    let t = r.apply(&mut it, &ctx());
    assert_eq!(
        t.rules,
        vec![(
            "delivery".to_string(),
            vec!["tag:delivery".to_string(), "assign:anna".into()]
        )]
    );
    assert_eq!(it.tags, ["delivery"]);
    assert_eq!(it.assignee.as_deref(), Some("anna"));
    assert_eq!(it.rules, ["delivery"]);
    // Again: nothing more to change.
    let again = r.apply(&mut it, &ctx());
    assert_eq!(again.rules, vec![("delivery".to_string(), vec![])]);
    assert_eq!(it.rules, ["delivery"]);

    // `stop`: the spam rule ends the run (the DM rule after it never looks).
    let mut spam = item(Kind::Dm, "crypto airdrop", None);
    r.apply(&mut spam, &ctx());
    assert_eq!(
        (spam.status, spam.rules.clone()),
        (Status::Hidden, vec!["spam wave".to_string()])
    );

    // A one-star review is answered, not buried: spam and hide leave it alone.
    let mut review = item(Kind::Review, "cryptocurrency scam shop", Some(1));
    let t = r.apply(&mut review, &ctx());
    assert_eq!(review.status, Status::New);
    assert_eq!(t.rules, vec![("spam wave".to_string(), vec![])]);
    // Unless the rule says so.
    let allowing = parse("[[rule]]\nname=\"r\"\nwhen=\"crypto*\"\nthen=[\"spam\"]\nreviews=true\n")
        .expect("reads");
    allowing.apply(&mut review, &ctx());
    assert_eq!(review.status, Status::Spam);

    // A DM at night: snoozed 8 h from now, a priority.
    let mut dm = item(Kind::Dm, "привет", None);
    r.apply(&mut dm, &ctx());
    assert_eq!(dm.status, Status::Snoozed);
    assert_eq!(dm.snoozed_until, Some(Timestamp(T0 + 8 * 3_600_000)));
    assert_eq!(dm.priority, 1);
}

#[test]
fn a_tag_or_operator_with_a_control_character_is_refused() {
    crate::i18n::init(crate::i18n::Lang::En);
    for (a, verb) in [("tag:x\u{7}", "tag"), ("assign:an\u{1b}[2Jna", "assign")] {
        assert_eq!(
            parse_action(a).map_err(|p| p.to_string()),
            Err(format!(
                "{verb}: the name must be printable (no control characters)"
            )),
            "{a:?}"
        );
    }
}
