//! The operator's time zone, and the one place local times become instants.

use crate::domain::Timestamp;
use crate::i18n;
use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use std::fmt;

/// The operator's time zone (an IANA zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

impl Zone {
    pub const UTC: Zone = Zone(Tz::UTC);

    /// The zone from the config's `timezone` value; none, empty, `local` or `system` mean the
    /// system's zone. A name chrono-tz does not know is an error naming it.
    pub fn from_config(name: Option<&str>) -> Result<Zone, String> {
        match name.map(str::trim) {
            None | Some("") => Ok(Zone::system()),
            Some(n) if n.eq_ignore_ascii_case("local") || n.eq_ignore_ascii_case("system") => {
                Ok(Zone::system())
            }
            Some(n) => Zone::named(n).ok_or_else(|| {
                i18n::tf(
                    "when.bad_zone",
                    &[("name", &format!("{:?}", super::clip(n)))],
                )
            }),
        }
    }

    /// An IANA name (`Europe/Berlin`), exact or in any letter case.
    pub fn named(name: &str) -> Option<Zone> {
        let name = name.trim();
        if let Ok(tz) = name.parse::<Tz>() {
            return Some(Zone(tz));
        }
        chrono_tz::TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().eq_ignore_ascii_case(name))
            .map(|tz| Zone(*tz))
    }

    /// The system's zone: `TZ` when it holds an IANA name (it is how a user overrides the
    /// machine's zone for one program), else the zone the OS reports, else UTC.
    pub fn system() -> Zone {
        let env = std::env::var("TZ").ok();
        let detected = iana_time_zone::get_timezone().ok();
        Zone::pick_system(env.as_deref(), detected.as_deref())
    }

    pub(super) fn pick_system(tz_env: Option<&str>, detected: Option<&str>) -> Zone {
        let from_env = tz_env.and_then(|v| {
            // POSIX allows `:Area/City`; some systems put a zoneinfo path there.
            let v = v.trim().trim_start_matches(':');
            let v = v.rsplit_once("zoneinfo/").map_or(v, |(_, n)| n);
            Zone::named(v)
        });
        from_env
            .or_else(|| detected.and_then(Zone::named))
            .unwrap_or(Zone::UTC)
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    pub fn tz(self) -> Tz {
        self.0
    }

    /// The instant a local date and time means here: `None` inside a gap; the earlier one in
    /// a fold.
    pub fn resolve(self, local: NaiveDateTime) -> Option<Timestamp> {
        match self.0.from_local_datetime(&local) {
            LocalResult::Single(t) => Some(Timestamp(t.timestamp_millis())),
            LocalResult::Ambiguous(a, b) => {
                Some(Timestamp(a.timestamp_millis().min(b.timestamp_millis())))
            }
            LocalResult::None => None,
        }
    }

    /// Where a local time in a gap would fall if the old offset still held: only to tell
    /// whether the gap is behind us or ahead.
    pub(super) fn gap_probe(self, local: NaiveDateTime) -> Timestamp {
        let before = local - Duration::hours(3);
        match self.resolve(before) {
            Some(t) => Timestamp(t.0.saturating_add(3 * 3_600_000)),
            None => Timestamp(local.and_utc().timestamp_millis()),
        }
    }

    pub(super) fn local(self, ts: Timestamp) -> DateTime<Tz> {
        ts.to_datetime().with_timezone(&self.0)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
