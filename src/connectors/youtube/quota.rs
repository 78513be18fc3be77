//! YouTube's daily quota, counted on our side: units spent today per Google Cloud project (the
//! OAuth client, or the account for a bare token), in a small file under `data_dir/quota/` that
//! every account of the project shares, reset at Pacific midnight. It spreads polls over the day
//! (`poll_floor`) and shows what is left in the Accounts view (`rate_info`).

use super::pacific;
use crate::connectors::http::RateInfo;
use crate::connectors::secrets::SessionFile;
use crate::domain::Timestamp;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

/// Units a project gets per day.
pub const DAILY: u64 = 10_000;
/// A list call (`commentThreads.list`, `comments.list`, `channels.list`).
pub const LIST: u64 = 1;
/// `comments.insert`, `comments.setModerationStatus`, `comments.delete`.
pub const WRITE: u64 = 50;
/// Units polls leave untouched, so replies and moderation still go through late in the day.
pub const RESERVE: u64 = DAILY / 10;
/// Polls never come closer than this, whatever the quota allows.
pub const MIN_POLL: Duration = Duration::from_secs(60);

/// What the file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spent {
    /// The Pacific day the count is for (`2026-03-14`).
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub used: u64,
    /// What the last whole sync pass cost.
    #[serde(default)]
    pub last_pass: u64,
    /// Google said the quota is used up (whatever our count says).
    #[serde(default)]
    pub exhausted: bool,
}

pub struct Ledger {
    file: SessionFile,
    /// The last state read or written, for `rate_info` without touching the disk.
    last: Mutex<Spent>,
}

impl Ledger {
    /// The ledger of `project` (a client id or an account name) under `data_dir/quota/`.
    pub fn new(data_dir: &Path, project: &str) -> Ledger {
        let hex: String = project.bytes().map(|b| format!("{b:02x}")).collect();
        let file = SessionFile::at(data_dir.join("quota").join(format!("{hex}.json")));
        let last = Mutex::new(file.load().unwrap_or_default());
        Ledger { file, last }
    }

    /// Reads the file again (another account of the project may have spent since), starts a
    /// new day when Pacific midnight has passed, applies `change` and writes it back. The file
    /// is a few bytes: read and written in place, like the session files.
    fn update(&self, now: Timestamp, change: impl FnOnce(&mut Spent)) -> Spent {
        let Ok(mut last) = self.last.lock() else {
            return Spent::default();
        };
        let mut s: Spent = self.file.load().unwrap_or_else(|| last.clone());
        let today = pacific::day(now).to_string();
        if s.day != today {
            s = Spent {
                day: today,
                last_pass: s.last_pass,
                ..Spent::default()
            };
        }
        change(&mut s);
        if let Err(e) = self.file.save(&s) {
            tracing::warn!("youtube: quota ledger not written: {e}");
        }
        *last = s.clone();
        s
    }

    /// Counts `units` spent now.
    pub fn spend(&self, units: u64, now: Timestamp) {
        self.update(now, |s| s.used = s.used.saturating_add(units));
    }

    /// Google said the day's quota is gone.
    pub fn exhaust(&self, now: Timestamp) {
        self.update(now, |s| s.exhausted = true);
    }

    /// Records what a whole sync pass cost.
    pub fn pass_cost(&self, units: u64, now: Timestamp) {
        self.update(now, |s| s.last_pass = units);
    }

    /// Today's state as last seen (a new day reads as nothing spent).
    pub fn today(&self, now: Timestamp) -> Spent {
        let s = self.last.lock().map(|s| s.clone()).unwrap_or_default();
        if s.day == pacific::day(now).to_string() {
            s
        } else {
            Spent {
                last_pass: s.last_pass,
                ..Spent::default()
            }
        }
    }

    /// When the quota is gone, how long until it comes back.
    pub fn blocked(&self, now: Timestamp) -> Option<Duration> {
        let s = self.today(now);
        (s.exhausted || s.used >= DAILY).then(|| until_reset(now))
    }

    /// The poll interval that makes what is left (less the reserve) last until the reset,
    /// assuming each pass costs what the last one did.
    pub fn poll_floor(&self, now: Timestamp) -> Duration {
        floor(&self.today(now), now)
    }

    pub fn rate_info(&self, now: Timestamp) -> RateInfo {
        let s = self.today(now);
        let reset = pacific::next_midnight(now);
        RateInfo {
            limit: Some(DAILY),
            remaining: Some(if s.exhausted {
                0
            } else {
                DAILY.saturating_sub(s.used)
            }),
            reset_at: Some(reset),
            blocked_until: s.exhausted.then_some(reset),
            explicit_wait: false,
            posts: None,
        }
    }
}

pub fn until_reset(now: Timestamp) -> Duration {
    Duration::from_millis((pacific::next_midnight(now).0 - now.0).max(1000) as u64)
}

fn floor(s: &Spent, now: Timestamp) -> Duration {
    let left = until_reset(now);
    if s.exhausted {
        return left;
    }
    let spare = DAILY.saturating_sub(RESERVE).saturating_sub(s.used);
    let passes = spare / s.last_pass.max(1);
    if passes == 0 {
        return left;
    }
    (left / u32::try_from(passes).unwrap_or(u32::MAX)).max(MIN_POLL)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn spending_is_counted_per_pacific_day_and_shared_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = Ledger::new(dir.path(), "client-1");
        let b = Ledger::new(dir.path(), "client-1");
        // 07:30 UTC in January is 23:30 the day before in Los Angeles.
        let late = ts("2026-01-16T07:30:00Z");
        a.spend(50, late);
        b.spend(1, late);
        assert_eq!(b.today(late).used, 51);
        assert_eq!(b.rate_info(late).remaining, Some(9_949));
        assert_eq!(b.rate_info(late).reset_at, Some(ts("2026-01-16T08:00:00Z")));
        // Past midnight Pacific the count starts again.
        let after = ts("2026-01-16T08:00:01Z");
        assert_eq!(a.today(after).used, 0);
        a.spend(1, after);
        assert_eq!(Ledger::new(dir.path(), "client-1").today(after).used, 1);
        assert_eq!(Ledger::new(dir.path(), "client-2").today(after).used, 0);
    }

    #[test]
    fn the_poll_floor_spreads_what_is_left_over_the_rest_of_the_day() {
        // Ten hours to the reset.
        let now = ts("2026-01-15T22:00:00Z");
        let at = |used, last_pass| {
            floor(
                &Spent {
                    day: pacific::day(now).to_string(),
                    used,
                    last_pass,
                    exhausted: false,
                },
                now,
            )
        };
        // 9000 spare units at 3 a pass: 3000 passes in 36000 s, but never under a minute.
        assert_eq!(at(0, 3), MIN_POLL);
        // 100 spare units at 10 a pass: 10 passes, one an hour.
        assert_eq!(at(8_900, 10), Duration::from_secs(3600));
        // Nothing spare: wait for the reset.
        assert_eq!(at(9_000, 10), Duration::from_secs(36_000));
    }
}
