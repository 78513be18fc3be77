//! Posts we publish: one text for several accounts, each target with its own state in the outbox
//! state machine (DESIGN §5). A target's state only moves forward through `Post::set_state`, and
//! the store writes and flushes every move before the engine takes the next step.

use super::media::{Attachment, NewMedia};
use super::{Platform, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;

/// kith's own id of a post: a sequence number, shown as `p12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PostId(pub u64);

impl PostId {
    pub fn to_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        Some(PostId(u64::from_be_bytes(b.get(..8)?.try_into().ok()?)))
    }
}

impl fmt::Display for PostId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "p{}", self.0)
    }
}

impl std::str::FromStr for PostId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let digits = t
            .strip_prefix('p')
            .or_else(|| t.strip_prefix('P'))
            .unwrap_or(t);
        digits
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .map(PostId)
            .ok_or_else(|| s.to_string())
    }
}

/// Where one target of a post stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetState {
    /// Written but not planned.
    Draft,
    /// Goes out at the post's `due_at`.
    Scheduled,
    /// Recorded and flushed before any byte leaves: a crash here means "maybe sent".
    Sending {
        attempt: u32,
        part: u32,
        at: Timestamp,
    },
    /// Every part is out; `url` of the first part.
    Sent {
        url: Option<String>,
        at: Timestamp,
    },
    /// Accepted by the platform's own scheduler (Mastodon `scheduled_at`); it publishes itself.
    NativeScheduled {
        remote_id: String,
    },
    /// The platform definitely did not take it; try again at `next_at`.
    RetryWait {
        next_at: Timestamp,
        attempt: u32,
    },
    /// Maybe sent, maybe not, and the platform cannot tell: held for a human with the evidence.
    Unknown {
        evidence: String,
    },
    /// Later than the allowed delay (the machine was off): waits for an operator to confirm.
    Late {
        due_at: Timestamp,
    },
    /// The platform refused it (a human must change something).
    Failed {
        reason: String,
    },
    Cancelled,
    /// Written by an operator whose posts need approval (`[team] needs_approval`): the outbox
    /// never looks at it; an approver moves it to Scheduled or back to Draft. Last, so posts
    /// stored before approvals existed still decode.
    AwaitingApproval,
}

impl TargetState {
    /// Stable names for `--json` and filters.
    pub fn name(&self) -> &'static str {
        match self {
            TargetState::Draft => "draft",
            TargetState::Scheduled => "scheduled",
            TargetState::Sending { .. } => "sending",
            TargetState::Sent { .. } => "sent",
            TargetState::NativeScheduled { .. } => "native_scheduled",
            TargetState::RetryWait { .. } => "retry_wait",
            TargetState::Unknown { .. } => "unknown",
            TargetState::Late { .. } => "late",
            TargetState::Failed { .. } => "failed",
            TargetState::Cancelled => "cancelled",
            TargetState::AwaitingApproval => "awaiting_approval",
        }
    }

    /// Nothing more will happen without a person.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            TargetState::Sent { .. }
                | TargetState::NativeScheduled { .. }
                | TargetState::Failed { .. }
                | TargetState::Cancelled
        )
    }

    /// Waiting for an operator's decision.
    pub fn needs_human(&self) -> bool {
        matches!(
            self,
            TargetState::Unknown { .. } | TargetState::Late { .. } | TargetState::Failed { .. }
        )
    }

    /// The target may still be edited, moved or cancelled: nothing of it has left.
    pub fn is_changeable(&self) -> bool {
        matches!(
            self,
            TargetState::Draft
                | TargetState::Scheduled
                | TargetState::RetryWait { .. }
                | TargetState::Late { .. }
                | TargetState::Failed { .. }
                | TargetState::AwaitingApproval
        )
    }
}

/// One account a post goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub account: String,
    pub platform: Platform,
    /// This network's own wording; `None` uses the post's text.
    pub variant: Option<String>,
    /// Let the platform schedule it (only where it can).
    pub native: bool,
    /// Split into a thread when the text is over this network's limit.
    pub split: bool,
    pub state: TargetState,
    /// Parts already out (remote id, url), in order; a thread resumes after the last one.
    pub parts: Vec<SentPart>,
    /// When the part now going out was first tried (idempotency keys expire; lookups start
    /// here).
    pub first_try: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentPart {
    pub native_id: String,
    pub url: Option<String>,
}

impl Target {
    pub fn new(account: &str, platform: Platform) -> Self {
        Target {
            account: account.to_string(),
            platform,
            variant: None,
            native: false,
            split: false,
            state: TargetState::Scheduled,
            parts: Vec::new(),
            first_try: None,
        }
    }
}

