//! The outbox: posts and their per-target states. Every change is one batch (post, indexes,
//! audit) flushed before anyone hears of it, so the engine's "Sending" is durable before a byte
//! leaves and a crash always finds the truth on disk.
//!
//! Keys: `P ++ id` → Post; `O ++ next_at ++ id` for posts waiting on the clock (the scheduler
//! reads only the first key, then sleeps until it); `D ++ due_at ++ id` for the calendar;
//! `Q ++ id` for posts in flight or waiting for a person (start-up resume, attention list).

use super::batch::Batch;
use super::keys::{self, counters};
use super::{decode, encode, Result, Store};
use crate::domain::post::{NewPost, Post, PostId, Target, TargetState};
use crate::domain::{Platform, Timestamp};

/// Why an outbox change was refused (the engine turns these into operator messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostRefusal {
    NotFound,
    /// Someone changed it first.
    Version {
        found: u64,
    },
    /// The change does not apply in this state (the phrase says why).
    Invalid(crate::i18n::Phrase),
}

pub type Edit<'a> = dyn FnOnce(&mut Post) -> std::result::Result<(), PostRefusal> + 'a;

fn post_key(id: PostId) -> Vec<u8> {
    let mut k = vec![keys::POST];
    k.extend_from_slice(&id.to_bytes());
    k
}

fn timed_key(prefix: u8, at: Timestamp, id: PostId) -> Vec<u8> {
    let mut k = vec![prefix];
    // Offset so times before 1970 (never expected) still sort.
    k.extend_from_slice(&((at.0 as u64) ^ (1 << 63)).to_be_bytes());
    k.extend_from_slice(&id.to_bytes());
    k
}

fn split_timed(k: &[u8]) -> Option<(Timestamp, PostId)> {
    let t = u64::from_be_bytes(k.get(1..9)?.try_into().ok()?) ^ (1 << 63);
    Some((Timestamp(t as i64), PostId::from_bytes(k.get(9..17)?)?))
}

fn attention_key(id: PostId) -> Vec<u8> {
    let mut k = vec![keys::POST_ATTENTION];
    k.extend_from_slice(&id.to_bytes());
    k
}

/// In flight, waiting for a person's decision, or for an approver: the attention list is also
/// how approvers find what waits, without reading every post.
fn needs_attention(p: &Post) -> bool {
    p.targets.iter().any(|t| {
        matches!(
            t.state,
            TargetState::Sending { .. } | TargetState::AwaitingApproval
        ) || t.state.needs_human()
    })
}

impl Store {
    /// Stores a new post (audited) and returns it. `resolve` gives each account's platform.
    pub fn create_post(
        &self,
        new: &NewPost,
        media: &[crate::domain::media::Attachment],
        platforms: &[(String, Platform)],
        operator: &str,
        now: Timestamp,
    ) -> Result<Post> {
        self.create_post_for_review(new, media, platforms, operator, now, None)
    }

    /// `create_post`, and with `review` a post whose timed targets wait for an approver: written
    /// so in the same batch, so the outbox never sees it scheduled, not even after a crash.
    pub fn create_post_for_review(
        &self,
        new: &NewPost,
        media: &[crate::domain::media::Attachment],
        platforms: &[(String, Platform)],
        operator: &str,
        now: Timestamp,
        review: Option<crate::domain::approval::Review>,
    ) -> Result<Post> {
        let mut state = self.lock_writer();
        let seq = self.counter_cached(&mut state, counters::POSTS_SEQ)? as u64 + 1;
        let targets = new
            .targets
            .iter()
            .map(|t| {
                let platform = platforms
                    .iter()
                    .find(|(n, _)| *n == t.account)
                    .map(|(_, p)| *p)
                    .unwrap_or(Platform::File);
                Target {
                    variant: t.variant.clone(),
                    native: t.native,
                    split: t.split,
                    state: if new.due_at.is_some() && review.is_some() {
                        TargetState::AwaitingApproval
                    } else if new.due_at.is_some() {
                        TargetState::Scheduled
                    } else {
                        TargetState::Draft
                    },
                    ..Target::new(&t.account, platform)
                }
            })
            .collect();
        let post = Post {
            id: PostId(seq),
            text: new.text.clone(),
            targets,
            due_at: new.due_at,
            created_at: now,
            created_by: operator.to_string(),
            version: 1,
            log: Vec::new(),
            media: media.to_vec(),
            uploads: Vec::new(),
            review: review.filter(|_| new.due_at.is_some()),
        };
        let mut p = Batch::new(self);
        index(&mut p, None, &post)?;
        p.bump(counters::POSTS_SEQ.into(), 1);
        p.audit("post-create", None, None, Some(describe(&post)));
        p.commit(&mut state, operator, now)?;
        Ok(post)
    }

    pub fn post(&self, id: PostId) -> Result<Option<Post>> {
        match self.db().get(post_key(id))? {
            Some(v) => Ok(Some(decode(&v)?)),
            None => Ok(None),
        }
    }

