//! Property tests: any tree prints to text that parses back to the same tree, printing is
//! stable, and no string makes the parser or the matcher panic.

use super::*;
use crate::domain::clock::Targets;
use crate::domain::{Item, ItemId, NewItem, Timestamp};
use proptest::prelude::*;

fn word() -> impl Strategy<Value = String> {
    "[^\\s()|\"!~][^\\s()|\"]{0,8}"
}

fn name() -> impl Strategy<Value = String> {
    any::<String>().prop_filter("not blank", |s| !s.trim().is_empty())
}

fn alts<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Vec<T>> {
    prop::collection::vec(s, 1..4)
}

fn rating() -> impl Strategy<Value = Rating> {
    (0u8..6, 1u8..6, 1u8..6).prop_map(|(form, a, b)| match form {
        0 => Rating::Eq(a),
        1 => Rating::Lt(a),
        2 => Rating::Le(a),
        3 => Rating::Gt(a),
        4 => Rating::Ge(a),
        _ => Rating::Range(a.min(b), a.max(b)),
    })
}

fn date() -> impl Strategy<Value = chrono::NaiveDate> {
    (0i64..2_900_000).prop_map(|d| {
        chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default() + chrono::Duration::days(d)
    })
}

fn when() -> impl Strategy<Value = When> {
    let unit = prop_oneof![
        Just(Unit::Minutes),
        Just(Unit::Hours),
        Just(Unit::Days),
        Just(Unit::Weeks)
    ];
    prop_oneof![
        (0u32..100_000, unit.clone()).prop_map(|(n, u)| When::Younger(n, u)),
        (0u32..100_000, unit).prop_map(|(n, u)| When::Older(n, u)),
        (date(), date(), 0u8..3).prop_map(|(a, b, open)| {
            let (a, b) = (a.min(b), a.max(b));
            match open {
                0 => When::Days(Some(a), Some(b)),
                1 => When::Days(Some(a), None),
                _ => When::Days(None, Some(b)),
            }
        }),
    ]
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![Just(Who::Nobody), Just(Who::Me), name().prop_map(Who::Name)]
}

fn term() -> impl Strategy<Value = Term> {
    prop_oneof![
        alts(prop::sample::select(Platform::ALL.to_vec())).prop_map(Term::Platform),
        alts(name()).prop_map(Term::Account),
        alts(prop::sample::select(Kind::ALL.to_vec())).prop_map(Term::Kind),
        alts(prop::sample::select(Status::ALL.to_vec())).prop_map(Term::Status),
        alts(rating()).prop_map(Term::Rating),
        alts(name()).prop_map(Term::Tag),
        alts(name()).prop_map(Term::Author),
        alts(who()).prop_map(Term::Assignee),
        alts(when()).prop_map(Term::Date),
        alts("[A-Za-z0-9_-]{1,16}").prop_map(Term::Lang),
        Just(Term::Member),
        Just(Term::Waiting),
        word().prop_map(Term::Word),
        any::<String>()
            .prop_filter("not empty", |s| !s.is_empty())
            .prop_map(Term::Phrase),
    ]
}

fn node() -> impl Strategy<Value = Node> {
    term()
        .prop_map(Node::Term)
        .prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(Node::And),
                prop::collection::vec(inner.clone(), 2..4).prop_map(Node::Or),
                inner.prop_map(|n| Node::Not(Box::new(n))),
            ]
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn print_then_parse_is_identity(root in node()) {
        let pat = Pattern { root };
        let text = pat.to_string();
        let back = Pattern::parse(&text);
        prop_assert_eq!(back.as_ref(), Ok(&pat), "printed as {:?}", text);
        // Printing is stable.
        let again = back.map(|p| p.to_string());
        prop_assert_eq!(again, Ok(text));
    }

    #[test]
    fn any_string_parses_or_errs_within_it(s in any::<String>()) {
        let chars = s.chars().count();
        match Pattern::parse(&s) {
            Ok(pat) => {
                let printed = pat.to_string();
                prop_assert_eq!(Pattern::parse(&printed), Ok(pat.clone()));
                let n = NewItem::comment(Platform::Vk, "a", "1", "u", &s, Timestamp(0));
                let it = Item::from_new(ItemId(1), &n, Timestamp(0));
                let ctx = PatternCtx::at(Timestamp(1), Targets::default());
                let _ = pat.matches(&it, &ctx);
                let _ = pat.scan(&ctx);
            }
            Err(e) => prop_assert!(e.at <= chars, "{} past {}", e.at, chars),
        }
    }

    #[test]
    fn syntax_soup_never_panics(s in "[~!|()\" a-zA-Z0-9<>=.*@\\\\-]{0,40}") {
        if let Ok(pat) = Pattern::parse(&s) {
            prop_assert_eq!(Pattern::parse(&pat.to_string()), Ok(pat));
        }
    }
}
