//! The pattern language case by case: every condition, precedence, canonical printing, errors
//! with their positions, hostile input, and the index plan.

use super::*;
use crate::domain::clock::Targets;
use crate::domain::member::MemberId;
use crate::domain::{Item, ItemId, NewItem, Timestamp};

const T0: i64 = 1_780_000_000_000;
const H: i64 = 3_600_000;

fn p(s: &str) -> Pattern {
    Pattern::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e} ({})", e.phrase.key))
}

fn err(s: &str) -> (usize, String) {
    let e = Pattern::parse(s).expect_err(s);
    (
        e.at,
        e.phrase.key.trim_start_matches("pattern.err.").to_string(),
    )
}

fn word(w: &str) -> Node {
    Node::Term(Term::Word(w.into()))
}

fn item(text: &str) -> Item {
    let n = NewItem::comment(Platform::Vk, "shop", "1", "u1", text, Timestamp(T0 - 2 * H));
    Item::from_new(ItemId(1), &n, Timestamp(T0))
}

fn ctx() -> PatternCtx {
    PatternCtx::at(Timestamp(T0), Targets::default())
}

fn m(pat: &str, it: &Item) -> bool {
    p(pat).matches(it, &ctx())
}

#[test]
fn precedence_not_then_and_then_or() {
    assert_eq!(
        p("a b | c").root,
        Node::Or(vec![Node::And(vec![word("a"), word("b")]), word("c")])
    );
    assert_eq!(
        p("a (b | c)").root,
        Node::And(vec![word("a"), Node::Or(vec![word("b"), word("c")])])
    );
    assert_eq!(
        p("!a b").root,
        Node::And(vec![Node::Not(Box::new(word("a"))), word("b")])
    );
    assert_eq!(
        p("!(a b)").root,
        Node::Not(Box::new(Node::And(vec![word("a"), word("b")])))
    );
    // A group stays a node, so the tree prints back as written.
    assert_eq!(
        p("a (b c)").root,
        Node::And(vec![word("a"), Node::And(vec![word("b"), word("c")])])
    );
    assert_eq!(p("(a)").root, word("a"));
}

#[test]
fn canonical_printing() {
    for (src, want) in [
        ("~p   VK|Telegram  ~s new", "~p vk|telegram ~s new"),
        ("a b|c", "a b | c"),
        ("( a | b ) c", "(a | b) c"),
        ("!!a", "!!a"),
        ("!(a|b)", "!(a | b)"),
        ("~A \"My shop\"|main", "~A \"My shop\"|main"),
        ("~t \"a\\\"b\\\\c\"", "~t \"a\\\"b\\\\c\""),
        ("~o none|me|\"none\"|anna", "~o none|me|\"none\"|anna"),
        ("~o NONE", "~o none"),
        ("~r <=2|5|>=4|<3|>1|2..4", "~r <=2|5|>=4|<3|>1|2..4"),
        (
            "~d <24h|>7d|2026-12-01..2026-12-07|2026-12-01..|..2026-12-07|2026-12-01",
            "~d <24h|>7d|2026-12-01..2026-12-07|2026-12-01..|..2026-12-07|2026-12-01",
        ),
        ("~d 2026-12-01..2026-12-01", "~d 2026-12-01"),
        ("~k message|review", "~k dm|review"),
        ("~l ru|zh-Hans ~m ~w", "~l ru|zh-Hans ~m ~w"),
        (
            "\"где заказ\" достав* 你好世界",
            "\"где заказ\" достав* 你好世界",
        ),
        (
            "~a @anna ~a \"Анна Петрова\"",
            "~a @anna ~a \"Анна Петрова\"",
        ),
        // `|` with spaces is or, not an alternative of the value.
        ("~p vk | telegram", "~p vk | telegram"),
        ("~p vk| telegram", "~p vk | telegram"),
    ] {
        let got = p(src).to_string();
        assert_eq!(got, want, "{src:?}");
        assert_eq!(p(&got), p(src), "{src:?} reads back");
    }
}

