//! Criterion benchmarks of the store on a synthetic workspace: first page, filtered pages, deep
//! seek, word search in several scripts, pattern pages, thread, and ingest. Run with `cargo bench --bench store`
//! (`KITH_BENCH_STORE=DIR` for the 1M store, see common.rs).

#[path = "common.rs"]
mod common;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use kith::domain::pattern::Pattern;
use kith::domain::{ItemId, Kind, Platform, Status, Timestamp};
use kith::engine::api::{Filter, ListQuery, Request};
use kith::store::Store;

fn page(filter: Filter, after: Option<ItemId>, before: Option<ItemId>) -> ListQuery {
    ListQuery {
        filter,
        after,
        before,
        limit: 50,
    }
}

fn reads(c: &mut Criterion) {
    let store = Store::open(&common::store_dir()).expect("open bench store");
    let top = store
        .list(&page(Filter::default(), None, None))
        .expect("first page");
    let mid = top
        .items
        .last()
        .map(|i| ItemId(i.id.0 / 2 + (1u64 << 62) / 4));
    let mut g = c.benchmark_group("list");
    g.bench_function("first_page_all", |b| {
        b.iter(|| {
            store
                .list(&page(Filter::default(), None, None))
                .expect("page")
        })
    });
    g.bench_function("deep_seek_page", |b| {
        b.iter(|| {
            store
                .list(&page(Filter::default(), mid, None))
                .expect("page")
        })
    });
    g.bench_function("oldest_page", |b| {
        b.iter(|| {
            store
                .list(&page(Filter::default(), None, Some(ItemId(0))))
                .expect("page")
        })
    });
    let f_status = Filter {
        statuses: vec![Status::New, Status::Open],
        ..Filter::default()
    };
    g.bench_function("inbox_new_open", |b| {
        b.iter(|| {
            store
                .list(&page(f_status.clone(), None, None))
                .expect("page")
        })
    });
    let f_platform = Filter {
        platform: Some(Platform::Vk),
        ..Filter::default()
    };
    g.bench_function("platform_vk", |b| {
        b.iter(|| {
            store
                .list(&page(f_platform.clone(), None, None))
                .expect("page")
        })
    });
    let f_reviews = Filter {
        kind: Some(Kind::Review),
        rating: Some((1, 2)),
        ..Filter::default()
    };
    g.bench_function("negative_reviews", |b| {
        b.iter(|| {
            store
                .list(&page(f_reviews.clone(), None, None))
                .expect("page")
        })
    });
    g.finish();
    let mut g = c.benchmark_group("search");
    for (name, q) in [
        ("latin", "lamp"),
        ("cyrillic", "доставка"),
        ("two_words", "лампа свет"),
        ("cjk", "台灯"),
        ("prefix", "достав*"),
        ("rare", "warranty"),
    ] {
        let f = Filter {
            text: Some(q.to_string()),
            ..Filter::default()
        };
        g.bench_function(name, |b| {
            b.iter(|| store.list(&page(f.clone(), None, None)).expect("search"))
        });
    }
    g.finish();
    if let Some(item) = top.items.iter().find(|i| i.parent_native_id.is_some()) {
        c.bench_function("thread", |b| {
            b.iter(|| store.thread(item.id).expect("thread"))
        });
    }
    c.bench_function("overview_counts", |b| {
        b.iter(|| store.overview().expect("overview"))
    });
}

/// A page of 50 for a pattern: the store's part with the context built once (`_page`), and the
/// whole request through the engine, context included (`_request`).
fn patterns(c: &mut Criterion) {
    let engine = kith::engine::Engine::new(
        Store::open(&common::store_dir()).expect("open bench store"),
        "bench",
    );
    let mut g = c.benchmark_group("pattern");
    for (name, p) in [
        ("telegram_new_word", "~p telegram ~s new доставка"),
        ("low_rating_untagged", "~r <=2 !~t answered"),
        ("member_or_waiting", "~m | ~w"),
    ] {
        let pattern = Pattern::parse(p).expect("pattern");
        let ctx = engine.pattern_ctx("bench", &pattern).expect("context");
        let q = page(
            Filter {
                pattern: Some(p.to_string()),
                ..Filter::default()
            },
            None,
            None,
        );
        let found = engine.store().list_with(&q, &ctx).expect("page");
        eprintln!("{p}: {} items, more: {}", found.items.len(), found.more);
        g.bench_function(format!("{name}_page"), |b| {
            b.iter(|| engine.store().list_with(&q, &ctx).expect("page"))
        });
        g.bench_function(format!("{name}_request"), |b| {
            b.iter(|| {
                engine
                    .handle("bench", Request::List(q.clone()))
                    .expect("page")
            })
        });
    }
    g.finish();
}

fn ingest(c: &mut Criterion) {
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10);
    g.throughput(criterion::Throughput::Elements(10_000));
    g.bench_function("batch_10k_into_fresh_store", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("tmp");
                let store = Store::open(dir.path()).expect("open");
                let items: Vec<_> =
                    kith::engine::synthetic::synthetic(10_000, 7, Timestamp::now()).collect();
                (dir, store, items)
            },
            |(_dir, store, items)| {
                store
                    .ingest(&items, false, "bench", Timestamp::now())
                    .expect("ingest")
            },
            BatchSize::PerIteration,
        )
    });
    // What a sync does: pages as connectors parse them (40 items, a Mastodon page; 100, a
    // Telegram page), recent items a few seconds apart, each page stored with its cursor in one
    // batch and one flush; "+merge" adds folding the pass's words into the word lists.
    for (page_size, merge) in [(40usize, false), (100, false), (200, false), (200, true)] {
        let name = format!(
            "pages_of_{page_size}_with_cursor_10k{}",
            if merge { "+merge" } else { "" }
        );
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let dir = tempfile::tempdir().expect("tmp");
                    let store = Store::open(dir.path()).expect("open");
                    let now = Timestamp::now();
                    let items: Vec<_> = kith::engine::synthetic::synthetic(10_000, 7, now)
                        .enumerate()
                        .map(|(n, mut i)| {
                            i.account = "sync".into();
                            i.platform = Platform::Mastodon;
                            i.created_at = Timestamp(now.0 - n as i64 * 5_000);
                            i
                        })
                        .collect();
                    (dir, store, items)
                },
                |(_dir, store, items)| {
                    for (n, chunk) in items.chunks(page_size).enumerate() {
                        let cursor = format!("{{\"min_id\":\"{n}\"}}");
                        store
                            .store_page(
                                &kith::store::PageWrite {
                                    account: "sync",
                                    platform: Platform::Mastodon,
                                    items: chunk,
                                    activity: &[],
                                    malformed: &[],
                                    cursor: Some(&cursor),
                                },
                                Timestamp::now(),
                            )
                            .expect("page");
                    }
                    if merge {
                        store.merge_words(Timestamp::now()).expect("merge");
                    }
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, reads, patterns, ingest);
criterion_main!(benches);
