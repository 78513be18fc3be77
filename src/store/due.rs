//! Waiting items in the order their answer falls due (most overdue first), read from the status
//! lists oldest first and stopped as soon as no unread item can come earlier; and waiting items
//! worst rated first (the reviews to answer).

use super::keys;
use super::{Result, Store};
use crate::domain::clock::Targets;
use crate::domain::pattern::PatternCtx;
use crate::domain::query::{Filter, Page};
use crate::domain::{Item, ItemId, Status, Timestamp};
use std::collections::BinaryHeap;

/// How many waiting items one question may read before answering with what it has.
pub const DUE_SCAN_BUDGET: usize = 200_000;

impl Store {
    /// The first `limit` waiting items (new or open, passing `filter`) by due time.
    ///
    /// Ids are ordered by `created_at`, and an item is due at `created_at + target(kind)`, so an
    /// item not yet read is due no earlier than `its created_at + the smallest target`; once
    /// that bound passes the latest of the `limit` best found, the answer is final.
    pub fn due(&self, filter: &Filter, targets: &Targets, limit: usize) -> Result<Page> {
        let ctx = PatternCtx::at(Timestamp::now(), *targets);
        self.due_with(filter, targets, limit, &ctx)
    }

    /// [`Store::due`] keeping only items `keep` accepts (the filter's pattern).
    pub(super) fn due_matching(
        &self,
        filter: &Filter,
        targets: &Targets,
        limit: usize,
        keep: &dyn Fn(&Item) -> bool,
    ) -> Result<Page> {
        let limit = limit.clamp(1, 10_000);
        let statuses: Vec<Status> = [Status::New, Status::Open]
            .into_iter()
            .filter(|s| filter.statuses.is_empty() || filter.statuses.contains(s))
            .collect();
        let mut lists: Vec<_> = statuses
            .iter()
            .map(|s| {
                self.index_ids(keys::status_prefix(*s), None, None, true)
                    .peekable()
            })
            .collect();
        // Max-heap of (due, id): the top is the latest of the best `limit`.
        let mut best: BinaryHeap<(Timestamp, ItemId)> = BinaryHeap::new();
        let mut found: std::collections::HashMap<ItemId, Item> = Default::default();
        let mut read = 0usize;
        let mut more = false;
        loop {
            // The oldest id at the head of any list.
            let mut pick: Option<(usize, ItemId)> = None;
            for (i, l) in lists.iter_mut().enumerate() {
                match l.peek() {
                    Some(Ok(id)) if pick.is_none_or(|(_, p)| *id < p) => pick = Some((i, *id)),
                    Some(Err(_)) => {
                        if let Some(Err(e)) = l.next() {
                            return Err(e);
                        }
                    }
                    _ => {}
                }
            }
            let Some((i, id)) = pick else { break };
            lists[i].next();
            if best.len() >= limit {
                let bound = id.created_ms().saturating_add(targets.min());
                if best.peek().is_some_and(|(d, _)| d.0 <= bound) {
                    more = true;
                    break;
                }
            }
            read += 1;
            if read > DUE_SCAN_BUDGET {
                more = true;
                break;
            }
            let Some(item) = self.get(id)? else { continue };
            if !filter.matches(&item) || !keep(&item) {
                continue;
            }
            best.push((targets.due_at(&item), id));
            found.insert(id, item);
            if best.len() > limit {
                if let Some((_, dropped)) = best.pop() {
                    found.remove(&dropped);
                }
            }
        }
        let mut order = best.into_sorted_vec();
        order.dedup();
        let items = order
            .into_iter()
            .filter_map(|(_, id)| found.remove(&id))
            .collect();
        Ok(Page {
            items,
            more,
            cursor: None,
        })
    }
}

impl Store {
    /// The first `limit` waiting items passing `filter`, lowest rating first (unrated last),
    /// oldest first within a rating: the reviews that hurt most and have waited longest.
    pub fn worst_first(&self, filter: &Filter, limit: usize) -> Result<Page> {
        self.worst_first_with(filter, limit, &super::pattern_list::default_ctx())
    }