#[test]
fn values_and_alternatives() {
    assert_eq!(
        p("~p vk|telegram").root,
        Node::Term(Term::Platform(vec![Platform::Vk, Platform::Telegram]))
    );
    assert_eq!(
        p("~p vk |telegram").root,
        Node::Or(vec![
            Node::Term(Term::Platform(vec![Platform::Vk])),
            word("telegram")
        ])
    );
    assert_eq!(
        p("~s new|open").root,
        Node::Term(Term::Status(vec![Status::New, Status::Open]))
    );
    assert_eq!(
        p("~t \"opinion leader\"").root,
        Node::Term(Term::Tag(vec!["opinion leader".into()]))
    );
    assert_eq!(
        p("~o none").root,
        Node::Term(Term::Assignee(vec![Who::Nobody]))
    );
    assert_eq!(
        p("~o \"none\"").root,
        Node::Term(Term::Assignee(vec![Who::Name("none".into())]))
    );
    assert_eq!(
        p("~r 2..4").root,
        Node::Term(Term::Rating(vec![Rating::Range(2, 4)]))
    );
    assert_eq!(
        p("~d >7d").root,
        Node::Term(Term::Date(vec![When::Older(7, Unit::Days)]))
    );
    assert_eq!(p("\"x\"").root, Node::Term(Term::Phrase("x".into())));
}

#[test]
fn errors_point_at_the_character() {
    for (src, at, key) in [
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("~p vkk", 3, "bad_platform"),
        ("~s new|opn", 7, "bad_status"),
        ("~k rview", 3, "bad_kind"),
        ("~r 6", 3, "bad_rating"),
        ("~r <=0", 3, "bad_rating"),
        ("~r 4..2", 3, "bad_rating"),
        ("~d <24", 3, "bad_date"),
        ("~d 2026-13-01", 3, "bad_date"),
        ("~d 2026-12-07..2026-12-01", 3, "bad_date"),
        ("~d ..", 3, "bad_date"),
        ("~l ру", 3, "bad_lang"),
        ("a ~x b", 2, "unknown_op"),
        ("~pvk", 0, "unknown_op"),
        ("~", 0, "unknown_op"),
        ("a ~p", 4, "missing_value"),
        ("~p (vk)", 3, "missing_value"),
        ("a \"b c", 2, "unclosed_quote"),
        ("a (b c", 2, "unclosed_group"),
        ("a (b (c)", 2, "unclosed_group"),
        ("a b)", 3, "stray_close"),
        (")", 0, "stray_close"),
        ("a |", 2, "dangling_or"),
        ("| a", 0, "dangling_or"),
        ("a || b", 2, "dangling_or"),
        ("(| a)", 1, "dangling_or"),
        ("a !", 2, "dangling_not"),
        ("a (!)", 3, "dangling_not"),
        ("a ()", 2, "empty_group"),
        ("a \"\"", 2, "empty_quotes"),
        ("~t \"\"", 3, "empty_value"),
        ("~o \" \"", 3, "empty_value"),
    ] {
        assert_eq!(err(src), (at, key.to_string()), "{src:?}");
    }
    // Positions count characters, not bytes: Cyrillic and CJK before the mistake.
    assert_eq!(err("доставка ~p вк"), (12, "bad_platform".into()));
    assert_eq!(err("你好 (世界"), (3, "unclosed_group".into()));
}

#[test]
fn errors_are_worded_with_the_column() {
    let e = Pattern::parse("~p vkk").expect_err("bad");
    let text = e.to_string();
    assert!(
        text.starts_with("unknown platform \"vkk\" at 4: one of mastodon, bluesky, telegram"),
        "{text}"
    );
    let e = Pattern::parse("~z").expect_err("bad");
    assert_eq!(
        e.to_string(),
        "unknown condition \"~z\" at 1: one of ~p ~A ~k ~s ~r ~t ~a ~o ~d ~l ~m ~w"
    );
}

