//! Response clocks: how long a person has waited for an answer, against the team's target for
//! that kind of message (e.g. 15 minutes for a DM, an hour for a review). The clock runs from
//! when they wrote (`created_at`) while the item waits (new or open).

use super::{Item, Kind, Status, Timestamp};
use serde::{Deserialize, Serialize};

/// Target answer time per kind, in milliseconds, indexed by `Kind::code() - 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targets(pub [i64; 6]);

impl Default for Targets {
    fn default() -> Self {
        const MIN: i64 = 60_000;
        let mut t = [4 * 60 * MIN; 6];
        t[(Kind::Dm.code() - 1) as usize] = 15 * MIN;
        t[(Kind::Review.code() - 1) as usize] = 60 * MIN;
        t[(Kind::Quote.code() - 1) as usize] = 8 * 60 * MIN;
        Targets(t)
    }
}

/// Where an item stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    /// Less than half the target has passed.
    Ok,
    /// More than half.
    Soon,
    /// Past the target.
    Breached,
}

/// Whether an item is waiting for an answer (its clock runs).
pub fn waiting(item: &Item) -> bool {
    matches!(item.status, Status::New | Status::Open) && !item.is_ours()
}

impl Targets {
    pub fn of(&self, kind: Kind) -> i64 {
        self.0[(kind.code() - 1) as usize]
    }

    /// The smallest target: no item created at `t` can be due before `t + min()`.
    pub fn min(&self) -> i64 {
        self.0.iter().copied().min().unwrap_or(0)
    }

    pub fn due_at(&self, item: &Item) -> Timestamp {
        Timestamp(item.created_at.0.saturating_add(self.of(item.kind)))
    }

    /// How long the item has waited and where that stands, or None when it waits for nobody.
    pub fn clock(&self, item: &Item, now: Timestamp) -> Option<(i64, Level)> {
        if !waiting(item) {
            return None;
        }
        let waited = (now.0 - item.created_at.0).max(0);
        let target = self.of(item.kind).max(1);
        let level = if waited >= target {
            Level::Breached
        } else if waited * 2 >= target {
            Level::Soon
        } else {
            Level::Ok
        };
        Some((waited, level))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ItemId, NewItem, Platform};

    fn item(kind: Kind, created: i64, status: Status) -> Item {
        let mut n = NewItem::comment(Platform::Vk, "a", "1", "u", "t", Timestamp(created));
        n.kind = kind;
        let mut i = Item::from_new(ItemId(1), &n, Timestamp(created));
        i.status = status;
        i
    }

    #[test]
    fn levels_change_at_half_and_at_the_target() {
        let t = Targets::default();
        let dm = item(Kind::Dm, 0, Status::New);
        let min = 60_000;
        assert_eq!(t.clock(&dm, Timestamp(7 * min)), Some((7 * min, Level::Ok)));
        assert_eq!(
            t.clock(&dm, Timestamp(7 * min + 30_000)),
            Some((7 * min + 30_000, Level::Soon))
        );
        assert_eq!(
            t.clock(&dm, Timestamp(15 * min - 1)).map(|c| c.1),
            Some(Level::Soon)
        );
        assert_eq!(
            t.clock(&dm, Timestamp(15 * min)).map(|c| c.1),
            Some(Level::Breached)
        );
        assert_eq!(t.due_at(&dm), Timestamp(15 * min));
        // A review has an hour; a done item waits for nobody.
        let review = item(Kind::Review, 0, Status::Open);
        assert_eq!(
            t.clock(&review, Timestamp(20 * min)).map(|c| c.1),
            Some(Level::Ok)
        );
        assert_eq!(
            t.clock(&item(Kind::Dm, 0, Status::Done), Timestamp(99 * min)),
            None
        );
        // A clock never runs backwards (created in the future by a skewed platform clock).
        assert_eq!(t.clock(&dm, Timestamp(-5)), Some((0, Level::Ok)));
        assert_eq!(t.min(), 15 * min);
    }
}
