//! Lists narrowed by patterns: every page equals matching every item by hand (in both
//! directions, across word buckets, with words still pending), and a bad pattern is an error.

use super::sync::PageWrite;
use super::tests::{store, T0};
use super::*;
use crate::domain::clock::Targets;
use crate::domain::member::MemberId;
use crate::domain::pattern::{Pattern, PatternCtx};
use crate::domain::query::{Filter, ListQuery};
use crate::domain::{Change, Item, ItemId, Kind, NewItem, Platform, Status, Timestamp};

const DAY: i64 = 86_400_000;
const WORDS: [&str; 8] = [
    "доставка",
    "Ёлки",
    "заказ",
    "你好世界",
    "refund",
    "спасибо",
    "где",
    "delivery",
];

fn rng(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn new_item(n: u32, r: &mut u64) -> NewItem {
    let platforms = [Platform::Vk, Platform::Telegram, Platform::Mastodon];
    let accounts = ["vk1", "tg1", "ma1"];
    let pi = (rng(r) % 3) as usize;
    let words: Vec<&str> = (0..1 + rng(r) % 4)
        .map(|_| WORDS[(rng(r) % 8) as usize])
        .collect();
    let author = rng(r) % 10;
    let mut it = NewItem::comment(
        platforms[pi],
        accounts[pi],
        &format!("n{n}"),
        &format!("u{author}"),
        &words.join(" "),
        // 120 days: across the word index's 64-day buckets.
        Timestamp(T0 + (n as i64) * 120 * DAY / 400 + (rng(r) % 1000) as i64),
    );
    it.author.handle = Some(format!("@user{author}"));
    it.author.name = Some(if author == 3 {
        "Анна".into()
    } else {
        format!("Name {author}")
    });
    it.kind = Kind::ALL[(rng(r) % 6) as usize];
    if it.kind == Kind::Review {
        it.rating = Some(1 + (rng(r) % 5) as u8);
    }
    if rng(r) % 4 == 0 {
        it.tags = vec![["vip", "answered", "Delivery"][(rng(r) % 3) as usize].into()];
    }
    it.lang =
        [None, Some("ru".to_string()), Some("en-GB".to_string())][(rng(r) % 3) as usize].clone();
    it
}

/// 400 items over 120 days; the second half arrives as synced pages whose words are not merged.
fn fixture() -> (tempfile::TempDir, Store) {
    let (d, s) = store();
    let mut r = 0x9e37_79b9_7f4a_7c15u64;
    let items: Vec<NewItem> = (0..400).map(|n| new_item(n, &mut r)).collect();
    s.ingest(&items[..200], false, "t", Timestamp(T0))
        .expect("ingest");
    for (account, platform) in [
        ("vk1", Platform::Vk),
        ("tg1", Platform::Telegram),
        ("ma1", Platform::Mastodon),
    ] {
        let page: Vec<NewItem> = items[200..]
            .iter()
            .filter(|i| i.account == account)
            .cloned()
            .collect();
        s.store_page(
            &PageWrite {
                account,
                platform,
                items: &page,
                activity: &[],
                malformed: &[],
                cursor: None,
            },
            Timestamp(T0),
        )
        .expect("page");
    }
    assert!(s.pending_word_pairs().expect("pending") > 0);
    // Some triage: done, spam, assigned.
    let all = s
        .list_plain(&ListQuery {
            limit: 10_000,
            ..ListQuery::default()
        })
        .expect("all");
    for (i, it) in all.items.iter().enumerate() {
        let change = match i % 7 {
            0 => Change::status(Status::Done),
            1 => Change::status(Status::Spam),
            2 => Change::Assign(Some("anna".into())),
            3 => Change::status(Status::Open),
            _ => continue,
        };
        s.update(it.id, &change, None, "t", Timestamp(T0))
            .expect("update");
    }
    (d, s)
}

fn ctx() -> PatternCtx {
    let mut c = PatternCtx::at(Timestamp(T0 + 121 * DAY), Targets::default());
    c.top = [
        MemberId::derive(Platform::Vk, "u1"),
        MemberId::derive(Platform::Telegram, "u2"),
    ]
    .into_iter()
    .collect();
    c.authors.insert(
        "anna".into(),
        [MemberId::derive(Platform::Mastodon, "u5")]
            .into_iter()
            .collect(),
    );
    c
}

/// Every page of a list, newest first, following cursors.
fn pages(s: &Store, filter: &Filter, limit: usize, c: &PatternCtx) -> Vec<ItemId> {
    let mut out = Vec::new();
    let mut after = None;
    for _ in 0..1000 {
        let q = ListQuery {
            filter: filter.clone(),
            after,
            before: None,
            limit,
        };
        let page = s.list_with(&q, c).expect("page");
        out.extend(page.items.iter().map(|i| i.id));
        if !page.more {
            return out;
        }
        after = page.cursor;
    }
    panic!("no end");
}

#[test]
fn pattern_pages_equal_matching_every_item() {
    let (_d, s) = fixture();
    let c = ctx();
    let everything: Vec<Item> = s
        .list_plain(&ListQuery {
            limit: 10_000,
            ..ListQuery::default()
        })
        .expect("all")
        .items;
    assert_eq!(everything.len(), 400);
    let cases: Vec<(Filter, &str)> = [
        "~p telegram ~s new доставка",
        "~r <=2 !~t answered",
        "~m | ~w",
        "~m ~s new|open",
        "~a user3",
        "~a anna | ~k dm",
        "~a Анна ~p vk|mastodon",
        "доставка | 你好",
        "\"доставка ёлки\"",
        "елк*",
        "~s done|spam ~p vk",
        "!~s new",
        "~d <30d",
        "~d >30d ~p mastodon",
        "~o none ~k review",
        "~o anna",
        "~A tg1 заказ",
        "(~p vk | ~p telegram) !заказ",
        "~p vk ~p telegram",
        "~t vip|delivery",
        "~l ru | ~l en",
        "世界 ~w",
        "refund delivery где",
    ]
    .iter()
    .map(|p| {
        (
            Filter {
                pattern: Some(p.to_string()),
                ..Filter::default()
            },
            *p,
        )
    })
    .chain([
        (
            Filter {
                statuses: vec![Status::New, Status::Open],
                pattern: Some("~p vk".into()),
                ..Filter::default()
            },
            "inbox + ~p vk",
        ),
        (
            Filter {
                text: Some("доставка".into()),
                kind: Some(Kind::Review),
                pattern: Some("!~r 5".into()),
                ..Filter::default()
            },
            "search + review + !~r 5",
        ),
    ])
    .collect();
    for (filter, name) in cases {
        let pat = Pattern::parse(filter.pattern.as_deref().unwrap_or_default()).expect(name);
        let want: Vec<ItemId> = everything
            .iter()
            .filter(|i| filter.matches(i) && pat.matches(i, &c))
            .filter(|i| {
                filter
                    .text
                    .as_deref()
                    .is_none_or(|t| Pattern::parse(t).is_ok_and(|tp| tp.matches(i, &c)))
            })
            .map(|i| i.id)
            .collect();
        for limit in [1, 7, 50] {
            assert_eq!(pages(&s, &filter, limit, &c), want, "{name} limit {limit}");
        }
        // Paging up from the middle gives the rows just above, newest first.
        if want.len() > 6 {
            let up = s
                .list_with(
                    &ListQuery {
                        filter: filter.clone(),
                        before: Some(want[5]),
                        after: None,
                        limit: 3,
                    },
                    &c,
                )
                .expect("up");
            let got: Vec<ItemId> = up.items.iter().map(|i| i.id).collect();
            assert_eq!(got, want[2..5].to_vec(), "{name} up");
        }
    }
}

#[test]
fn a_bad_pattern_is_an_error_with_its_position() {
    let (_d, s) = fixture();
    let q = ListQuery {
        filter: Filter {
            pattern: Some("~s new ~p vkk".into()),
            ..Filter::default()
        },
        limit: 10,
        ..ListQuery::default()
    };
    match s.list_with(&q, &ctx()) {
        Err(StoreError::Pattern(e)) => {
            assert_eq!(e.at, 10);
            assert_eq!(e.phrase.key, "pattern.err.bad_platform");
        }
        other => panic!("{other:?}"),
    }
    // Spaces only are no pattern at all.
    let blank = ListQuery {
        filter: Filter {
            pattern: Some("  ".into()),
            ..Filter::default()
        },
        limit: 500,
        ..ListQuery::default()
    };
    assert_eq!(s.list(&blank).expect("blank").items.len(), 400);
}
