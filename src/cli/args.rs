//! Arguments as typed on the command line, read into kith's types: item ids and `--since` times.

use crate::domain::time::parse_duration;
use crate::domain::{ItemId, Timestamp};
use crate::i18n::tf;
use anyhow::{anyhow, Result};

pub fn parse_id(s: &str) -> Result<ItemId> {
    Ok(s.parse::<ItemId>()?)
}

/// `2d` means two days ago; dates and times are absolute.
pub fn since_arg(s: &str, now: Timestamp) -> Result<Timestamp> {
    let bad = || anyhow!(tf("err.since", &[("value", &format!("{s:?}"))]));
    match parse_duration(s) {
        Ok(Some(ms)) => Ok(Timestamp(now.0.saturating_sub(ms))),
        Ok(None) => Timestamp::parse(s).ok_or_else(bad),
        Err(e) => Err(anyhow!(e)),
    }
}
