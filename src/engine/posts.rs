//! Requests on posts: create (checked against each network's limits, given a queue slot or
//! handed to the platform's scheduler), list, read, and edit (cancel, move, rewrite, retry,
//! resolve, duplicate), each one audited batch that wakes the outbox loop (`outbox/`).

use super::api::{Event, PostEdit, PostQuery, Response};
use super::outbox::NATIVE_MIN_AHEAD_MS;
use super::{Engine, EngineError};
use crate::domain::post::{NewPost, Post, PostId, Target, TargetState};
use crate::domain::{Platform, Timestamp};
use crate::i18n::ph;
use crate::store::PostRefusal;
use std::sync::Arc;

impl Engine {
    pub(super) fn post_create(
        &self,
        op: &str,
        mut new: NewPost,
        queue: bool,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        if new.targets.is_empty() {
            return Err(EngineError::Invalid(ph("err.post_no_account", &[])));
        }
        let mut seen = std::collections::HashSet::new();
        new.targets.retain(|t| seen.insert(t.account.clone()));
        let platforms = self.post_platforms(&new)?;
        // The composer offers only these; a script or an old draft may still name another.
        if let Some((account, p)) = platforms.iter().find(|(_, p)| !p.capabilities().publish) {
            return Err(EngineError::Invalid(cannot_publish(account, *p)));
        }
        if queue {
            new.due_at = Some(self.next_slot(&new, now)?);
        }
        if let Some(due) = new.due_at {
            if due.0 < now.0 - 60_000 {
                return Err(EngineError::Invalid(ph(
                    "err.post_past",
                    &[("at", &due.to_rfc3339())],
                )));
            }
        }
        for t in &new.targets {
            let platform = platforms
                .iter()
                .find(|(n, _)| *n == t.account)
                .map(|(_, p)| *p)
                .unwrap_or(Platform::File);
            let text = t.variant.as_deref().unwrap_or(&new.text);
            self.check_text(&t.account, platform, text, t.split, !new.media.is_empty())?;
            if t.native {
                self.check_native(&t.account, platform, new.due_at, now)?;
            }
        }
        let media = self.attach(&new.media, &platforms)?;
        let review = self.review_for(op, now);
        let post = self
            .store
            .create_post_for_review(&new, &media, &platforms, op, now, review)?;
        self.emit(Event::PostChanged(post.id));
        self.outbox_wake.notify_one();
        Ok(Response::Post(Box::new(post)))
    }

    fn post_platforms(&self, new: &NewPost) -> Result<Vec<(String, Platform)>, EngineError> {
        let demo = self.store.accounts()?;
        let mut out = Vec::new();
        for t in &new.targets {
            let platform = if let Some(c) = self.store.connection(&t.account)? {
                c.platform
            } else if let Some(a) = demo.iter().find(|a| a.name == t.account && a.demo) {
                a.platform
            } else {
                return Err(EngineError::Invalid(ph(
                    "err.no_account",
                    &[("account", &crate::text::sanitize_line(&t.account, 64).text)],
                )));
            };
            out.push((t.account.clone(), platform));
        }
        Ok(out)
    }

    fn check_text(
        &self,
        account: &str,
        platform: Platform,
        text: &str,
        split: bool,
        pictures: bool,
    ) -> Result<(), EngineError> {
        if text.trim().is_empty() && !pictures {
            return Err(EngineError::Invalid(ph("err.post_empty", &[])));
        }
        let caps = platform.capabilities();
        let limit = self.post_limit(account, platform, pictures);
        if split {
            return Ok(());
        }
        if let Some((n, limit, bytes)) =
            crate::text::count::over_limit(text, caps.count_rule, limit)
        {
            let key = if bytes {
                "err.post_over_bytes"
            } else {
                "err.post_over"
            };
            return Err(EngineError::Invalid(ph(
                key,
                &[
                    ("account", &crate::text::sanitize_line(account, 64).text),
                    ("count", &n),
                    ("limit", &limit),
                    ("over", &(n - limit)),
                ],
            )));
        }
        Ok(())
    }

    fn check_native(
        &self,
        account: &str,
        platform: Platform,
        due: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        if !platform.capabilities().native_schedule {
            return Err(EngineError::Invalid(ph(
                "err.post_no_native",
                &[("platform", &platform)],
            )));
        }
        match due {
            Some(d) if d.0 - now.0 >= NATIVE_MIN_AHEAD_MS => Ok(()),
            _ => Err(EngineError::Invalid(ph(
                "err.post_native_soon",
                &[("account", &crate::text::sanitize_line(account, 64).text)],
            ))),
        }
    }

