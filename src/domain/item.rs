//! Items: anything a person said to us, plus the changes an operator can make to one.

use super::{ItemId, Platform, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Comment,
    Reply,
    Mention,
    Quote,
    Dm,
    Review,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Comment,
        Kind::Reply,
        Kind::Mention,
        Kind::Quote,
        Kind::Dm,
        Kind::Review,
    ];

    pub fn code(self) -> u8 {
        match self {
            Kind::Comment => 1,
            Kind::Reply => 2,
            Kind::Mention => 3,
            Kind::Quote => 4,
            Kind::Dm => 5,
            Kind::Review => 6,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Comment => "comment",
            Kind::Reply => "reply",
            Kind::Mention => "mention",
            Kind::Quote => "quote",
            Kind::Dm => "dm",
            Kind::Review => "review",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug, PartialEq)]
pub struct BadKind(pub String);

impl std::error::Error for BadKind {}

impl fmt::Display for BadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::i18n::tf(
            "err.bad_kind",
            &[("value", &format!("{:?}", self.0))],
        ))
    }
}

impl FromStr for Kind {
    type Err = BadKind;
    fn from_str(s: &str) -> Result<Self, BadKind> {
        let l = s.trim().to_ascii_lowercase();
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == l)
            .or(match l.as_str() {
                "message" | "direct" | "direct_message" | "pm" => Some(Kind::Dm),
                "rating" => Some(Kind::Review),
                _ => None,
            })
            .ok_or_else(|| BadKind(s.to_string()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Open,
    Snoozed,
    Done,
    Hidden,
    Spam,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::New,
        Status::Open,
        Status::Snoozed,
        Status::Done,
        Status::Hidden,
        Status::Spam,
    ];

    pub fn code(self) -> u8 {
        match self {
            Status::New => 1,
            Status::Open => 2,
            Status::Snoozed => 3,
            Status::Done => 4,
            Status::Hidden => 5,
            Status::Spam => 6,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::Snoozed => "snoozed",
            Status::Done => "done",
            Status::Hidden => "hidden",
            Status::Spam => "spam",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug, PartialEq)]
pub struct BadStatus(pub String);

impl std::error::Error for BadStatus {}

impl fmt::Display for BadStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::i18n::tf(
            "err.bad_status",
            &[("value", &format!("{:?}", self.0))],
        ))
    }
}

