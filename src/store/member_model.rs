//! Member records and their keys, as data: the `Member` record, the key spaces of the member
//! index (see `members.rs` for the whole picture), what one batch touched (`Touched`) and what
//! it counts (`Counted`, `Interaction`), and the index entries of a person computed from their
//! records. No reads or writes of the store here: `members.rs` and its siblings do those.

use super::keys;
use crate::domain::member::{
    self, desc_bytes, link_key, Act, Buckets, MemberId, Period, Scoring, Source,
};
use crate::domain::{Author, Item, ItemId, Platform, Status, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};

pub const RANK: u8 = b'R';
pub const EXPIRE: u8 = b'E';
pub const LOOKUP: u8 = b'K';
pub const MTAG: u8 = b'T';
pub const BY_AUTHOR: u8 = b'G';
/// The opinion-leader ranking: followers × the 30-day score.
pub const LEADERS: u8 = b'l';
/// Interactions counted but not yet applied (see the module comment).
pub const UNRANKED: u8 = b'U';
/// Persons whose counts a settle applied and whose ranking entries it left for its last step
/// (see `member_settle.rs`): `Y ++ person id`.
pub const TO_RANK: u8 = b'Y';
/// Ranking scopes (the third byte of an `R` key): a person on one platform is ranked once, in
/// that platform's code; a person on several is ranked by their total in scope 0 and by their
/// part on each platform in `code | PART`. The ranking of every platform merges scope 0 with each
/// platform's code; the ranking of one platform merges its code with `code | PART`.
pub const PART: u8 = 0x80;

/// Interactions per stored chunk (~20 KB).
pub(super) const CHUNK: usize = 256;

pub use crate::domain::ranking::{MemberNote, Reward};

/// One person on one platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: MemberId,
    pub platform: Platform,
    pub author_id: String,
    pub handle: Option<String>,
    pub name: Option<String>,
    pub followers: Option<u64>,
    /// When the handle, name and followers above were seen (each keeps its newest sighting, so
    /// the order in which items arrive does not matter).
    pub profile_at: [Timestamp; 3],
    /// First and last item or reaction seen, spam included.
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    pub buckets: Buckets,
    /// The root of this member's person (itself when not linked).
    pub person: MemberId,
    /// On a root of linked members: the whole group, sorted (empty when not linked).
    pub group: Vec<MemberId>,
    pub tags: Vec<String>,
    pub notes: Vec<MemberNote>,
    pub rewards: Vec<Reward>,
    /// Ranking entries this member holds as a person's root.
    pub indexed: Vec<Vec<u8>>,
}

impl Member {
    pub(super) fn new(id: MemberId, platform: Platform, author_id: &str) -> Member {
        Member {
            id,
            platform,
            author_id: author_id.to_string(),
            handle: None,
            name: None,
            followers: None,
            profile_at: [Timestamp(i64::MIN); 3],
            first_seen: Timestamp(i64::MAX),
            last_seen: Timestamp(i64::MIN),
            buckets: Buckets::default(),
            person: id,
            group: Vec::new(),
            tags: Vec::new(),
            notes: Vec::new(),
            rewards: Vec::new(),
            indexed: Vec::new(),
        }
    }

    /// The best short label: name, else handle, else id. Raw text; sanitize before display.
    pub fn label(&self) -> &str {
        self.name
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .or(self.handle.as_deref())
            .unwrap_or(&self.author_id)
    }

    pub(super) fn see(&mut self, author: &Author, at: Timestamp) {
        self.first_seen = self.first_seen.min(at);
        self.last_seen = self.last_seen.max(at);
        if author.handle.is_some() && at >= self.profile_at[0] {
            self.profile_at[0] = at;
            self.handle = author.handle.clone();
        }
        if author.name.is_some() && at >= self.profile_at[1] {
            self.profile_at[1] = at;
            self.name = author.name.clone();
        }
        if author.followers.is_some() && at >= self.profile_at[2] {
            self.profile_at[2] = at;
            self.followers = author.followers;
        }
    }
}

pub fn member_key(id: MemberId) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = keys::MEMBER;
    k[1..].copy_from_slice(&id.to_bytes());
    k
}

/// The posting list of a member's items.
pub fn by_author_prefix(id: MemberId) -> Vec<u8> {
    let mut k = vec![BY_AUTHOR];
    k.extend_from_slice(&id.to_bytes());
    k
}

pub(super) fn rank_key(code: u8, scope: u8, key: f64, person: MemberId) -> Vec<u8> {
    let mut k = vec![RANK, code, scope];
    k.extend_from_slice(&desc_bytes(key));
    k.extend_from_slice(&person.to_bytes());
    k
}
pub(super) fn unranked_key(seq: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = UNRANKED;
    k[1..].copy_from_slice(&seq.to_be_bytes());
    k
}
pub(super) fn expire_key(code: u8, day: u32, person: MemberId) -> Vec<u8> {
    let mut k = vec![EXPIRE, code];
    k.extend_from_slice(&day.to_be_bytes());
    k.extend_from_slice(&person.to_bytes());
    k
}
pub(super) fn text_key(space: u8, sub: Option<u8>, text: &str, id: MemberId) -> Vec<u8> {
    let mut k = vec![space];
    k.extend(sub);
    k.extend(text.bytes().filter(|&b| b != 0));
    k.push(0);
    k.extend_from_slice(&id.to_bytes());
    k
}
pub fn handle_norm(h: &str) -> String {
    h.trim().trim_start_matches('@').to_lowercase()
}
pub fn tag_norm(t: &str) -> String {
    t.trim().to_lowercase()
}

