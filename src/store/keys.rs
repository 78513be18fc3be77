//! Key encodings. Big-endian numbers so byte order is sort order; variable-length parts are
//! length-prefixed so no value can break out of its prefix.

use crate::domain::{ItemId, Kind, Platform, Status};

/// Item blocks: `i ++ first item id` (see `blocks.rs`).
pub const ITEM: u8 = b'i';
pub const ALL: u8 = b'a';
pub const BY_STATUS: u8 = b's';
pub const BY_PLATFORM: u8 = b'p';
pub const BY_ACCOUNT: u8 = b'c';
pub const BY_KIND: u8 = b'k';
pub const NATIVE: u8 = b'n';
pub const CHILDREN: u8 = b'h';
pub const WORD: u8 = b'w';
pub const SNOOZE: u8 = b'z';
pub const MEMBER: u8 = b'm';
pub const AUDIT: u8 = b'u';
pub const COUNTER: u8 = b'x';
pub const ACCOUNT: u8 = b'A';
pub const META: u8 = b'M';
pub const QUARANTINE: u8 = b'q';
/// Replies stored but not yet confirmed by their platform: `o ++ reply id`.
pub const PENDING_REPLY: u8 = b'o';
/// Connected accounts (JSON `AccountConfig`): `C ++ name`.
pub const CONNECTION: u8 = b'C';
/// Sync state per account (JSON): `S ++ name`.
pub const SYNC: u8 = b'S';
/// Activity already counted: `v ++ lp(account) ++ lp(native id)`.
pub const ACTIVITY: u8 = b'v';
/// Reactions per member: `r ++ platform ++ lp(author id)`.
pub const REACTIONS: u8 = b'r';
/// Likes and moderation actions requested but not yet confirmed: `y ++ id ++ action`.
pub const PENDING_ACTION: u8 = b'y';
/// Handoff notes on items (internal, never sent): `N ++ item id ++ seq`.
pub const NOTE: u8 = b'N';
/// Words of synced items not yet in the word lists: `W ++ seq` (see `words_pending.rs`).
pub const PENDING_WORDS: u8 = b'W';
/// Posts we publish: `P ++ post id` (see `outbox.rs`).
pub const POST: u8 = b'P';
/// Posts waiting on the clock: `O ++ next_at ++ post id`.
pub const OUTBOX: u8 = b'O';
/// Posts on the calendar: `D ++ due or sent time ++ post id`.
pub const CALENDAR: u8 = b'D';
/// Posts in flight or waiting for a person: `Q ++ post id`.
pub const POST_ATTENTION: u8 = b'Q';
/// Items per tag (packed posting list per folded tag name): `t ++ lp(folded tag)`.
pub const BY_TAG: u8 = b't';
/// What undoes each change of a bulk: `j ++ bulk id ++ item id` (see `bulk.rs`).
pub const BULK: u8 = b'j';
/// Replies prepared and not sent (a bulk's saved reply): `f ++ item id`.
pub const DRAFT: u8 = b'f';
/// Views saved for the team (see `views.rs`): `V ++ lp(folded name)`.
pub const SAVED_VIEW: u8 = b'V';

fn lp(out: &mut Vec<u8>, s: &str) {
    let n = s.len().min(u16::MAX as usize);
    out.extend_from_slice(&(n as u16).to_be_bytes());
    out.extend_from_slice(&s.as_bytes()[..n]);
}

pub fn item(id: ItemId) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = ITEM;
    k[1..].copy_from_slice(&id.to_bytes());
    k
}

/// `prefix ++ id`; every id-ordered index uses this shape.
pub fn with_id(mut prefix: Vec<u8>, id: ItemId) -> Vec<u8> {
    prefix.extend_from_slice(&id.to_bytes());
    prefix
}

