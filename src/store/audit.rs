//! The audit log: append-only, every entry hash-chained to the one before it, so an edited,
//! removed or reordered entry is found by `verify_audit`. Entries are written by the single
//! writer in the same batch as the change they record (`write.rs`).
//!
//! hash(n) = SHA-256(hash(n-1) ‖ postcard(seq, at, operator, action, item, before, after)).
//! The chain starts from 32 zero bytes, and starts again after entries written before the chain
//! existed (they have no hash and are only checked for their sequence).

use super::keys::{self, counters};
use super::records::AuditEntry;
use super::{decode, Result, Store, StoreError};
use crate::domain::{ItemId, Timestamp};
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub const GENESIS: [u8; 32] = [0; 32];

pub use crate::domain::audit::{hex, AuditQuery, AuditReport};

/// The hash of `e` given the hash of the entry before it.
pub fn chain(prev: &[u8; 32], e: &AuditEntry) -> Result<[u8; 32]> {
    let body = postcard::to_stdvec(&(
        e.seq,
        e.at,
        &e.operator,
        &e.action,
        e.item,
        &e.before,
        &e.after,
    ))
    .map_err(|err| StoreError::Corrupt(format!("audit encode: {err}")))?;
    let mut h = Sha256::new();
    h.update(prev);
    h.update(&body);
    Ok(h.finalize().into())
}

/// Decodes an entry, also in the layout written before entries carried a hash.
pub fn decode_entry(bytes: &[u8]) -> Result<AuditEntry> {
    #[derive(Deserialize)]
    struct Legacy {
        seq: u64,
        at: Timestamp,
        operator: String,
        action: String,
        item: Option<ItemId>,
        before: Option<String>,
        after: Option<String>,
    }
    match decode::<AuditEntry>(bytes) {
        Ok(e) => Ok(e),
        Err(first) => match decode::<Legacy>(bytes) {
            Ok(l) => Ok(AuditEntry {
                seq: l.seq,
                at: l.at,
                operator: l.operator,
                action: l.action,
                item: l.item,
                before: l.before,
                after: l.after,
                hash: None,
            }),
            Err(_) => Err(first),
        },
    }
}

impl Store {
    /// The hash the next entry chains to: the newest entry's (zeros for an empty or legacy log).
    pub(super) fn audit_head(&self) -> Result<[u8; 32]> {
        match self.db().scan_prefix([keys::AUDIT]).next_back() {
            Some(kv) => Ok(decode_entry(&kv?.1)?.hash.unwrap_or(GENESIS)),
            None => Ok(GENESIS),
        }
    }

    /// The newest `limit` entries matching `q`, oldest first.
    pub fn audit_query(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let mut out = Vec::new();
        let limit = q.limit.max(1);
        for kv in self.db().scan_prefix([keys::AUDIT]).rev() {
            let e = decode_entry(&kv?.1)?;
            if q.since.is_some_and(|s| e.at < s) {
                break;
            }
            if q.item.is_some_and(|i| e.item != Some(i))
                || q.operator.as_ref().is_some_and(|o| *o != e.operator)
            {
                continue;
            }
            out.push(e);
            if out.len() >= limit {
                break;
            }
        }
        out.reverse();
        Ok(out)
    }

