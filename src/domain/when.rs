//! Placeholder until the time-parsing module lands.
use super::Timestamp;
#[derive(Debug, Clone, PartialEq)]
pub struct Zone;
impl Zone {
    pub fn utc() -> Self {
        Zone
    }
    pub fn from_config(_name: Option<&str>) -> Result<Zone, String> {
        Ok(Zone)
    }
}
pub fn parse_slots(_s: &str) -> Result<Vec<chrono::NaiveTime>, String> {
    Ok(vec![])
}
pub fn parse_when(s: &str, now: Timestamp, _zone: &Zone) -> Result<Timestamp, String> {
    if s == "now" {
        return Ok(now);
    }
    Timestamp::parse(s).ok_or_else(|| s.to_string())
}
pub fn describe(ts: Timestamp, _zone: &Zone) -> String {
    ts.to_rfc3339()
}
pub fn next_free_slot(
    _slots: &[chrono::NaiveTime],
    _zone: &Zone,
    _after: Timestamp,
    _taken: &dyn Fn(Timestamp) -> bool,
    _horizon_days: u32,
) -> Option<Timestamp> {
    None
}
pub fn local(ts: Timestamp, _zone: &Zone) -> chrono::NaiveDateTime {
    ts.to_datetime().naive_utc()
}
pub fn start_of_day(ts: Timestamp, _zone: &Zone) -> Timestamp {
    Timestamp(ts.0 - ts.0.rem_euclid(86_400_000))
}