    /// The next queue slot free on every target account.
    fn next_slot(&self, new: &NewPost, now: Timestamp) -> Result<Timestamp, EngineError> {
        let s = self.outbox_settings();
        let first = &new.targets[0].account;
        let slots = s
            .slots
            .get(first)
            .or_else(|| s.slots.get(""))
            .cloned()
            .unwrap_or_default();
        if slots.is_empty() {
            return Err(EngineError::Invalid(ph(
                "err.post_no_slots",
                &[("account", &crate::text::sanitize_line(first, 64).text)],
            )));
        }
        let store = &self.store;
        let taken = |at: Timestamp| {
            new.targets
                .iter()
                .any(|t| store.slot_taken(&t.account, at).unwrap_or(true))
        };
        crate::domain::when::next_free_slot(&slots, &s.zone, now, &taken, 366)
            .ok_or_else(|| EngineError::Invalid(ph("err.post_slots_full", &[])))
    }

    pub(super) fn posts_query(&self, q: &PostQuery) -> Result<Response, EngineError> {
        let posts = match (q.from, q.to) {
            (Some(from), Some(to)) => self.store.posts_between(from, to)?,
            (Some(from), None) => self.store.posts_between(from, Timestamp(i64::MAX / 2))?,
            (None, Some(to)) => self.store.posts_between(Timestamp(0), to)?,
            (None, None) => self.store.posts(q.limit.clamp(1, 10_000))?,
        };
        Ok(Response::Posts(posts))
    }

    pub(super) fn post_get(&self, id: PostId) -> Result<Response, EngineError> {
        match self.store.post(id)? {
            Some(p) => Ok(Response::Post(Box::new(p))),
            None => Err(post_missing(id)),
        }
    }

    pub(super) fn post_edit(
        &self,
        op: &str,
        id: PostId,
        if_version: Option<u64>,
        edit: PostEdit,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        if let PostEdit::Duplicate(at) = edit {
            let Some(p) = self.store.post(id)? else {
                return Err(post_missing(id));
            };
            let new = NewPost {
                text: p.text.clone(),
                targets: p
                    .targets
                    .iter()
                    .map(|t| crate::domain::post::NewTarget {
                        account: t.account.clone(),
                        variant: t.variant.clone(),
                        native: t.native,
                        split: t.split,
                    })
                    .collect(),
                due_at: Some(at),
                media: p
                    .media
                    .iter()
                    .map(|a| crate::domain::media::NewMedia {
                        path: self.media_dir().join(&a.file).display().to_string(),
                        alt: a.alt.clone(),
                    })
                    .collect(),
            };
            return self.post_create(op, new, false, now);
        }
        if let PostEdit::Move(at) = &edit {
            if at.0 < now.0 - 60_000 {
                return Err(EngineError::Invalid(ph(
                    "err.post_past",
                    &[("at", &at.to_rfc3339())],
                )));
            }
        }
        if let PostEdit::Text { account, text } = &edit {
            let Some(p) = self.store.post(id)? else {
                return Err(post_missing(id));
            };
            for t in p
                .targets
                .iter()
                .filter(|t| account.as_ref().is_none_or(|a| *a == t.account))
            {
                self.check_text(&t.account, t.platform, text, t.split, !p.media.is_empty())?;
            }
        }
        let edit = match edit {
            PostEdit::Approve => {
                self.check_approver(op)?;
                PostEdit::Approve
            }
            PostEdit::SendBack { comment } => {
                self.check_approver(op)?;
                PostEdit::SendBack {
                    comment: super::approvals::checked_comment(&comment)?,
                }
            }
            other => other,
        };
        let action = match &edit {
            PostEdit::Approve => "post-approve",
            PostEdit::SendBack { .. } => "post-send-back",
            PostEdit::Cancel => "post-cancel",
            PostEdit::Move(_) => "post-move",
            PostEdit::Text { .. } => "post-edit",
            PostEdit::Retry => "post-retry",
            PostEdit::MarkSent { .. } => "post-mark-sent",
            PostEdit::Duplicate(_) => "post-duplicate",
        };
        self.commit_post_edit(op, id, if_version, action, edit, now, false)
    }