    /// Walks the whole log: sequence without gaps up to the counter, every hash as computed.
    pub fn verify_audit(&self) -> Result<AuditReport> {
        let mut prev = GENESIS;
        let mut expect_seq = 1u64;
        let mut entries = 0u64;
        let mut problem = None;
        for kv in self.db().scan_prefix([keys::AUDIT]) {
            let (k, v) = kv?;
            let key_seq = k
                .get(1..9)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            let e = match decode_entry(&v) {
                Ok(e) => e,
                Err(err) => {
                    problem = Some((key_seq, format!("unreadable: {err}")));
                    break;
                }
            };
            entries += 1;
            if e.seq != key_seq {
                problem = Some((
                    key_seq,
                    format!("stored under {key_seq} but says {}", e.seq),
                ));
                break;
            }
            if e.seq != expect_seq {
                problem = Some((expect_seq, format!("missing: the next entry is {}", e.seq)));
                break;
            }
            expect_seq += 1;
            match e.hash {
                Some(h) => {
                    if chain(&prev, &e)? != h {
                        problem = Some((e.seq, "hash does not match its content".into()));
                        break;
                    }
                    prev = h;
                }
                // Written before the chain: the chain starts again after it.
                None => prev = GENESIS,
            }
        }
        if problem.is_none() {
            let count = self.read_counter(counters::AUDIT_SEQ)? as u64;
            if count >= expect_seq {
                problem = Some((
                    expect_seq,
                    format!("missing: the log counts {count} entries"),
                ));
            }
        }
        Ok(AuditReport {
            entries,
            head: hex(&prev),
            problem,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Change, NewItem, Platform, Status};
    use crate::store::encode;
    use serde::Serialize;

    fn store_with_changes() -> (tempfile::TempDir, Store, Vec<ItemId>) {
        let d = tempfile::tempdir().expect("tmp");
        let s = Store::open(d.path()).expect("open");
        let items: Vec<NewItem> = (0..3)
            .map(|i| {
                NewItem::comment(
                    Platform::Vk,
                    "a",
                    &i.to_string(),
                    "u",
                    "t",
                    Timestamp(i + 1),
                )
            })
            .collect();
        s.ingest(&items, false, "ann", Timestamp(10))
            .expect("ingest");
        let page = s
            .list(&crate::domain::query::ListQuery {
                limit: 10,
                ..Default::default()
            })
            .expect("list");
        let ids: Vec<ItemId> = page.items.iter().map(|i| i.id).collect();
        for (n, id) in ids.iter().enumerate() {
            s.update(
                *id,
                &Change::status(Status::Done),
                None,
                "bob",
                Timestamp(20 + n as i64),
            )
            .expect("done");
        }
        (d, s, ids)
    }

    #[test]
    fn an_intact_chain_verifies_and_queries_filter() {
        let (_d, s, ids) = store_with_changes();
        let r = s.verify_audit().expect("verify");
        assert_eq!((r.entries, r.problem), (4, None));
        assert_eq!(r.head.len(), 64);
        let bob = s
            .audit_query(&AuditQuery {
                operator: Some("bob".into()),
                limit: 10,
                ..Default::default()
            })
            .expect("q");
        assert_eq!(bob.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 3, 4]);
        let one = s
            .audit_query(&AuditQuery {
                item: Some(ids[1]),
                limit: 10,
                ..Default::default()
            })
            .expect("q");
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].after.as_deref(), Some("status=done"));
        let newest = s
            .audit_query(&AuditQuery {
                limit: 2,
                ..Default::default()
            })
            .expect("q");
        assert_eq!(newest.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 4]);
    }

    fn rewrite(s: &Store, seq: u64, f: impl FnOnce(&mut AuditEntry)) {
        let raw = s.db().get(keys::audit(seq)).expect("get").expect("entry");
        let mut e = decode_entry(&raw).expect("decode");
        f(&mut e);
        s.db()
            .insert(keys::audit(seq), encode(&e).expect("enc"))
            .expect("put");
    }

    #[test]
    fn an_edited_entry_is_found() {
        let (_d, s, _) = store_with_changes();
        rewrite(&s, 3, |e| e.operator = "mallory".into());
        assert_eq!(
            s.verify_audit().expect("v").problem,
            Some((3, "hash does not match its content".into()))
        );
    }

    #[test]
    fn an_edit_with_a_recomputed_hash_breaks_the_next_link() {
        let (_d, s, _) = store_with_changes();
        let prev = decode_entry(&s.db().get(keys::audit(1)).expect("g").expect("e"))
            .expect("d")
            .hash
            .expect("hash");
        rewrite(&s, 2, |e| {
            e.after = Some("status=open".into());
            e.hash = Some(chain(&prev, e).expect("chain"));
        });
        assert_eq!(s.verify_audit().expect("v").problem.map(|p| p.0), Some(3));
    }

    #[test]
    fn removed_and_swapped_entries_are_found() {
        let (_d, s, _) = store_with_changes();
        s.db().remove(keys::audit(2)).expect("rm");
        assert_eq!(s.verify_audit().expect("v").problem.map(|p| p.0), Some(2));
        let (_d, s, _) = store_with_changes();
        // The newest entry removed: the counter still says 4.
        s.db().remove(keys::audit(4)).expect("rm");
        assert_eq!(
            s.verify_audit().expect("v").problem,
            Some((4, "missing: the log counts 4 entries".into()))
        );
        let (_d, s, _) = store_with_changes();
        let a = s.db().get(keys::audit(2)).expect("g").expect("e");
        let b = s.db().get(keys::audit(3)).expect("g").expect("e");
        s.db().insert(keys::audit(2), b).expect("put");
        s.db().insert(keys::audit(3), a).expect("put");
        assert_eq!(s.verify_audit().expect("v").problem.map(|p| p.0), Some(2));
    }

    #[test]
    fn legacy_entries_decode_and_the_chain_restarts_after_them() {
        #[derive(Serialize)]
        struct Legacy<'a> {
            seq: u64,
            at: Timestamp,
            operator: &'a str,
            action: &'a str,
            item: Option<ItemId>,
            before: Option<String>,
            after: Option<String>,
        }
        let d = tempfile::tempdir().expect("tmp");
        let s = Store::open(d.path()).expect("open");
        let old = Legacy {
            seq: 1,
            at: Timestamp(5),
            operator: "old",
            action: "ingest",
            item: None,
            before: None,
            after: Some("3 items".into()),
        };
        s.db()
            .insert(keys::audit(1), encode(&old).expect("enc"))
            .expect("put");
        s.db()
            .insert(keys::counter(counters::AUDIT_SEQ), &1i64.to_be_bytes()[..])
            .expect("counter");
        let e = decode_entry(&s.db().get(keys::audit(1)).expect("g").expect("e")).expect("legacy");
        assert_eq!((e.operator.as_str(), e.hash), ("old", None));
        drop(s);
        let s = Store::open(d.path()).expect("reopen");
        s.ingest(
            &[NewItem::comment(
                Platform::Vk,
                "a",
                "x",
                "u",
                "t",
                Timestamp(1),
            )],
            false,
            "ann",
            Timestamp(10),
        )
        .expect("ingest");
        let r = s.verify_audit().expect("v");
        assert_eq!((r.entries, r.problem), (2, None));
    }
}
