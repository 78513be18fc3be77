//! Item ids: 64 bits, time-ordered. The top 44 bits are the item's `created_at` in milliseconds,
//! the low 20 bits a hash of `(account, native_id)`, so byte order is time order and the same
//! native item always maps to the same id (collisions are probed by the store).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

const LOW_BITS: u32 = 20;
const LOW_MASK: u64 = (1 << LOW_BITS) - 1;
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ItemId(pub u64);

impl ItemId {
    /// The id an item created at `created_ms` with this native identity would get.
    pub fn derive(created_ms: i64, account: &str, native_id: &str) -> Self {
        let ms = created_ms.clamp(0, (1i64 << 43) - 1) as u64;
        ItemId((ms << LOW_BITS) | (fnv1a(account, native_id) & LOW_MASK))
    }

    /// The next candidate when `self` is taken by another item (same millisecond and hash).
    pub fn probe_next(self) -> Self {
        let ms = self.0 >> LOW_BITS;
        let low = (self.0 + 1) & LOW_MASK;
        ItemId((ms << LOW_BITS) | low)
    }

    pub fn created_ms(self) -> i64 {
        (self.0 >> LOW_BITS) as i64
    }

    /// Smallest id whose time is `ms`; useful as a seek bound for date filters.
    pub fn min_at(ms: i64) -> Self {
        ItemId((ms.max(0) as u64) << LOW_BITS)
    }

    pub fn to_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }

    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        let arr: [u8; 8] = b.get(..8)?.try_into().ok()?;
        Some(ItemId(u64::from_be_bytes(arr)))
    }
}

fn fnv1a(a: &str, b: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for byte in a.bytes().chain([0u8]).chain(b.bytes()) {
        h ^= byte as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

impl fmt::Display for ItemId {
    /// Crockford base32, 13 characters, so ids sort the same as text and as numbers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = [0u8; 13];
        let mut v = self.0;
        for slot in out.iter_mut().rev() {
            *slot = ALPHABET[(v & 31) as usize];
            v >>= 5;
        }
        f.write_str(std::str::from_utf8(&out).map_err(|_| fmt::Error)?)
    }
}

#[derive(Debug, PartialEq)]
pub struct BadId(pub String);

impl std::error::Error for BadId {}

impl fmt::Display for BadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::i18n::tf(
            "err.bad_id",
            &[("value", &format!("{:?}", self.0))],
        ))
    }
}

impl FromStr for ItemId {
    type Err = BadId;
    fn from_str(s: &str) -> Result<Self, BadId> {
        let s = s.trim();
        if s.is_empty() || s.len() > 13 {
            return Err(BadId(s.to_string()));
        }
        let mut v: u64 = 0;
        for c in s.chars() {
            let c = match c.to_ascii_lowercase() {
                'o' => '0',
                'i' | 'l' => '1',
                c => c,
            };
            let d = ALPHABET
                .iter()
                .position(|&a| a as char == c)
                .ok_or_else(|| BadId(s.to_string()))?;
            v = v.checked_mul(32).ok_or_else(|| BadId(s.to_string()))? | d as u64;
        }
        Ok(ItemId(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_parse_round_trip_and_order() {
        let a = ItemId::derive(1_700_000_000_000, "acc", "1");
        let b = ItemId::derive(1_700_000_000_001, "acc", "0");
        assert!(a < b);
        assert!(a.to_string() < b.to_string());
        assert_eq!(a.to_string().len(), 13);
        assert_eq!(a.to_string().parse::<ItemId>(), Ok(a));
        assert_eq!(a.to_string().to_uppercase().parse::<ItemId>(), Ok(a));
        assert_eq!(a.created_ms(), 1_700_000_000_000);
    }

    #[test]
    fn derive_is_deterministic_and_probe_stays_in_ms() {
        let a = ItemId::derive(5, "x", "y");
        assert_eq!(a, ItemId::derive(5, "x", "y"));
        assert_eq!(a.probe_next().created_ms(), 5);
        assert!("hello!".parse::<ItemId>().is_err());
    }
}
