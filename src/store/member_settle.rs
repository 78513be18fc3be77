//! Applying the interactions that ingest batches recorded (see `members.rs`): chunks in the
//! order they were written, each person's record, author list and ranking written once.

use super::batch::{Batch, WriteState};
use super::keys;
use super::members::{by_author_prefix, Counted, Touched, UNRANKED};
use super::{decode, Result, Store};
use crate::domain::member;
use crate::domain::Timestamp;

/// Interactions applied per settle batch (bounds its memory; persons coalesce within it).
/// Measured on a 1M synthetic load (release, 2 cores): 100k per batch peaked at 2.8 GB and took
/// 145 s; 10k peaks at 1.7 GB in 105 s (200k items: 1105 → 560 MB, 21 → 16 s); 2k is no
/// lower and slower (more flushes).
const SETTLE_BATCH: u64 = 10_000;

impl Store {
    /// Interactions counted but not yet applied to members (see `settle_members`).
    pub fn members_unsettled(&self) -> Result<u64> {
        Ok(self.read_counter(keys::counters::MEMBERS_PENDING)?.max(0) as u64)
    }

    /// Applies waiting interactions to the member records, author lists and ranking: chunks in
    /// the order they were written, up to `SETTLE_BATCH` interactions per batch, until about
    /// `max` are applied or none wait. Ranks at the ranking's own day (`now` only when the
    /// store never ranked): moving the day is `roll_members`' job. Returns (interactions
    /// applied, whether some still wait).
    pub fn settle_members(&self, max: u64, now: Timestamp) -> Result<(u64, bool)> {
        let mut done = 0u64;
        loop {
            if self.db().scan_prefix([UNRANKED]).next().is_none() {
                return Ok((done, false));
            }
            if done >= max.max(1) {
                return Ok((done, true));
            }
            let mut state = self.lock_writer();
            let at = self.ranking_time(&mut state, now)?;
            let mut p = Batch::new(self);
            let mut t = Touched::default();
            let mut n = 0u64;
            for kv in self.db().scan_prefix([UNRANKED]) {
                let (k, v) = kv?;
                let chunk: Vec<Counted> = decode(&v)?;
                for c in &chunk {
                    if let (Some(id), Some(item)) = (self.apply_counted(&mut t, c)?, c.item) {
                        p.lists.add(&by_author_prefix(id), item);
                    }
                }
                n += chunk.len() as u64;
                p.batch.remove(k);
                if n >= SETTLE_BATCH {
                    break;
                }
            }
            p.members = t;
            p.bump(keys::counters::MEMBERS_PENDING.into(), -(n as i64));
            p.commit(&mut state, "kith", at)?;
            done += n;
        }
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