/// One line of a post's history: every attempt, answer and decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub at: Timestamp,
    pub account: String,
    /// What happened (`sending`, `sent`, `retry`, `unknown`, `failed`, `found`, ...).
    pub what: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub id: PostId,
    pub text: String,
    pub targets: Vec<Target>,
    /// When it should go out; `None` for a draft.
    pub due_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub created_by: String,
    /// Bumped on every change; edits compare it (`--if-version`).
    pub version: u64,
    pub log: Vec<Attempt>,
    /// Pictures, in order (they go with the first part of a thread). Read leniently: posts
    /// stored before pictures existed end before this field.
    #[serde(default, deserialize_with = "crate::domain::item::tail_field")]
    pub media: Vec<Attachment>,
    /// Pictures already uploaded to an account ahead of the post: kept durably, so a retry or
    /// a crash after an upload never uploads again nor posts without the picture.
    #[serde(default, deserialize_with = "crate::domain::item::tail_field")]
    pub uploads: Vec<Upload>,
    /// Approval: who asked and what the approver answered (None: nobody had to approve).
    /// Read leniently like the fields above it.
    #[serde(default, deserialize_with = "crate::domain::item::tail_field")]
    pub review: Option<super::approval::Review>,
}

/// One picture uploaded to one account: the platform's handle for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    pub account: String,
    /// Which of the post's pictures.
    pub index: usize,
    pub handle: String,
}

/// What an operator asks for when writing a post.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPost {
    pub text: String,
    /// Account names, with optional per-account text.
    pub targets: Vec<NewTarget>,
    /// `None` keeps it as a draft.
    pub due_at: Option<Timestamp>,
    /// Pictures to attach (files on the engine's machine, copied into the data directory).
    #[serde(default)]
    pub media: Vec<NewMedia>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTarget {
    pub account: String,
    pub variant: Option<String>,
    pub native: bool,
    pub split: bool,
}

/// Where the whole post stands, for lists: the least advanced target wins, problems first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Summary {
    Unknown,
    Late,
    Failed,
    Sending,
    RetryWait,
    AwaitingApproval,
    Scheduled,
    Draft,
    Partial,
    Sent,
    Cancelled,
}

impl Summary {
    pub fn as_str(self) -> &'static str {
        match self {
            Summary::Unknown => "unknown",
            Summary::Late => "late",
            Summary::Failed => "failed",
            Summary::Sending => "sending",
            Summary::RetryWait => "retry_wait",
            Summary::AwaitingApproval => "awaiting_approval",
            Summary::Scheduled => "scheduled",
            Summary::Draft => "draft",
            Summary::Partial => "partial",
            Summary::Sent => "sent",
            Summary::Cancelled => "cancelled",
        }
    }
}

impl Post {
    /// The calendar's time for a post: when it first went out, else when it is due.
    pub fn calendar_at(&self) -> Option<Timestamp> {
        self.targets
            .iter()
            .filter_map(|t| match t.state {
                TargetState::Sent { at, .. } => Some(at),
                _ => None,
            })
            .min()
            .or(self.due_at)
    }
}

impl Post {
    /// The text that goes to `target`.
    pub fn text_for<'a>(&'a self, target: &'a Target) -> &'a str {
        target.variant.as_deref().unwrap_or(&self.text)
    }