#[test]
fn limits_on_length_and_depth() {
    let deep = format!(
        "{}a{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert_eq!(err(&deep), (MAX_DEPTH, "too_deep".into()));
    let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert_eq!(p(&ok).root, word("a"));
    assert_eq!(err(&"!".repeat(100_000)).1, "too_long");
    assert_eq!(
        err(&format!("{}a", "!".repeat(MAX_DEPTH + 1))).1,
        "too_deep"
    );
    let long = "a ".repeat(MAX_CHARS);
    assert_eq!(err(&long), (MAX_CHARS, "too_long".into()));
}

#[test]
fn hostile_input_never_panics() {
    let mut inputs: Vec<String> = [
        "a\x1b[2J\x1b[Hb",
        "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2gK\x07",
        "a\u{9b}2Jb \u{9d}0;t\u{9c}",
        "a\u{0}b",
        "invoice\u{202E}gnp.exe",
        "user\u{202E} \u{2066}// admin\u{2069} \u{2066}",
        "ad\u{200B}min \u{FEFF}admin a\u{2060}b",
        "\u{3164} \u{115F}",
        "hi\u{E0041}\u{E0042}",
        "👨‍👩‍👧‍👦 🇺🇸 ⌨️ 🐻‍❄️",
        "コンピュータ 你好，世界！ ｶﾞｷﾞｸﾞ",
        "a\u{2028}b\u{2029}c pay\tme",
        "[red]x[/red] {0} %s%n <script>alert(1)</script> ${jndi:x}",
        "~p \u{202E}vk",
        "~t \"\\",
        "\"\\\"",
        "~d 9999-12-31..",
        "~d <99999w",
        "~d <999999999999999999999w",
        "~r <=",
        "~o",
        "!~m|~w(",
        "((((",
        "))))",
        "~p vk|||telegram",
        "~a @",
        "* ** ~ ~~ !~ \"",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    inputs.push(format!("Z{}", "\u{0301}\u{0316}\u{0344}".repeat(50)));
    inputs.push("x".repeat(100_000));
    inputs.push("(".repeat(10_000));
    inputs.push("\n".repeat(100_000));
    let it = item("hello");
    for s in &inputs {
        if let Ok(pat) = Pattern::parse(s) {
            let printed = pat.to_string();
            assert_eq!(Pattern::parse(&printed).as_ref(), Ok(&pat), "{s:?}");
            let _ = pat.matches(&it, &ctx());
            let _ = pat.scan(&ctx());
        }
    }
}

#[test]
fn every_condition_matches() {
    let mut it = item("Где мой заказ? Доставка ЁЛКИ задерживается. 你好世界");
    it.author.handle = Some("@Anna_P".into());
    it.author.name = Some("Анна Петрова".into());
    it.tags = vec!["Delivery".into(), "ВИП".into()];
    it.lang = Some("ru-RU".into());
    it.assignee = Some("anna".into());
    assert!(m("~p vk", &it) && m("~p telegram|vk", &it) && !m("~p telegram", &it));
    assert!(m("~A shop", &it) && !m("~A Shop", &it));
    assert!(m("~k comment", &it) && !m("~k review|dm", &it));
    assert!(m("~s new", &it) && !m("~s done|spam", &it));
    assert!(!m("~r 1..5", &it), "no rating, no match");
    assert!(m("~t delivery", &it) && m("~t вип", &it) && !m("~t refund", &it));
    assert!(m("~a anna_p", &it) && m("~a @ANNA_P", &it) && m("~a \"анна петрова\"", &it));
    assert!(m("~a u1", &it) && !m("~a anna", &it));
    assert!(m("~o anna", &it) && !m("~o none", &it) && !m("~o me", &it));
    let mut mine = ctx();
    mine.me = Some("anna".into());
    assert!(p("~o me").matches(&it, &mine));
    assert!(m("~d <3h", &it) && !m("~d <1h", &it) && m("~d >1h", &it) && !m("~d >2h", &it));
    assert!(m("~d 2026-05-28", &it) || m("~d ..2026-05-27|2026-05-29..", &it));
    assert!(m("~l ru", &it) && m("~l RU-ru", &it) && !m("~l r", &it) && !m("~l en", &it));
    // Text: folded case and ё, word prefixes, CJK by substring, phrases in order.
    assert!(m("доставка елки", &it) && m("ДОСТАВ*", &it) && m("世界", &it));
    assert!(m("\"доставка ёлки\"", &it) && !m("\"ёлки доставка\"", &it));
    assert!(m("\"好世\"", &it) && !m("\"界你\"", &it) && !m("доставкаелки", &it));
    assert!(m("anna_p", &it), "the handle is searchable text");
    assert!(m("-", &it), "nothing to search for asks nothing");
    // Logic.
    assert!(m("~p telegram | доставка", &it) && !m("~p telegram доставка", &it));
    assert!(m("!~s done", &it) && !m("!(~s new ~p vk)", &it));
    // Our own replies never match.
    let mut ours = it.clone();
    ours.outgoing = Some(crate::domain::Outgoing::Sending);
    assert!(!m("~p vk", &ours) && !m("!~s done", &ours));
}

#[test]
fn ratings_members_and_waiting() {
    let mut r = item("bad");
    r.kind = Kind::Review;
    r.rating = Some(2);
    assert!(m("~r <=2", &r) && m("~r 2", &r) && m("~r <3", &r) && !m("~r <2", &r));
    assert!(m("~r 4|2", &r) && !m("~r >=3", &r) && m("~r 1..2", &r));
    // A review waits an hour by default; this one was written two hours ago.
    assert!(m("~w", &r));
    let mut fresh = r.clone();
    fresh.created_at = Timestamp(T0 - 10 * 60_000);
    assert!(!m("~w", &fresh));
    let mut done = r.clone();
    done.status = Status::Done;
    assert!(!m("~w", &done));
    // ~m: the context names the top members.
    assert!(!m("~m", &r));
    let mut c = ctx();
    c.top.insert(MemberId::derive(Platform::Vk, "u1"));
    assert!(p("~m").matches(&r, &c));
    // ~a: a linked person's other account.
    let mut c = ctx();
    c.authors.insert(
        "anna".into(),
        [MemberId::derive(Platform::Vk, "u1")].into_iter().collect(),
    );
    assert!(p("~a anna").matches(&r, &c) && !p("~a anna").matches(&r, &ctx()));
}

#[test]
fn plans_use_indexes_only_where_they_are_safe() {
    let c = ctx();
    let plan = |s: &str| p(s).scan(&c).plan;
    assert_eq!(
        plan("~p telegram ~s new доставка"),
        Some(Plan::All(vec![
            Plan::Platform(Platform::Telegram),
            Plan::Status(Status::New),
            Plan::Token("доставка".into())
        ]))
    );
    assert_eq!(plan("~r <=2 !~t answered"), None);
    assert_eq!(
        plan("~s new|open ~r <=2"),
        Some(Plan::Any(vec![
            Plan::Status(Status::New),
            Plan::Status(Status::Open)
        ]))
    );
    // Or needs every side planned; a prefix drives only when nothing else does.
    assert_eq!(plan("~p vk | ~t x"), None);
    assert_eq!(plan("достав*"), Some(Plan::Prefix("достав".into())));
    assert_eq!(plan("достав* ~p vk"), Some(Plan::Platform(Platform::Vk)));
    // ~m with no top members can match nothing; with ~w it still lists waiting items.
    assert_eq!(plan("~m"), Some(Plan::Any(vec![])));
    assert_eq!(
        plan("~m | ~w"),
        Some(Plan::Any(vec![
            Plan::Status(Status::New),
            Plan::Status(Status::Open)
        ]))
    );
    // Dates and ~w bound the scan in time.
    let s = p("~d <24h ~d 2000-01-01.. ~w").scan(&c);
    assert_eq!(s.since, Some(Timestamp(T0 - 24 * H + 1)));
    assert_eq!(s.until, Some(Timestamp(T0 - Targets::default().min() + 1)));
    assert_eq!(p("~d <24h | x").scan(&c).since, None);
}

#[test]
fn the_readme_examples_read() {
    let readme = include_str!("../../../README.md");
    let section = readme.split("## Patterns").nth(1).expect("section");
    let block = section
        .split("```text")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("examples");
    let mut n = 0;
    for line in block.lines().filter(|l| !l.trim().is_empty()) {
        let pattern = line.split("  ").next().unwrap_or_default().trim();
        let parsed = p(pattern);
        assert_eq!(p(&parsed.to_string()), parsed, "{pattern}");
        n += 1;
    }
    assert!(n >= 5);
}