    /// Changes a post under the writer lock: `edit` sees the stored post and may refuse; the
    /// version is bumped, indexes moved, the audit entry written, all in one flushed batch.
    /// `if_version` refuses when someone changed it first. `audit` names the change (None for
    /// the engine's own state moves, which the post's log records instead).
    pub fn edit_post(
        &self,
        id: PostId,
        if_version: Option<u64>,
        audit: Option<&str>,
        operator: &str,
        now: Timestamp,
        edit: Box<Edit<'_>>,
    ) -> Result<std::result::Result<Post, PostRefusal>> {
        let mut state = self.lock_writer();
        let Some(before) = self.post(id)? else {
            return Ok(Err(PostRefusal::NotFound));
        };
        if let Some(v) = if_version.filter(|v| *v != before.version) {
            let _ = v;
            return Ok(Err(PostRefusal::Version {
                found: before.version,
            }));
        }
        let mut after = before.clone();
        if let Err(r) = edit(&mut after) {
            return Ok(Err(r));
        }
        after.version = before.version + 1;
        let mut p = Batch::new(self);
        index(&mut p, Some(&before), &after)?;
        if let Some(action) = audit {
            p.audit(
                action,
                None,
                Some(describe(&before)),
                Some(describe(&after)),
            );
        }
        p.commit(&mut state, operator, now)?;
        Ok(Ok(after))
    }

    /// Posts whose next step is due at `now`, and the time of the next one after that.
    pub fn due_posts(&self, now: Timestamp) -> Result<(Vec<PostId>, Option<Timestamp>)> {
        let mut due = Vec::new();
        for kv in self.db().scan_prefix([keys::OUTBOX]) {
            let (k, _) = kv?;
            let Some((at, id)) = split_timed(&k) else {
                continue;
            };
            if at > now {
                return Ok((due, Some(at)));
            }
            due.push(id);
        }
        Ok((due, None))
    }