    pub fn target(&self, account: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.account == account)
    }

    pub fn target_mut(&mut self, account: &str) -> Option<&mut Target> {
        self.targets.iter_mut().find(|t| t.account == account)
    }

    /// When the engine must next look at this post: the due time of a scheduled target, the
    /// retry time of a waiting one. `None` when nothing is waiting for the clock.
    pub fn next_at(&self) -> Option<Timestamp> {
        self.targets
            .iter()
            .filter_map(|t| match &t.state {
                // The platform's own scheduler gets it at once.
                TargetState::Scheduled if t.native => Some(self.created_at),
                TargetState::Scheduled => self.due_at,
                TargetState::RetryWait { next_at, .. } => Some(*next_at),
                _ => None,
            })
            .min()
    }

    /// True while some target is being sent (or was, when a run stopped mid-send).
    pub fn in_flight(&self) -> bool {
        self.targets
            .iter()
            .any(|t| matches!(t.state, TargetState::Sending { .. }))
    }

    pub fn summary(&self) -> Summary {
        let states: Vec<&TargetState> = self.targets.iter().map(|t| &t.state).collect();
        let any = |f: &dyn Fn(&TargetState) -> bool| states.iter().any(|s| f(s));
        let all = |f: &dyn Fn(&TargetState) -> bool| states.iter().all(|s| f(s));
        let sent = |s: &TargetState| {
            matches!(
                s,
                TargetState::Sent { .. } | TargetState::NativeScheduled { .. }
            )
        };
        if any(&|s| matches!(s, TargetState::Unknown { .. })) {
            Summary::Unknown
        } else if any(&|s| matches!(s, TargetState::Late { .. })) {
            Summary::Late
        } else if any(&|s| matches!(s, TargetState::Failed { .. })) {
            Summary::Failed
        } else if any(&|s| matches!(s, TargetState::Sending { .. })) {
            Summary::Sending
        } else if any(&|s| matches!(s, TargetState::RetryWait { .. })) {
            Summary::RetryWait
        } else if any(&|s| matches!(s, TargetState::AwaitingApproval)) {
            Summary::AwaitingApproval
        } else if any(&|s| matches!(s, TargetState::Scheduled)) {
            Summary::Scheduled
        } else if any(&|s| matches!(s, TargetState::Draft)) {
            Summary::Draft
        } else if all(&|s| matches!(s, TargetState::Cancelled)) {
            Summary::Cancelled
        } else if all(&sent) {
            Summary::Sent
        } else {
            Summary::Partial
        }
    }

    /// Nothing more happens to `target` without a person: it is out, refused, late, cancelled,
    /// or unknown and held (an unknown target is first looked for on the platform; only the
    /// outcome of that look settles it).
    pub fn settled(&self, target: &Target) -> bool {
        match &target.state {
            TargetState::Unknown { .. } => self
                .log
                .iter()
                .rev()
                .find(|a| a.account == target.account)
                .is_some_and(|a| a.what == "held"),
            TargetState::AwaitingApproval => true,
            s => s.is_final() || s.needs_human(),
        }
    }

    /// The first url any target published under.
    pub fn remote_url(&self) -> Option<&str> {
        self.targets.iter().find_map(|t| match &t.state {
            TargetState::Sent { url, .. } => url.as_deref(),
            _ => None,
        })
    }

    pub fn log(&mut self, at: Timestamp, account: &str, what: &str, detail: impl Into<String>) {
        self.log.push(Attempt {
            at,
            account: account.to_string(),
            what: what.to_string(),
            detail: detail.into(),
        });
    }
}

/// The idempotency key of one part of one target: the same on every retry, different for every
/// post, account and part, so the platform can tell a retry from a new post.
pub fn idempotency_key(post: PostId, account: &str, part: u32) -> String {
    // FNV-1a of the account name keeps the key short and free of the name's characters.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in account.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("kith-{}-{:012x}-{}", post.0, h & 0xffff_ffff_ffff, part)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(states: Vec<TargetState>) -> Post {
        Post {
            id: PostId(1),
            text: "hi".into(),
            targets: states
                .into_iter()
                .enumerate()
                .map(|(i, s)| Target {
                    state: s,
                    ..Target::new(&format!("a{i}"), Platform::Mastodon)
                })
                .collect(),
            due_at: Some(Timestamp(1000)),
            created_at: Timestamp(0),
            created_by: "ann".into(),
            version: 1,
            log: vec![],
            media: vec![],
            uploads: vec![],
            review: None,
        }
    }

    #[test]
    fn ids_parse_and_show() {
        assert_eq!("p12".parse::<PostId>(), Ok(PostId(12)));
        assert_eq!("12".parse::<PostId>(), Ok(PostId(12)));
        assert!("p0".parse::<PostId>().is_err());
        assert!("x1".parse::<PostId>().is_err());
        assert_eq!(PostId(7).to_string(), "p7");
        assert_eq!(PostId::from_bytes(&PostId(9).to_bytes()), Some(PostId(9)));
    }

    #[test]
    fn keys_are_stable_per_part_and_distinct_across_targets() {
        let a = idempotency_key(PostId(3), "shop", 0);
        assert_eq!(a, idempotency_key(PostId(3), "shop", 0));
        assert_ne!(a, idempotency_key(PostId(3), "shop", 1));
        assert_ne!(a, idempotency_key(PostId(3), "news", 0));
        assert_ne!(a, idempotency_key(PostId(4), "shop", 0));
        assert!(a.len() <= 40 && a.is_ascii(), "{a}");
    }

    #[test]
    fn next_at_and_summary_follow_the_targets() {
        let p = post(vec![
            TargetState::Scheduled,
            TargetState::RetryWait {
                next_at: Timestamp(500),
                attempt: 1,
            },
        ]);
        assert_eq!(p.next_at(), Some(Timestamp(500)));
        assert_eq!(p.summary(), Summary::RetryWait);
        let p = post(vec![
            TargetState::Sent {
                url: Some("u".into()),
                at: Timestamp(1),
            },
            TargetState::Cancelled,
        ]);
        assert_eq!(p.next_at(), None);
        assert_eq!(p.summary(), Summary::Partial);
        assert_eq!(p.remote_url(), Some("u"));
        let p = post(vec![
            TargetState::Sent {
                url: None,
                at: Timestamp(1),
            },
            TargetState::Unknown {
                evidence: "timeout".into(),
            },
        ]);
        assert_eq!(p.summary(), Summary::Unknown);
        assert_eq!(
            post(vec![TargetState::Cancelled]).summary(),
            Summary::Cancelled
        );
    }
}