impl FromStr for Status {
    type Err = BadStatus;
    fn from_str(s: &str) -> Result<Self, BadStatus> {
        let l = s.trim().to_ascii_lowercase();
        Status::ALL
            .into_iter()
            .find(|k| k.as_str() == l)
            .ok_or_else(|| BadStatus(s.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Author {
    /// The platform's own id for the author (stable, unlike handles).
    pub id: String,
    pub handle: Option<String>,
    pub name: Option<String>,
    pub followers: Option<u64>,
}

impl Author {
    /// The best short label: name, else handle, else id. Raw text; sanitize before display.
    pub fn label(&self) -> &str {
        self.name
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .or(self.handle.as_deref().filter(|s| !s.is_empty()))
            .unwrap_or(&self.id)
    }
}

/// State of something we sent (a reply written by an operator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outgoing {
    Sending,
    Sent {
        url: Option<String>,
    },
    Failed {
        reason: String,
    },
    /// Written by an operator whose replies need approval: kept, not sent, until an approver
    /// approves it (then Sending) or sends it back. New variants go last so stored replies
    /// still decode.
    AwaitingApproval,
    /// An approver sent it back to its author with a comment; it is never sent.
    SentBack {
        by: String,
        comment: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: ItemId,
    pub platform: Platform,
    pub account: String,
    pub kind: Kind,
    pub native_id: String,
    pub parent_native_id: Option<String>,
    pub root_native_id: Option<String>,
    /// Our post this item answers, when known.
    pub post_native_id: Option<String>,
    pub author: Author,
    /// Raw text exactly as received.
    pub text: String,
    pub title: Option<String>,
    pub lang: Option<String>,
    pub rating: Option<u8>,
    pub created_at: Timestamp,
    pub received_at: Timestamp,
    pub url: Option<String>,
    pub status: Status,
    pub snoozed_until: Option<Timestamp>,
    pub assignee: Option<String>,
    pub tags: Vec<String>,
    pub priority: u8,
    pub version: u64,
    /// Set on items we wrote (replies); they live in threads, not in the inbox.
    pub outgoing: Option<Outgoing>,
    /// Operator who wrote an outgoing item.
    pub operator: Option<String>,
    /// For [`Platform::Other`]: the platform's name as the import gave it. Last, and read
    /// leniently, so items stored before it existed still decode (see [`tail_field`]).
    #[serde(default, deserialize_with = "tail_field")]
    pub source: Option<String>,
    /// The inbox rules that touched it on arrival (or on `kith rules apply`), in order. Read
    /// leniently like `source`: older items end before it.
    #[serde(default, deserialize_with = "tail_field")]
    pub rules: Vec<String>,
}

/// Reads a field that stored values written before it was added lack. JSON (the socket) has
/// `default` for an absent key and reports real errors; in the store's postcard an older value
/// simply ends before the field, which reads as the default. Only for trailing fields of a
/// struct stored last in its value: nothing after it could be read from where the failed read
/// left off.
pub(crate) fn tail_field<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    if d.is_human_readable() {
        T::deserialize(d)
    } else {
        Ok(T::deserialize(d).unwrap_or_default())
    }
}

impl Item {
    pub fn is_ours(&self) -> bool {
        self.outgoing.is_some()
    }

    /// The platform's name for people and scripts: the imported name for a platform kith has
    /// no entry for (raw; sanitize before display), else the platform's own.
    pub fn platform_name(&self) -> &str {
        match (&self.platform, &self.source) {
            (Platform::Other, Some(s)) if !s.is_empty() => s,
            (p, _) => p.as_str(),
        }
    }

    /// Why kith cannot answer this item on its platform, or `None` when it can.
    pub fn why_no_reply(&self) -> Option<crate::i18n::Phrase> {
        use crate::i18n::ph;
        if self.platform.capabilities().reply {
            None
        } else if self.platform.import_only() {
            // The name came from a file: show it escaped, never raw.
            let name = format!("{:?}", self.platform_name());
            let name = name.trim_matches('"');
            Some(ph("import.reply_refused", &[("platform", &name)]))
        } else {
            Some(ph("err.reply_unsupported", &[("platform", &self.platform)]))
        }
    }

    /// The short label for narrow columns (safe to print: letters and digits only).
    pub fn platform_short(&self) -> std::borrow::Cow<'static, str> {
        match (&self.platform, &self.source) {
            (Platform::Other, Some(s)) => super::platform::short_for(s).into(),
            (p, _) => p.short().into(),
        }
    }

    /// The stored form of an incoming item: version 1, no triage yet. A snooze cannot arrive
    /// from outside (it needs a time); our own posts are stored as sent and done.
    pub fn from_new(id: ItemId, new: &NewItem, received_at: Timestamp) -> Item {
        Item {
            id,
            platform: new.platform,
            account: new.account.clone(),
            kind: new.kind,
            native_id: new.native_id.clone(),
            parent_native_id: new.parent_native_id.clone(),
            root_native_id: new.root_native_id.clone(),
            post_native_id: new.post_native_id.clone(),
            author: new.author.clone(),
            text: new.text.clone(),
            title: new.title.clone(),
            lang: new.lang.clone(),
            rating: new.rating,
            created_at: new.created_at,
            received_at,
            url: new.url.clone(),
            status: if new.ours {
                Status::Done
            } else if new.status == Status::Snoozed {
                Status::New
            } else {
                new.status
            },
            snoozed_until: None,
            assignee: None,
            tags: new.tags.clone(),
            priority: 0,
            version: 1,
            outgoing: new.ours.then(|| Outgoing::Sent {
                url: new.url.clone(),
            }),
            operator: None,
            source: new.source.clone(),
            rules: Vec::new(),
        }
    }
}

/// An item as it arrives from a connector, a file or the demo generator, before kith gives it an
/// id and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewItem {
    pub platform: Platform,
    pub account: String,
    pub kind: Kind,
    pub native_id: String,
    pub parent_native_id: Option<String>,
    pub root_native_id: Option<String>,
    pub post_native_id: Option<String>,
    pub author: Author,
    pub text: String,
    pub title: Option<String>,
    pub lang: Option<String>,
    pub rating: Option<u8>,
    pub created_at: Timestamp,
    pub url: Option<String>,
    /// Initial status; connectors leave `New`, the demo sets a few to done/spam so it looks lived-in.
    pub status: Status,
    pub tags: Vec<String>,
    /// Written by the brand itself (our post in a fetched thread): stored as sent, never in the
    /// inbox.
    #[serde(default)]
    pub ours: bool,
    /// For [`Platform::Other`]: the platform's name as the import gave it.
    #[serde(default)]
    pub source: Option<String>,
}

impl NewItem {
    /// A plain incoming comment; other fields default. Handy for tests and generators.
    pub fn comment(
        platform: Platform,
        account: &str,
        native_id: &str,
        author_id: &str,
        text: &str,
        created_at: Timestamp,
    ) -> Self {
        NewItem {
            platform,
            account: account.to_string(),
            kind: Kind::Comment,
            native_id: native_id.to_string(),
            parent_native_id: None,
            root_native_id: None,
            post_native_id: None,
            author: Author {
                id: author_id.to_string(),
                handle: None,
                name: None,
                followers: None,
            },
            text: text.to_string(),
            title: None,
            lang: None,
            rating: None,
            created_at,
            url: None,
            status: Status::New,
            tags: Vec::new(),
            ours: false,
            source: None,
        }
    }
}

/// A change an operator makes to an item. Each is applied by the engine with compare-and-swap on
/// the item's version and recorded in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    SetStatus {
        status: Status,
        snoozed_until: Option<Timestamp>,
    },
    AddTag(String),
    RemoveTag(String),
    Assign(Option<String>),
    /// Every triage field at once (what rules run over a stored item decide, and its undo).
    Triage(Box<Triage>),
}

