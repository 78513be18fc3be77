//! A member's interactions per active day, packed small for the store.

use super::{Act, ACTS};
use serde::{Deserialize, Serialize};

/// Counts of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub at: u32,
    pub n: [u32; ACTS],
}

/// A member's interactions per active day, sorted by day. Stored packed (see `pack`): a day
/// with one kind of interaction takes about 3 bytes, so records of long-active members stay
/// small (sled copies a leaf on every write, and big values make that dear).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Buckets {
    pub days: Vec<Bucket>,
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn get_varint(b: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*at)?;
        *at += 1;
        v |= ((byte & 0x7F) as u64) << shift;
        if byte & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

impl Buckets {
    /// Day gap, a mask of the kinds present, then their counts; all varints.
    pub fn pack(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.days.len() * 4);
        let mut prev = 0u32;
        for b in &self.days {
            put_varint(&mut out, (b.at - prev) as u64);
            prev = b.at;
            let mask =
                b.n.iter()
                    .enumerate()
                    .filter(|(_, c)| **c > 0)
                    .fold(0u64, |m, (i, _)| m | 1 << i);
            put_varint(&mut out, mask);
            for c in b.n.iter().filter(|c| **c > 0) {
                put_varint(&mut out, *c as u64);
            }
        }
        out
    }

    pub fn unpack(bytes: &[u8]) -> Option<Buckets> {
        // A day takes 3 bytes or more: no regrowth while reading the record of a ranking row.
        let mut days = Vec::with_capacity(bytes.len() / 3);
        let (mut at, mut day) = (0usize, 0u64);
        while at < bytes.len() {
            day += get_varint(bytes, &mut at)?;
            let mask = get_varint(bytes, &mut at)?;
            let mut n = [0u32; ACTS];
            for (i, slot) in n.iter_mut().enumerate() {
                if mask & (1 << i) != 0 {
                    *slot = u32::try_from(get_varint(bytes, &mut at)?).ok()?;
                }
            }
            days.push(Bucket {
                at: u32::try_from(day).ok()?,
                n,
            });
        }
        Some(Buckets { days })
    }
}

impl Serialize for Buckets {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.pack())
    }
}

impl<'de> Deserialize<'de> for Buckets {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Unpacked straight from the record's bytes (no copy, no byte-by-byte sequence): a
        // ranking page decodes fifty records.
        struct Packed;
        impl<'de> serde::de::Visitor<'de> for Packed {
            type Value = Buckets;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("packed member buckets")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Buckets, E> {
                Buckets::unpack(v).ok_or_else(|| E::custom("bad member buckets"))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Buckets, A::Error> {
                let mut v = Vec::new();
                while let Some(b) = seq.next_element::<u8>()? {
                    v.push(b);
                }
                self.visit_bytes(&v)
            }
        }
        d.deserialize_bytes(Packed)
    }
}

fn add_to(list: &mut Vec<Bucket>, at: u32, act: Act, delta: i64) {
    let pos = match list.binary_search_by_key(&at, |b| b.at) {
        Ok(p) => p,
        Err(p) => {
            if delta <= 0 {
                return;
            }
            list.insert(p, Bucket { at, n: [0; ACTS] });
            p
        }
    };
    let slot = &mut list[pos].n[act.index()];
    *slot = (*slot as i64 + delta).clamp(0, u32::MAX as i64) as u32;
    if list[pos].n.iter().all(|&c| c == 0) {
        list.remove(pos);
    }
}

impl Buckets {
    /// Counts `delta` interactions of `act` on `day` (a negative delta takes them back).
    pub fn add(&mut self, day: u32, act: Act, delta: i64) {
        add_to(&mut self.days, day, act, delta);
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// Totals by kind over everything.
    pub fn totals(&self) -> [u64; ACTS] {
        let mut t = [0u64; ACTS];
        for b in &self.days {
            for (i, c) in b.n.iter().enumerate() {
                t[i] += *c as u64;
            }
        }
        t
    }
}
