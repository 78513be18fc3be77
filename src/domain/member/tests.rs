//! Unit tests of the member math: buckets, scores and their explanation, rank keys, windows.

use super::*;

fn b(days: &[(u32, Act, i64)], _today: u32) -> Buckets {
    let mut x = Buckets::default();
    for &(d, a, n) in days {
        x.add(d, a, n);
    }
    x
}

#[test]
fn buckets_pack_small_and_round_trip() {
    let x = b(
        &[
            (20_000, Act::Like, 1),
            (20_003, Act::Review, 300),
            (20_003, Act::Dm, 2),
        ],
        0,
    );
    let packed = x.pack();
    assert_eq!(packed.len(), 5 + 5);
    assert_eq!(Buckets::unpack(&packed), Some(x));
    assert_eq!(Buckets::unpack(&[0x80]), None);
}

#[test]
fn member_ids_print_and_parse() {
    let id = MemberId::derive(Platform::Mastodon, "109");
    let s = id.to_string();
    assert_eq!(s.len(), 13);
    assert!(s.starts_with('m'));
    assert_eq!(s.parse::<MemberId>(), Ok(id));
    assert!("m123".parse::<MemberId>().is_err());
    assert!("anna".parse::<MemberId>().is_err());
    assert_ne!(id, MemberId::derive(Platform::Bluesky, "109"));
}

#[test]
fn parts_add_up_and_decay_halves() {
    let today = 20_000;
    let bk = b(
        &[(today, Act::Review, 2), (today - 30, Act::Comment, 1)],
        today,
    );
    let s = Scoring::default();
    let e = explain(
        &[Source {
            platform: Platform::Vk,
            buckets: &bk,
        }],
        Period::Quarter,
        today,
        0,
        &s,
    );
    assert_eq!(e.parts.len(), 2);
    assert_eq!(e.parts[0].kind, Act::Review);
    assert_eq!(e.parts[0].points, 10.0);
    assert_eq!(e.parts[1].points, 1.5); // 3 points, one half-life ago
    assert_eq!(e.score, e.parts.iter().map(|p| p.points).sum::<f64>());
    // The week window only sees today's reviews.
    let w = explain(
        &[Source {
            platform: Platform::Vk,
            buckets: &bk,
        }],
        Period::Week,
        today,
        0,
        &s,
    );
    assert_eq!(w.score, 10.0);
}

#[test]
fn rank_keys_order_like_scores_on_any_day() {
    let s = Scoring::default();
    let a = b(&[(100, Act::Review, 1)], 100);
    let c = b(&[(130, Act::Like, 3)], 130);
    fn src(x: &Buckets) -> Vec<Source<'_>> {
        vec![Source {
            platform: Platform::File,
            buckets: x,
        }]
    }
    let ka = rank_key(&src(&a), Period::Quarter, 100, &s).unwrap();
    let kc = rank_key(&src(&c), Period::Quarter, 130, &s).unwrap();
    let sa = explain(&src(&a), Period::Quarter, 130, 0, &s).score;
    let sc = explain(&src(&c), Period::Quarter, 130, 0, &s).score;
    assert_eq!(ka < kc, sa < sc);
    assert!(desc_bytes(ka) > desc_bytes(kc) || sa > sc);
    assert!(desc_bytes(1.0) > desc_bytes(2.0));
    assert!(desc_bytes(-1.0) > desc_bytes(0.5));
}

#[test]
fn all_time_counts_every_interaction_in_full() {
    let s = Scoring::default();
    let today = 20_000;
    let old = b(&[(today - 200, Act::Comment, 120)], today);
    let new = b(&[(today - 2, Act::Comment, 1)], today);
    fn src(x: &Buckets) -> Vec<Source<'_>> {
        vec![Source {
            platform: Platform::Vk,
            buckets: x,
        }]
    }
    let o = explain(&src(&old), Period::All, today, 0, &s);
    let n = explain(&src(&new), Period::All, today, 0, &s);
    assert_eq!(o.score, 360.0);
    assert_eq!(n.score, 3.0);
    assert_eq!(o.parts[0].points, 360.0);
    let ko = rank_key(&src(&old), Period::All, today, &s).unwrap();
    let kn = rank_key(&src(&new), Period::All, today, &s).unwrap();
    assert!(ko > kn, "all time ranks 120 old comments above one new one");
    // Written on different days, all-time keys still compare like scores.
    let kn_later = rank_key(&src(&new), Period::All, today + 400, &s).unwrap();
    assert_eq!(kn, kn_later);
    // The windows keep recency: 200 days ago is outside 90 days.
    assert_eq!(
        explain(&src(&old), Period::Quarter, today, 0, &s).score,
        0.0
    );
}

#[test]
fn all_time_is_never_less_than_a_window_and_takes_back() {
    let s = Scoring::default();
    let mut x = b(&[(1000, Act::Comment, 2), (1100, Act::Review, 1)], 1100);
    let src = |x: &Buckets| {
        let src = [Source {
            platform: Platform::Vk,
            buckets: x,
        }];
        (
            explain(&src, Period::All, 1101, 0, &s).score,
            explain(&src, Period::Quarter, 1101, 0, &s).score,
        )
    };
    let (all, q) = src(&x);
    assert!(all > q);
    x.add(1000, Act::Comment, -2);
    let (all, q) = src(&x);
    assert_eq!(
        all, 5.0,
        "all time: the review in full, the comments taken back"
    );
    assert!(q < all, "the quarter decays it by a day");
    assert_eq!(x.days.len(), 1);
    assert_eq!(x.totals()[Act::Comment.index()], 0);
}

#[test]
fn expiry_and_series() {
    let x = b(&[(95, Act::Like, 1), (99, Act::Reply, 2)], 100);
    let src = [Source {
        platform: Platform::Vk,
        buckets: &x,
    }];
    assert_eq!(expiry(&src, Period::Week, 100), Some(102));
    assert_eq!(series(&src, Period::Week, 100), vec![0, 1, 0, 0, 0, 2, 0]);
    assert_eq!(window(Period::Week, 100, 1), Some((87, 93)));
    assert_eq!(trend(5.0, 0.0), Trend::New);
    assert_eq!(trend(5.0, 10.0), Trend::Down);
}

#[test]
fn all_time_series_is_the_last_twelve_months() {
    // Day 20,454 = 2026-01-01; today 2026-12-06 (day 20,793).
    assert_eq!(month_start(month_of(20_454)), 20_454);
    assert_eq!(month_start(month_of(20_793)), 20_788);
    let today = 20_793;
    let x = b(
        &[
            (20_453, Act::Like, 5),    // 2025-12-31: thirteen months back, not shown
            (20_454, Act::Reply, 2),   // 2026-01-01: the first month shown
            (20_787, Act::Review, 1),  // 2026-11-30
            (20_788, Act::Mention, 3), // 2026-12-01
        ],
        today,
    );
    let src = [Source {
        platform: Platform::Vk,
        buckets: &x,
    }];
    assert_eq!(
        series(&src, Period::All, today),
        vec![2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3]
    );
}

#[test]
fn link_keys() {
    assert_eq!(link_key("@Anna.bsky.social").as_deref(), Some("anna"));
    assert_eq!(link_key("anna@mastodon.social").as_deref(), Some("anna"));
    assert_eq!(link_key("Анна Петрова").as_deref(), Some("аннапетрова"));
    assert_eq!(link_key("ab"), None);
}