/// An item's triage fields, set together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triage {
    pub status: Status,
    pub snoozed_until: Option<Timestamp>,
    pub tags: Vec<String>,
    pub assignee: Option<String>,
    pub priority: u8,
    pub rules: Vec<String>,
    /// Why, as the audit shows it (`rule:delivery tag:delivery`).
    pub note: String,
}

impl Triage {
    /// The item's triage fields as they are.
    pub fn of(item: &Item, note: String) -> Triage {
        Triage {
            status: item.status,
            snoozed_until: item.snoozed_until,
            tags: item.tags.clone(),
            assignee: item.assignee.clone(),
            priority: item.priority,
            rules: item.rules.clone(),
            note,
        }
    }

    fn same(&self, item: &Item) -> bool {
        item.status == self.status
            && item.snoozed_until == self.snoozed_until
            && item.tags == self.tags
            && item.assignee == self.assignee
            && item.priority == self.priority
            && item.rules == self.rules
    }
}

impl Change {
    /// A plain status change (anything but snooze, which needs a time).
    pub fn status(status: Status) -> Change {
        Change::SetStatus {
            status,
            snoozed_until: None,
        }
    }

    /// The change that undoes `self` when applied to the item as it is now (before `self`).
    pub fn inverse(&self, before: &Item) -> Change {
        match self {
            Change::SetStatus { .. } => Change::SetStatus {
                status: before.status,
                snoozed_until: before.snoozed_until,
            },
            // Tags compare case-insensitively (`tag::same`); undo restores the spelling held.
            Change::AddTag(t) | Change::RemoveTag(t) => {
                match before.tags.iter().find(|x| super::tag::same(x, t)) {
                    Some(held) => Change::AddTag(held.clone()),
                    None => Change::RemoveTag(t.clone()),
                }
            }
            Change::Assign(_) => Change::Assign(before.assignee.clone()),
            Change::Triage(t) => {
                Change::Triage(Box::new(Triage::of(before, format!("undo {}", t.note))))
            }
        }
    }

    /// Apply to an item in place. Returns false when it changes nothing.
    pub fn apply(&self, item: &mut Item) -> bool {
        match self {
            Change::SetStatus {
                status,
                snoozed_until,
            } => {
                let until = if *status == Status::Snoozed {
                    *snoozed_until
                } else {
                    None
                };
                if item.status == *status && item.snoozed_until == until {
                    return false;
                }
                item.status = *status;
                item.snoozed_until = until;
            }
            Change::AddTag(t) => {
                if item.tags.iter().any(|x| super::tag::same(x, t)) {
                    return false;
                }
                item.tags.push(t.trim().to_string());
            }
            Change::RemoveTag(t) => {
                let before = item.tags.len();
                item.tags.retain(|x| !super::tag::same(x, t));
                if item.tags.len() == before {
                    return false;
                }
            }
            Change::Assign(a) => {
                if item.assignee == *a {
                    return false;
                }
                item.assignee = a.clone();
            }
            Change::Triage(t) => {
                if t.same(item) {
                    return false;
                }
                item.status = t.status;
                item.snoozed_until = t.snoozed_until;
                item.tags = t.tags.clone();
                item.assignee = t.assignee.clone();
                item.priority = t.priority;
                item.rules = t.rules.clone();
            }
        }
        true
    }

    pub fn describe(&self) -> String {
        match self {
            Change::SetStatus {
                status,
                snoozed_until: Some(t),
            } => format!("status={status} until={t}"),
            Change::SetStatus { status, .. } => format!("status={status}"),
            Change::AddTag(t) => format!("tag+={t}"),
            Change::RemoveTag(t) => format!("tag-={t}"),
            Change::Assign(Some(a)) => format!("assignee={a}"),
            Change::Assign(None) => "assignee=none".to_string(),
            Change::Triage(t) => t.note.clone(),
        }
    }
}