    /// Posts in flight or waiting for a person.
    pub fn attention_posts(&self) -> Result<Vec<PostId>> {
        let mut out = Vec::new();
        for kv in self.db().scan_prefix([keys::POST_ATTENTION]) {
            if let Some(id) = PostId::from_bytes(&kv?.0[1..]) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Posts on the calendar between `from` and `to` (sent ones at their send time), in time
    /// order; drafts are not on the calendar.
    pub fn posts_between(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Post>> {
        let start = timed_key(keys::CALENDAR, from, PostId(0));
        let end = timed_key(keys::CALENDAR, to, PostId(0));
        let mut out = Vec::new();
        for kv in self.db().range(start..end) {
            let (k, _) = kv?;
            if let Some((_, id)) = split_timed(&k) {
                if let Some(p) = self.post(id)? {
                    out.push(p);
                }
            }
        }
        Ok(out)
    }

    /// Every post, newest first, at most `limit`.
    pub fn posts(&self, limit: usize) -> Result<Vec<Post>> {
        let mut out = Vec::new();
        for kv in self.db().scan_prefix([keys::POST]).rev() {
            if out.len() >= limit {
                break;
            }
            out.push(decode(&kv?.1)?);
        }
        Ok(out)
    }

    /// Whether some scheduled (not final) post of `account` is due exactly at `at` (queue slots).
    pub fn slot_taken(&self, account: &str, at: Timestamp) -> Result<bool> {
        let start = timed_key(keys::CALENDAR, at, PostId(0));
        let end = timed_key(keys::CALENDAR, Timestamp(at.0 + 1), PostId(0));
        for kv in self.db().range(start..end) {
            let (k, _) = kv?;
            let Some((_, id)) = split_timed(&k) else {
                continue;
            };
            if let Some(p) = self.post(id)? {
                if p.due_at == Some(at)
                    && p.target(account)
                        .is_some_and(|t| !matches!(t.state, TargetState::Cancelled))
                {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}

/// A one-line description for the audit log.
fn describe(p: &Post) -> String {
    let accounts: Vec<String> = p
        .targets
        .iter()
        .map(|t| format!("{}:{}", t.account, t.state.name()))
        .collect();
    let due = p.due_at.map(|t| t.to_rfc3339()).unwrap_or_default();
    let text: String = p.text.chars().take(80).collect();
    let review = match p.review.as_ref().and_then(|r| r.answer.as_ref()) {
        Some(a) => match &a.verdict {
            crate::domain::approval::Verdict::Approved => format!(" approved-by={}", a.by),
            crate::domain::approval::Verdict::SentBack { comment } => {
                let c: String = comment.chars().take(200).collect();
                format!(" sent-back-by={}: {c:?}", a.by)
            }
        },
        None => String::new(),
    };
    format!("{} [{}] {due} {text}{review}", p.id, accounts.join(","))
}

/// Writes the post and moves its index entries from `before` to `after`.
fn index(p: &mut Batch<'_>, before: Option<&Post>, after: &Post) -> Result<()> {
    if let Some(b) = before {
        if let Some(at) = b.next_at() {
            p.batch.remove(timed_key(keys::OUTBOX, at, b.id));
        }
        if let Some(at) = b.calendar_at() {
            p.batch.remove(timed_key(keys::CALENDAR, at, b.id));
        }
        p.batch.remove(attention_key(b.id));
    }
    if let Some(at) = after.next_at() {
        p.batch
            .insert(timed_key(keys::OUTBOX, at, after.id), &[][..]);
    }
    if let Some(at) = after.calendar_at() {
        p.batch
            .insert(timed_key(keys::CALENDAR, at, after.id), &[][..]);
    }
    if needs_attention(after) {
        p.batch.insert(attention_key(after.id), &[][..]);
    }
    p.batch.insert(post_key(after.id), encode(after)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::post::NewTarget;

    fn new(text: &str, due: Option<i64>, accounts: &[&str]) -> NewPost {
        NewPost {
            text: text.into(),
            targets: accounts
                .iter()
                .map(|a| NewTarget {
                    account: a.to_string(),
                    ..Default::default()
                })
                .collect(),
            due_at: due.map(Timestamp),
            media: Vec::new(),
        }
    }

    #[test]
    fn due_posts_come_in_time_order_and_leave_when_sent() {
        let d = tempfile::tempdir().expect("tmp");
        let s = Store::open(d.path()).expect("open");
        let pl = [("m".to_string(), Platform::Mastodon)];
        let a = s
            .create_post(&new("a", Some(3000), &["m"]), &[], &pl, "ann", Timestamp(1))
            .expect("a");
        let b = s
            .create_post(&new("б", Some(2000), &["m"]), &[], &pl, "ann", Timestamp(1))
            .expect("b");
        let draft = s
            .create_post(&new("草稿", None, &["m"]), &[], &pl, "ann", Timestamp(1))
            .expect("draft");
        assert_eq!(draft.targets[0].state, TargetState::Draft);
        assert_eq!(
            s.due_posts(Timestamp(1000)).expect("due"),
            (vec![], Some(Timestamp(2000)))
        );
        assert_eq!(
            s.due_posts(Timestamp(3000)).expect("due"),
            (vec![b.id, a.id], None)
        );
        let sent = s
            .edit_post(
                b.id,
                Some(1),
                None,
                "engine",
                Timestamp(2001),
                Box::new(|p| {
                    p.targets[0].state = TargetState::Sent {
                        url: Some("https://x/1".into()),
                        at: Timestamp(2001),
                    };
                    Ok(())
                }),
            )
            .expect("store")
            .expect("edit");
        assert_eq!(sent.version, 2);
        assert_eq!(s.due_posts(Timestamp(3000)).expect("due").0, vec![a.id]);
        // The calendar shows it at its send time; the draft is not on it.
        let cal = s
            .posts_between(Timestamp(0), Timestamp(10_000))
            .expect("cal");
        assert_eq!(
            cal.iter().map(|p| p.id).collect::<Vec<_>>(),
            vec![b.id, a.id]
        );
        assert_eq!(
            s.edit_post(b.id, Some(1), None, "x", Timestamp(5), Box::new(|_| Ok(())))
                .expect("store"),
            Err(PostRefusal::Version { found: 2 })
        );
        assert!(s.slot_taken("m", Timestamp(3000)).expect("slot"));
        assert!(!s.slot_taken("other", Timestamp(3000)).expect("slot"));
        assert!(!s.slot_taken("m", Timestamp(3001)).expect("slot"));
    }

    #[test]
    fn sending_posts_are_found_after_reopening() {
        let d = tempfile::tempdir().expect("tmp");
        let id = {
            let s = Store::open(d.path()).expect("open");
            let pl = [("m".to_string(), Platform::Mastodon)];
            let p = s
                .create_post(&new("x", Some(10), &["m"]), &[], &pl, "ann", Timestamp(1))
                .expect("p");
            s.edit_post(
                p.id,
                None,
                None,
                "engine",
                Timestamp(11),
                Box::new(|p| {
                    p.targets[0].state = TargetState::Sending {
                        attempt: 1,
                        part: 0,
                        at: Timestamp(11),
                    };
                    Ok(())
                }),
            )
            .expect("store")
            .expect("edit");
            p.id
        };
        let s = Store::open(d.path()).expect("reopen");
        assert_eq!(s.attention_posts().expect("attention"), vec![id]);
        assert_eq!(s.due_posts(Timestamp(100)).expect("due"), (vec![], None));
        let audit = s
            .audit_query(&crate::store::AuditQuery {
                limit: 10,
                ..Default::default()
            })
            .expect("audit");
        assert!(audit.iter().any(|e| e.action == "post-create"));
    }
}