pub fn all_prefix() -> Vec<u8> {
    vec![ALL]
}
pub fn status_prefix(s: Status) -> Vec<u8> {
    vec![BY_STATUS, s.code()]
}
pub fn platform_prefix(p: Platform) -> Vec<u8> {
    vec![BY_PLATFORM, p.code()]
}
pub fn kind_prefix(k: Kind) -> Vec<u8> {
    vec![BY_KIND, k.code()]
}
pub fn account_prefix(account: &str) -> Vec<u8> {
    let mut k = vec![BY_ACCOUNT];
    lp(&mut k, account);
    k
}
/// The list of items carrying a tag (`tag` already folded, see `domain::tag::fold`).
pub fn tag_prefix(folded: &str) -> Vec<u8> {
    let mut k = vec![BY_TAG];
    lp(&mut k, folded);
    k
}
pub fn native(account: &str, native_id: &str) -> Vec<u8> {
    let mut k = vec![NATIVE];
    lp(&mut k, account);
    lp(&mut k, native_id);
    k
}
/// (account, native id) of an `n` key.
pub fn parse_native(key: &[u8]) -> Option<(String, String)> {
    let rest = key.strip_prefix(&[NATIVE])?;
    let (account, rest) = take_lp(rest)?;
    let (native, rest) = take_lp(rest)?;
    rest.is_empty().then_some((account, native))
}
fn take_lp(b: &[u8]) -> Option<(String, &[u8])> {
    let n = u16::from_be_bytes([*b.first()?, *b.get(1)?]) as usize;
    let s = b.get(2..2 + n)?;
    Some((String::from_utf8(s.to_vec()).ok()?, &b[2 + n..]))
}
pub fn children_prefix(account: &str, parent_native_id: &str) -> Vec<u8> {
    let mut k = vec![CHILDREN];
    lp(&mut k, account);
    lp(&mut k, parent_native_id);
    k
}
/// Word list: `w ++ token ++ 0x00`. Tokens are alphanumeric runs, never containing 0x00, so a
/// scan of `w ++ prefix` finds every token starting with it.
pub fn word_prefix(token: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(token.len() + 10);
    k.push(WORD);
    k.extend_from_slice(token.as_bytes());
    k.push(0);
    k
}
pub fn snooze(until_ms: i64, id: ItemId) -> Vec<u8> {
    let mut k = vec![SNOOZE];
    k.extend_from_slice(&(until_ms.max(0) as u64).to_be_bytes());
    k.extend_from_slice(&id.to_bytes());
    k
}
pub fn pending_reply(id: ItemId) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = PENDING_REPLY;
    k[1..].copy_from_slice(&id.to_bytes());
    k
}

pub fn note(item: ItemId, seq: u64) -> Vec<u8> {
    let mut k = note_prefix(item);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}
pub fn note_prefix(item: ItemId) -> Vec<u8> {
    let mut k = vec![NOTE];
    k.extend_from_slice(&item.to_bytes());
    k
}
pub fn bulk_prefix(bulk: u64) -> Vec<u8> {
    let mut k = vec![BULK];
    k.extend_from_slice(&bulk.to_be_bytes());
    k
}
pub fn bulk_step(bulk: u64, id: ItemId) -> Vec<u8> {
    with_id(bulk_prefix(bulk), id)
}
pub fn draft(id: ItemId) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = DRAFT;
    k[1..].copy_from_slice(&id.to_bytes());
    k
}
/// A saved view's key (`name` already folded, see `domain::saved_view::fold`).
pub fn saved_view(folded: &str) -> Vec<u8> {
    let mut k = vec![SAVED_VIEW];
    lp(&mut k, folded);
    k
}
pub fn audit(seq: u64) -> Vec<u8> {
    let mut k = vec![AUDIT];
    k.extend_from_slice(&seq.to_be_bytes());
    k
}
pub fn quarantine(seq: u64) -> Vec<u8> {
    let mut k = vec![QUARANTINE];
    k.extend_from_slice(&seq.to_be_bytes());
    k
}
pub fn counter(name: &str) -> Vec<u8> {
    let mut k = vec![COUNTER];
    k.extend_from_slice(name.as_bytes());
    k
}
pub fn account(name: &str) -> Vec<u8> {
    let mut k = vec![ACCOUNT];
    k.extend_from_slice(name.as_bytes());
    k
}
pub fn connection(name: &str) -> Vec<u8> {
    let mut k = vec![CONNECTION];
    k.extend_from_slice(name.as_bytes());
    k
}
pub fn sync_state(name: &str) -> Vec<u8> {
    let mut k = vec![SYNC];
    k.extend_from_slice(name.as_bytes());
    k
}
pub fn activity(account: &str, native_id: &str) -> Vec<u8> {
    let mut k = vec![ACTIVITY];
    lp(&mut k, account);
    lp(&mut k, native_id);
    k
}
pub fn reactions(platform: Platform, author_id: &str) -> Vec<u8> {
    let mut k = vec![REACTIONS, platform.code()];
    lp(&mut k, author_id);
    k
}
pub fn pending_action(id: ItemId, action: &str) -> Vec<u8> {
    let mut k = vec![PENDING_ACTION];
    k.extend_from_slice(&id.to_bytes());
    k.extend_from_slice(action.as_bytes());
    k
}
pub fn pending_words(seq: u64) -> Vec<u8> {
    let mut k = vec![PENDING_WORDS];
    k.extend_from_slice(&seq.to_be_bytes());
    k
}
pub fn meta(name: &str) -> Vec<u8> {
    let mut k = vec![META];
    k.extend_from_slice(name.as_bytes());
    k
}

/// The id at the end of an index key.
pub fn trailing_id(key: &[u8]) -> Option<ItemId> {
    key.len()
        .checked_sub(8)
        .and_then(|at| ItemId::from_bytes(&key[at..]))
}