/// Handle, suggestion and tag keys of a record.
pub(super) fn lookup_keys(m: &Member) -> BTreeSet<Vec<u8>> {
    let mut out = BTreeSet::new();
    if let Some(h) = m
        .handle
        .as_deref()
        .map(handle_norm)
        .filter(|h| !h.is_empty())
    {
        out.insert(text_key(LOOKUP, Some(b'h'), &h, m.id));
    }
    for s in [m.handle.as_deref(), m.name.as_deref()]
        .into_iter()
        .flatten()
    {
        if let Some(k) = link_key(s) {
            out.insert(text_key(LOOKUP, Some(b's'), &k, m.id));
        }
    }
    for t in &m.tags {
        out.insert(text_key(MTAG, None, &tag_norm(t), m.id));
    }
    out
}

/// Members loaded and changed by one batch.
#[derive(Default)]
pub(super) struct Touched {
    pub(super) records: HashMap<MemberId, Member>,
    /// Lookup keys of each record as it was loaded (None = new record).
    pub(super) loaded: HashMap<MemberId, Option<BTreeSet<Vec<u8>>>>,
    pub(super) dirty: HashSet<MemberId>,
    pub(super) persons: BTreeSet<MemberId>,
    /// Roots that stopped being roots: their index entries go.
    pub(super) demoted: BTreeSet<MemberId>,
    /// Author ids resolved in this batch.
    pub(super) resolved: HashMap<(Platform, String), MemberId>,
    /// Interactions this batch counts, written as its chunk for `settle_members`.
    pub(super) counted: Vec<Counted>,
}

impl Touched {
    pub(super) fn is_empty(&self) -> bool {
        self.dirty.is_empty()
            && self.persons.is_empty()
            && self.demoted.is_empty()
            && self.counted.is_empty()
    }
}

/// One interaction waiting in a chunk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Counted {
    pub(super) platform: Platform,
    pub(super) author: Author,
    pub(super) act: Act,
    pub(super) at: Timestamp,
    pub(super) stored_at: Timestamp,
    pub(super) delta: i64,
    /// The item, when this counts a new one (for the author index).
    pub(super) item: Option<ItemId>,
}

/// Everything needed to count one interaction.
pub(super) struct Interaction<'a> {
    pub platform: Platform,
    pub author: &'a Author,
    pub act: Act,
    pub at: Timestamp,
    /// When kith stored it: an interaction never counts on a day after it was stored.
    pub stored_at: Timestamp,
    /// +1 to count, -1 to take back (an item marked spam), 0 only to see the author.
    pub delta: i64,
}

/// A person's ranking and expiry entries: every period for every platform scope it has.
pub(super) fn index_entries(
    members: &[&Member],
    root: MemberId,
    today: u32,
    scoring: &Scoring,
) -> BTreeSet<Vec<u8>> {
    let mut out = BTreeSet::new();
    let mut platforms: Vec<Platform> = members.iter().map(|m| m.platform).collect();
    platforms.sort_by_key(|p| p.code());
    platforms.dedup();
    let followers = members
        .iter()
        .filter_map(|m| m.followers)
        .max()
        .unwrap_or(0);
    // See `Scope`: one entry per period for a person on one platform, else the total and one
    // per platform.
    let all = sources(members, None);
    let mut scopes: Vec<(u8, Vec<Source<'_>>)> = Vec::new();
    if let [only] = platforms[..] {
        scopes.push((only.code(), sources(members, None)));
    } else {
        scopes.push((0, sources(members, None)));
        for pl in &platforms {
            scopes.push((pl.code() | PART, sources(members, Some(*pl))));
        }
    }
    for (scope, src) in &scopes {
        for period in Period::ALL {
            let Some(key) = member::rank_key(src, period, today, scoring) else {
                continue;
            };
            out.insert(rank_key(period.code(), *scope, key, root));
            if period == Period::Month {
                let lk = member::leader_key(key, followers);
                out.insert(rank_key(LEADERS, *scope, lk, root));
            }
        }
    }
    for period in Period::ALL {
        if let Some(day) = member::expiry(&all, period, today) {
            out.insert(expire_key(period.code(), day, root));
        }
    }
    out
}

pub(super) fn sources<'a>(members: &[&'a Member], only: Option<Platform>) -> Vec<Source<'a>> {
    members
        .iter()
        .filter(|m| only.is_none_or(|p| p == m.platform))
        .map(|m| Source {
            platform: m.platform,
            buckets: &m.buckets,
        })
        .collect()
}

/// The interaction an item counts as, when it counts at all.
pub(super) fn item_interaction(item: &Item, delta: i64) -> Option<Interaction<'_>> {
    if item.is_ours() {
        return None;
    }
    Some(Interaction {
        platform: item.platform,
        author: &item.author,
        act: Act::from(item.kind),
        at: item.created_at,
        stored_at: item.received_at,
        delta: if item.status == Status::Spam {
            0
        } else {
            delta
        },
    })
}