    /// Applies an edit to the stored post (one audited batch), tells clients and the outbox loop.
    #[allow(clippy::too_many_arguments)]
    fn commit_post_edit(
        &self,
        op: &str,
        id: PostId,
        if_version: Option<u64>,
        action: &str,
        edit: PostEdit,
        now: Timestamp,
        native: bool,
    ) -> Result<Response, EngineError> {
        let op_name = op.to_string();
        let gate = self.needs_approval(op);
        let out = self.store.edit_post(
            id,
            if_version,
            Some(action),
            op,
            now,
            Box::new(move |p: &mut Post| {
                let held = matches!(edit, PostEdit::Text { .. } | PostEdit::Move(_));
                apply_edit(p, edit, &op_name, now, native)?;
                // In the same batch as the change: a rewritten post is never scheduled unseen.
                if gate && held {
                    super::approvals::hold(p, &op_name, now);
                }
                Ok(())
            }),
        )?;
        match out {
            Ok(p) => {
                self.emit(Event::PostChanged(id));
                self.outbox_wake.notify_one();
                Ok(Response::Post(Box::new(p)))
            }
            Err(PostRefusal::NotFound) => Err(post_missing(id)),
            Err(PostRefusal::Version { found }) => Err(EngineError::Invalid(ph(
                "err.post_changed",
                &[("id", &id), ("version", &found)],
            ))),
            Err(PostRefusal::Invalid(m)) => Err(EngineError::Invalid(m)),
        }
    }
}

/// Why a post cannot go to `account`: kith only reads its platform.
fn cannot_publish(account: &str, p: Platform) -> crate::i18n::Phrase {
    let family = if p.import_only() { "import" } else { "tui" };
    ph(
        "err.post_state.cannot_publish",
        &[("account", &crate::text::sanitize_line(account, 64).text)],
    )
    .with(
        "platform",
        ph(&format!("{family}.platform.{}", p.as_str()), &[]),
    )
}

fn post_missing(id: PostId) -> EngineError {
    EngineError::Invalid(ph("err.post_not_found", &[("id", &id)]))
}

/// Applies a person's decision; refuses (with the reason) what the state does not allow.
/// `native_done`: the platform already moved or cancelled what it had scheduled itself.
fn apply_edit(
    p: &mut Post,
    edit: PostEdit,
    op: &str,
    now: Timestamp,
    native_done: bool,
) -> Result<(), PostRefusal> {
    match edit {
        PostEdit::Cancel => cancel(p, op, now, native_done),
        PostEdit::Move(at) => move_to(p, at, op, now, native_done),
        PostEdit::Text { account, text } => set_text(p, account, text, op, now),
        PostEdit::Retry => retry(p, op, now),
        PostEdit::MarkSent { account, url } => mark_sent(p, account, url, op, now),
        PostEdit::Duplicate(_) => Err(refusal(p, "err.post_nothing_to_move")),
        PostEdit::Approve => super::approvals::approve(p, op, now),
        PostEdit::SendBack { comment } => super::approvals::send_back(p, comment, op, now),
    }
}

fn refusal(p: &Post, key: &str) -> PostRefusal {
    PostRefusal::Invalid(ph(key, &[("id", &p.id)]))
}

/// A post someone cancelled did not "go out": say what happened to it.
fn all_cancelled(p: &Post) -> bool {
    p.targets
        .iter()
        .all(|t| matches!(t.state, TargetState::Cancelled))
}

fn cancel(p: &mut Post, op: &str, now: Timestamp, native_done: bool) -> Result<(), PostRefusal> {
    let cancelled = all_cancelled(p);
    let mut any = false;
    for t in &mut p.targets {
        let native = native_done && matches!(t.state, TargetState::NativeScheduled { .. });
        if native || t.state.is_changeable() || matches!(t.state, TargetState::Unknown { .. }) {
            t.state = TargetState::Cancelled;
            any = true;
        }
    }
    if !any && cancelled {
        return Err(refusal(p, "err.post_state.already_cancelled"));
    }
    if !any {
        return Err(refusal(p, "err.post_nothing_to_cancel"));
    }
    p.log(now, "", "cancelled", op);
    Ok(())
}

fn move_to(
    p: &mut Post,
    at: Timestamp,
    op: &str,
    now: Timestamp,
    native_done: bool,
) -> Result<(), PostRefusal> {
    let cancelled = all_cancelled(p);
    let native = p
        .targets
        .iter()
        .any(|t| matches!(t.state, TargetState::NativeScheduled { .. }));
    if native && !native_done {
        return Err(refusal(p, "err.post_native_move"));
    }
    let mut any = native;
    for t in &mut p.targets {
        if t.state.is_changeable() && t.parts.is_empty() {
            // A new time is not an approval: what waits for one keeps waiting.
            if t.state != TargetState::AwaitingApproval {
                t.state = TargetState::Scheduled;
            }
            any = true;
        }
    }
    if !any && cancelled {
        return Err(refusal(p, "err.post_state.cancelled"));
    }
    if !any {
        return Err(refusal(p, "err.post_nothing_to_move"));
    }
    p.due_at = Some(at);
    p.log(now, "", "moved", format!("{op}: {}", at.to_rfc3339()));
    Ok(())
}

