//! Applying the interactions that ingest batches recorded (see `members.rs`): chunks in the
//! order they were written, each person's record, author list and ranking written once.

use super::batch::{Batch, WriteState};
use super::keys;
use super::members::{by_author_prefix, Counted, Touched, TO_RANK, UNRANKED};
use super::{decode, Result, Store};
use crate::domain::member;
use crate::domain::Timestamp;

/// Interactions applied per settle batch (bounds its memory; persons coalesce within it).
/// Measured on a 1M synthetic load (release, 2 cores): 100k per batch peaked at 2.8 GB and took
/// 145 s; 10k peaked at 1.7 GB in 105 s, with the ranking moved every batch (200k items: 1105
/// → 560 MB, 21 → 16 s); 2k was no lower and slower (more flushes). With the ranking last, a 1M
/// load peaks at 0.6–0.8 GB.
const SETTLE_BATCH: u64 = 10_000;

/// Persons ranked per batch once the counts are applied.
const RANK_BATCH: usize = 5_000;

fn to_rank_key(person: member::MemberId) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = TO_RANK;
    k[1..].copy_from_slice(&person.to_bytes());
    k
}

impl Store {
    /// Interactions counted but not yet applied to members (see `settle_members`).
    pub fn members_unsettled(&self) -> Result<u64> {
        Ok(self.read_counter(keys::counters::MEMBERS_PENDING)?.max(0) as u64)
    }

    /// Persons whose counts are applied and whose ranking entries wait (see `settle_members`).
    pub fn members_unranked(&self) -> Result<u64> {
        Ok(self.read_counter(keys::counters::MEMBERS_TO_RANK)?.max(0) as u64)
    }

    /// Applies waiting interactions to the member records and author lists, then the ranking:
    /// chunks in the order they were written, up to `SETTLE_BATCH` interactions per batch, and
    /// then the persons they touched, `RANK_BATCH` per batch; until about `max` are done or none
    /// wait. Ranks at the ranking's own day (`now` only when the store never ranked): moving the
    /// day is `roll_members`' job. Returns (interactions and persons done, whether some wait).
    ///
    /// The ranking comes last because a person's ranking entries move whenever their score
    /// does: a bulk load settled batch by batch moved each busy person's entries once per batch
    /// (most of the settle's time, and sled's memory grew with the churn). Now the batches only
    /// note the person (`Y ++ id`, in the batch that changed their counts, so a crash loses
    /// none), and each person is ranked once. Reads settle fully before they rank.
    pub fn settle_members(&self, max: u64, now: Timestamp) -> Result<(u64, bool)> {
        let mut done = 0u64;
        loop {
            let counts = self.db().scan_prefix([UNRANKED]).next().is_some();
            if !counts && self.db().scan_prefix([TO_RANK]).next().is_none() {
                return Ok((done, false));
            }
            if done >= max.max(1) {
                return Ok((done, true));
            }
            let mut state = self.lock_writer();
            let at = self.ranking_time(&mut state, now)?;
            let mut p = Batch::new(self);
            let mut t = Touched::default();
            done += if counts {
                self.settle_counts(&mut p, &mut t)?
            } else {
                self.settle_ranks(&mut p, &mut t)?
            };
            p.members = t;
            p.commit(&mut state, "kith", at)?;
        }
    }

    /// One batch of waiting interactions: records and author lists; the persons are noted for
    /// ranking. Returns the interactions applied.
    fn settle_counts(&self, p: &mut Batch, t: &mut Touched) -> Result<u64> {
        let mut n = 0u64;
        for kv in self.db().scan_prefix([UNRANKED]) {
            let (k, v) = kv?;
            let chunk: Vec<Counted> = decode(&v)?;
            for c in &chunk {
                if let (Some(id), Some(item)) = (self.apply_counted(t, c)?, c.item) {
                    p.lists.add(&by_author_prefix(id), item);
                }
            }
            n += chunk.len() as u64;
            p.batch.remove(k);
            if n >= SETTLE_BATCH {
                break;
            }
        }
        let mut noted = 0i64;
        for person in std::mem::take(&mut t.persons) {
            let key = to_rank_key(person);
            if !self.db().contains_key(key)? {
                p.batch.insert(&key[..], &[][..]);
                noted += 1;
            }
        }
        p.bump(keys::counters::MEMBERS_PENDING.into(), -(n as i64));
        p.bump(keys::counters::MEMBERS_TO_RANK.into(), noted);
        Ok(n)
    }

    /// One batch of persons waiting for their ranking entries. Returns how many.
    fn settle_ranks(&self, p: &mut Batch, t: &mut Touched) -> Result<u64> {
        let mut n = 0u64;
        for kv in self.db().scan_prefix([TO_RANK]).take(RANK_BATCH) {
            let (k, _) = kv?;
            if let Some(id) = k.get(1..).and_then(member::MemberId::from_bytes) {
                t.persons.insert(id);
            }
            p.batch.remove(k);
            n += 1;
        }
        p.bump(keys::counters::MEMBERS_TO_RANK.into(), -(n as i64));
        Ok(n)
    }

    /// A time on the ranking's own day (`now` when the store never ranked): what work that must
    /// not move the ranking's day commits with (moving it is `roll_members`' job).
    pub(super) fn ranking_time(&self, state: &mut WriteState, now: Timestamp) -> Result<Timestamp> {
        Ok(match self.rank_day(state)? {
            Some(day) => Timestamp(day as i64 * member::MS_PER_DAY),
            None => now,
        })
    }
}