    /// [`Store::worst_first`] keeping only items `keep` accepts (the filter's pattern).
    pub(super) fn worst_matching(
        &self,
        filter: &Filter,
        limit: usize,
        keep: &dyn Fn(&Item) -> bool,
    ) -> Result<Page> {
        let limit = limit.clamp(1, 10_000);
        let mut found: Vec<Item> = Vec::new();
        let mut more = false;
        let mut read = 0usize;
        for s in [Status::New, Status::Open] {
            if !filter.statuses.is_empty() && !filter.statuses.contains(&s) {
                continue;
            }
            for id in self.index_ids(keys::status_prefix(s), None, None, true) {
                read += 1;
                if read > DUE_SCAN_BUDGET {
                    more = true;
                    break;
                }
                let Some(item) = self.get(id?)? else { continue };
                if filter.matches(&item) && keep(&item) {
                    found.push(item);
                }
            }
        }
        found.sort_by_key(|i| (i.rating.unwrap_or(u8::MAX), i.created_at, i.id));
        more |= found.len() > limit;
        found.truncate(limit);
        Ok(Page {
            items: found,
            more,
            cursor: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Kind, NewItem, Platform};

    #[test]
    fn early_stop_gives_the_same_answer_as_sorting_everything() {
        let d = tempfile::tempdir().expect("tmp");
        let s = Store::open(d.path()).expect("open");
        let kinds = [Kind::Dm, Kind::Review, Kind::Comment, Kind::Quote];
        let mut rng = 0x1234_5678_9abc_def0u64;
        let items: Vec<NewItem> = (0..600)
            .map(|i| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let mut n = NewItem::comment(
                    Platform::Vk,
                    "a",
                    &i.to_string(),
                    "u",
                    "t",
                    Timestamp(1_700_000_000_000 + (rng % 86_400_000) as i64),
                );
                n.kind = kinds[(rng >> 20) as usize % 4];
                if rng % 5 == 0 {
                    n.status = Status::Done;
                }
                n
            })
            .collect();
        s.ingest(&items, false, "op", Timestamp(1)).expect("ingest");
        let t = Targets::default();
        let all = s
            .list(&crate::domain::query::ListQuery {
                limit: 10_000,
                ..Default::default()
            })
            .expect("list");
        let mut want: Vec<(Timestamp, ItemId)> = all
            .items
            .iter()
            .filter(|i| crate::domain::clock::waiting(i))
            .map(|i| (t.due_at(i), i.id))
            .collect();
        want.sort();
        for limit in [1, 7, 50, 1000] {
            let page = s.due(&Filter::default(), &t, limit).expect("due");
            let got: Vec<ItemId> = page.items.iter().map(|i| i.id).collect();
            let expect: Vec<ItemId> = want.iter().take(limit).map(|(_, id)| *id).collect();
            assert_eq!(got, expect, "limit {limit}");
            assert_eq!(page.more, limit < want.len(), "limit {limit}");
        }
        // A filter narrows: reviews only.
        let f = Filter {
            kind: Some(Kind::Review),
            ..Filter::default()
        };
        let page = s.due(&f, &t, 5).expect("due");
        assert!(page.items.iter().all(|i| i.kind == Kind::Review));
        assert_eq!(page.items.len(), 5);
    }
}

#[cfg(test)]
mod worst_tests {
    use super::*;
    use crate::domain::{Kind, NewItem, Platform};
    use crate::store::keys::counters;

    fn review(id: &str, rating: Option<u8>, at: i64, status: Status) -> NewItem {
        let mut n = NewItem::comment(Platform::Google, "shop", id, "u", "t", Timestamp(at));
        n.kind = Kind::Review;
        n.rating = rating;
        n.status = status;
        n
    }

    #[test]
    fn reviews_to_answer_come_worst_first_and_are_counted_through_a_migration() {
        let d = tempfile::tempdir().expect("tmp");
        let t0 = 1_700_000_000_000;
        {
            let s = Store::open(d.path()).expect("open");
            let mut items = vec![
                review("r5", Some(5), t0, Status::New),
                review("r1-new", Some(1), t0 + 3000, Status::New),
                review("r1-old", Some(1), t0 + 1000, Status::Open),
                review("r3", Some(3), t0 + 500, Status::New),
                review("unrated", None, t0, Status::New),
                review("r1-done", Some(1), t0, Status::Done),
            ];
            items.push(NewItem::comment(
                Platform::Vk,
                "vk",
                "c",
                "u",
                "?",
                Timestamp(t0),
            ));
            s.ingest(&items, false, "t", Timestamp(t0)).expect("ingest");
            let f = crate::domain::query::Filter {
                kind: Some(Kind::Review),
                statuses: vec![Status::New, Status::Open],
                ..Default::default()
            };
            let page = s.worst_first(&f, 10).expect("worst");
            let order: Vec<&str> = page.items.iter().map(|i| i.native_id.as_str()).collect();
            assert_eq!(order, ["r1-old", "r1-new", "r3", "r5", "unrated"]);
            assert!(!page.more);
            let two = s.worst_first(&f, 2).expect("worst");
            assert_eq!(two.items.len(), 2);
            assert!(two.more);
            let o = s.overview().expect("overview");
            assert_eq!(o.waiting(Kind::Review), 5);
            assert_eq!(o.waiting(Kind::Comment), 1);
            // Done leaves the count.
            let id = s.id_by_native("shop", "r5").expect("id").expect("stored");
            s.update(
                id,
                &crate::domain::Change::status(Status::Done),
                None,
                "t",
                Timestamp(t0),
            )
            .expect("done");
            assert_eq!(s.overview().expect("o").waiting(Kind::Review), 4);
            assert_eq!(s.check().expect("check"), Vec::<String>::new());
            // A store from schema 6 had no such counters.
            s.db()
                .remove(keys::counter(&counters::waiting_kind(Kind::Review)))
                .expect("rm");
            s.db()
                .insert(
                    keys::meta("schema"),
                    crate::store::encode(&6u32).expect("enc"),
                )
                .expect("schema");
            s.db().flush().expect("flush");
        }
        let s = Store::open(d.path()).expect("reopen");
        assert_eq!(s.overview().expect("o").waiting(Kind::Review), 4);
        assert_eq!(s.check().expect("check"), Vec::<String>::new());
    }
}