/// Counter names, kept in one place so writers and readers agree.
pub mod counters {
    use crate::domain::{Kind, Platform, Status};
    pub const TOTAL: &str = "total";
    pub const AUDIT_SEQ: &str = "audit_seq";
    pub const QUARANTINE_SEQ: &str = "quarantine_seq";
    pub const SEGMENT_SEQ: &str = "segment_seq";
    pub const WORDS_SEQ: &str = "words_seq";
    pub const WORDS_PENDING: &str = "words_pending";
    /// Member chunks written (see `members.rs`) and the interactions in them not yet applied.
    pub const MEMBERS_SEQ: &str = "members_seq";
    pub const MEMBERS_PENDING: &str = "members_pending";
    /// Persons waiting for their ranking entries (`Y` keys, see `member_settle.rs`).
    pub const MEMBERS_TO_RANK: &str = "members_to_rank";
    pub const NOTES_SEQ: &str = "notes_seq";
    pub const POSTS_SEQ: &str = "posts_seq";
    pub fn status(s: Status) -> String {
        format!("status:{s}")
    }
    pub fn platform(p: Platform) -> String {
        format!("platform:{p}")
    }
    pub fn platform_new(p: Platform) -> String {
        format!("platform_new:{p}")
    }
    pub fn kind(k: Kind) -> String {
        format!("kind:{k}")
    }
    pub fn account(a: &str) -> String {
        format!("account:{a}")
    }
    /// Inbox items carrying a tag, per folded tag name (completion with counts).
    pub const TAG_PREFIX: &str = "tag:";
    pub fn tag(folded: &str) -> String {
        format!("{TAG_PREFIX}{folded}")
    }
    /// The tag counters an item adds to: one per distinct tag.
    pub fn tags(item: &crate::domain::Item) -> Vec<String> {
        folded_tags(item).iter().map(|t| tag(t)).collect()
    }
    /// An item's tags, folded, each once.
    pub fn folded_tags(item: &crate::domain::Item) -> Vec<String> {
        let mut out: Vec<String> = Vec::with_capacity(item.tags.len());
        for t in &item.tags {
            let f = crate::domain::tag::fold(t);
            if !f.is_empty() && !out.contains(&f) {
                out.push(f);
            }
        }
        out
    }
    /// Items waiting for an answer (new or open) assigned to an operator.
    pub const ASSIGNED_PREFIX: &str = "assigned:";
    pub fn assigned(op: &str) -> String {
        format!("{ASSIGNED_PREFIX}{op}")
    }
    /// Items waiting for an answer that nobody has taken.
    pub const UNASSIGNED: &str = "unassigned_open";
    /// Items of a kind waiting for an answer (new or open): reviews to answer.
    pub fn waiting_kind(k: Kind) -> String {
        format!("waiting_kind:{k}")
    }
    /// The waiting-by-kind counter an item adds to (none when it is not waiting).
    pub fn waiting(item: &crate::domain::Item) -> Option<String> {
        matches!(item.status, Status::New | Status::Open).then(|| waiting_kind(item.kind))
    }
    /// The team counters an item adds to (none when it is not waiting for an answer).
    pub fn team(item: &crate::domain::Item) -> Option<String> {
        if !matches!(item.status, Status::New | Status::Open) {
            return None;
        }
        Some(match &item.assignee {
            Some(a) => assigned(a),
            None => UNASSIGNED.to_string(),
        })
    }
}

#[cfg(test)]
mod prefix_tests {
    use super::super::member_model as mm;
    use super::*;

    /// Every kind of record has its own first byte: a scan of one never reads another's.
    #[test]
    fn every_prefix_is_its_own() {
        let all = [
            ITEM,
            ALL,
            BY_STATUS,
            BY_PLATFORM,
            BY_ACCOUNT,
            BY_KIND,
            NATIVE,
            super::super::natives::NATIVE_BUCKET,
            CHILDREN,
            WORD,
            SNOOZE,
            MEMBER,
            AUDIT,
            COUNTER,
            ACCOUNT,
            META,
            QUARANTINE,
            PENDING_REPLY,
            CONNECTION,
            SYNC,
            ACTIVITY,
            REACTIONS,
            PENDING_ACTION,
            NOTE,
            PENDING_WORDS,
            POST,
            OUTBOX,
            CALENDAR,
            POST_ATTENTION,
            BY_TAG,
            BULK,
            DRAFT,
            SAVED_VIEW,
            mm::RANK,
            mm::EXPIRE,
            mm::LOOKUP,
            mm::MTAG,
            mm::BY_AUTHOR,
            mm::LEADERS,
            mm::UNRANKED,
            mm::TO_RANK,
            // Schema 3's author lists, removed by its migration (see member_migration_tests).
            b'g',
        ];
        let mut seen = std::collections::HashSet::new();
        for p in all {
            assert!(seen.insert(p), "prefix {} is taken twice", p as char);
        }
    }
}