/// New text for one account (a variant) or for the post (every variant dropped).
fn set_text(
    p: &mut Post,
    account: Option<String>,
    text: String,
    op: &str,
    now: Timestamp,
) -> Result<(), PostRefusal> {
    let id = p.id;
    let targets: Vec<&mut Target> = p
        .targets
        .iter_mut()
        .filter(|t| account.as_ref().is_none_or(|a| *a == t.account))
        .collect();
    if targets.is_empty() {
        return Err(PostRefusal::Invalid(ph(
            "err.post_no_target",
            &[("account", &account.unwrap_or_default())],
        )));
    }
    let stuck: Vec<&&mut Target> = targets
        .iter()
        .filter(|t| !t.state.is_changeable() || !t.parts.is_empty())
        .collect();
    if !stuck.is_empty() {
        let key = if stuck
            .iter()
            .all(|t| matches!(t.state, TargetState::Cancelled))
        {
            "err.post_state.cancelled"
        } else {
            "err.post_gone"
        };
        return Err(PostRefusal::Invalid(ph(key, &[("id", &id)])));
    }
    match account {
        Some(_) => {
            for t in targets {
                t.variant = Some(text.clone());
            }
        }
        None => {
            for t in targets {
                t.variant = None;
            }
            p.text = text;
        }
    }
    p.log(now, "", "edited", op);
    Ok(())
}

fn retry(p: &mut Post, op: &str, now: Timestamp) -> Result<(), PostRefusal> {
    let mut any = false;
    for t in &mut p.targets {
        if t.state.needs_human() {
            t.state = TargetState::RetryWait {
                next_at: now,
                attempt: 0,
            };
            any = true;
        }
    }
    if !any {
        return Err(refusal(p, "err.post_nothing_to_retry"));
    }
    p.log(now, "", "retry", op);
    Ok(())
}

/// A person found the post on the platform: the unknown targets (of one account, or all) are sent.
fn mark_sent(
    p: &mut Post,
    account: Option<String>,
    url: Option<String>,
    op: &str,
    now: Timestamp,
) -> Result<(), PostRefusal> {
    let mut any = false;
    for t in p
        .targets
        .iter_mut()
        .filter(|t| account.as_ref().is_none_or(|a| *a == t.account))
    {
        if matches!(t.state, TargetState::Unknown { .. }) {
            t.state = TargetState::Sent {
                url: url.clone(),
                at: now,
            };
            any = true;
        }
    }
    if !any {
        return Err(refusal(p, "err.post_not_unknown"));
    }
    p.log(now, "", "marked_sent", op);
    Ok(())
}

impl Engine {
    /// Whether some target of the post sits in the platform's own scheduler.
    pub(super) fn has_native(&self, id: PostId) -> bool {
        self.store.post(id).ok().flatten().is_some_and(|p| {
            p.targets
                .iter()
                .any(|t| matches!(t.state, TargetState::NativeScheduled { .. }))
        })
    }

    /// Moves or cancels a post on the platforms that scheduled it, then records it.
    pub(super) async fn post_edit_native(
        self: &Arc<Self>,
        op: &str,
        id: PostId,
        if_version: Option<u64>,
        edit: PostEdit,
    ) -> Result<Response, EngineError> {
        let now = self.now();
        let Some(post) = self.store.post(id)? else {
            return Err(post_missing(id));
        };
        if if_version.is_some_and(|v| v != post.version) {
            return Err(EngineError::Invalid(ph(
                "err.post_changed",
                &[("id", &id), ("version", &post.version)],
            )));
        }
        let at = match &edit {
            PostEdit::Move(at) if at.0 - now.0 < NATIVE_MIN_AHEAD_MS => {
                let first = post.targets.first().map(|t| t.account.clone());
                return Err(EngineError::Invalid(ph(
                    "err.post_native_soon",
                    &[("account", &first.unwrap_or_default())],
                )));
            }
            PostEdit::Move(at) => Some(*at),
            _ => None,
        };
        for t in &post.targets {
            let TargetState::NativeScheduled { remote_id } = &t.state else {
                continue;
            };
            let c = self.publisher(&t.account)?;
            c.reschedule(remote_id, at)
                .await
                .map_err(|e| super::sync::remote(&t.account, &e))?;
        }
        let action = if at.is_some() {
            "post-move"
        } else {
            "post-cancel"
        };
        self.commit_post_edit(op, id, None, action, edit, now, true)
    }
}
