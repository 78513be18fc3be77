//! Approvals in the TUI: the calendar's awaiting list (`w`: posts and replies waiting for an
//! approver), approve (`a`) and send back with a comment (`b`) on the post or reply selected
//! there or in the week, the approver's count in the status bar, and how a send-back reads to
//! its author. The engine decides who may approve; the TUI only asks it.

use super::calendar::{Ask, CalendarPanel};
use super::cx::Cx;
use super::input::LineInput;
use super::msg::{Effect, Tag};
use crate::domain::approval::Verdict;
use crate::domain::post::{Post, PostId, Summary};
use crate::domain::ItemId;
use crate::engine::api::{Awaiting, AwaitingReply, PostEdit, Request, Response};
use crate::engine::EngineError;
use crate::i18n::{t, tf};
use crate::text::{sanitize_identity, sanitize_line};

/// The calendar's list of what waits for an approver.
#[derive(Debug, Clone, Default)]
pub struct AwaitingList {
    pub posts: Vec<Post>,
    pub replies: Vec<AwaitingReply>,
    pub sel: usize,
    pub loaded: bool,
}

/// One row of the awaiting list.
pub enum Row<'a> {
    Post(&'a Post),
    Reply(&'a AwaitingReply),
}

impl AwaitingList {
    pub fn len(&self) -> usize {
        self.posts.len() + self.replies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Posts first (by time), then replies (oldest first).
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.posts
            .iter()
            .map(Row::Post)
            .chain(self.replies.iter().map(Row::Reply))
    }

    pub fn selected(&self) -> Option<Row<'_>> {
        self.rows().nth(self.sel)
    }
}

/// What `a` and `b` act on.
enum Pick {
    Post(PostId, u64),
    Reply(ItemId),
}

fn pick(p: &CalendarPanel, cx: &Cx) -> Option<Pick> {
    match &p.awaiting {
        Some(list) => match list.selected()? {
            Row::Post(x) => Some(Pick::Post(x.id, x.version)),
            Row::Reply(r) => Some(Pick::Reply(r.reply.id)),
        },
        None => p
            .current(&cx.cfg.zone)
            .filter(|x| x.summary() == Summary::AwaitingApproval)
            .map(|x| Pick::Post(x.id, x.version)),
    }
}

/// Whether `a`/`b` may go on: an approver, with something waiting selected.
fn ready(p: &CalendarPanel, cx: &mut Cx) -> Option<Pick> {
    if !cx.approver {
        let who = sanitize_identity(&cx.cfg.operator, 40).text;
        cx.error(&tf("approvals.err.not_approver", &[("operator", &who)]));
        return None;
    }
    let found = pick(p, cx);
    if found.is_none() {
        cx.info(t("approvals.tui.nothing_selected"));
    }
    found
}

fn decide(pick: Pick, verdict: Verdict) -> Vec<Effect> {
    let approved = verdict == Verdict::Approved;
    let req = match pick {
        Pick::Post(id, version) => {
            let done = if approved {
                "approvals.done.approve"
            } else {
                "approvals.done.send_back"
            };
            let edit = match verdict {
                Verdict::Approved => PostEdit::Approve,
                Verdict::SentBack { comment } => PostEdit::SendBack { comment },
            };
            let req = Request::PostEdit {
                id,
                if_version: Some(version),
                edit,
            };
            return vec![Effect::Call(Tag::PostEdit { done }, req)];
        }
        Pick::Reply(reply) => Request::ReviewReply { reply, verdict },
    };
    let done = if approved {
        "approvals.done.approve_reply"
    } else {
        "approvals.done.send_back_reply"
    };
    vec![Effect::Call(Tag::ReviewReply { done }, req)]
}

/// `a`: approve what is selected.
pub fn approve(p: &CalendarPanel, cx: &mut Cx) -> Vec<Effect> {
    match ready(p, cx) {
        Some(pick) => decide(pick, Verdict::Approved),
        None => Vec::new(),
    }
}

/// `b`: ask for the comment that goes back with it.
pub fn ask_send_back(p: &mut CalendarPanel, cx: &mut Cx) {
    if ready(p, cx).is_some() {
        p.ask = Some((Ask::SendBack, LineInput::default()));
    }
}

/// The comment was typed: send it back (an empty comment is asked for again).
pub fn send_back(p: &mut CalendarPanel, cx: &mut Cx, line: LineInput) -> Vec<Effect> {
    let comment = line.text.trim().to_string();
    if comment.is_empty() {
        cx.error(&t("approvals.err.comment_empty"));
        p.ask = Some((Ask::SendBack, line));
        return Vec::new();
    }
    match pick(p, cx) {
        Some(pick) => decide(pick, Verdict::SentBack { comment }),
        None => Vec::new(),
    }
}

/// `w`: the awaiting list, or back to the week.
pub fn toggle(p: &mut CalendarPanel) -> Vec<Effect> {
    if p.awaiting.take().is_some() {
        return Vec::new();
    }
    p.awaiting = Some(AwaitingList::default());
    p.detail = false;
    refresh()
}

/// Asks the engine what waits now.
pub fn refresh() -> Vec<Effect> {
    vec![Effect::Call(Tag::Awaiting, Request::Awaiting)]
}

/// After an event that may change what waits: approvers keep their count current, and an open
/// awaiting list its rows.
pub fn changed_in(app: &mut super::app::App) -> Vec<Effect> {
    let listing = app
        .calendar_mut()
        .is_some_and(|(p, _)| p.awaiting.is_some());
    if app.approver || listing {
        refresh()
    } else {
        Vec::new()
    }
}

/// Moves the list's selection down or up.
pub fn list_move(list: &mut AwaitingList, down: bool) {
    let last = list.len().saturating_sub(1);
    list.sel = if down {
        (list.sel + 1).min(last)
    } else {
        list.sel.saturating_sub(1)
    };
}

/// The engine's answer to `Request::Awaiting`, a reply decision, or a refusal of either.
pub fn done(
    cx: &mut Cx,
    p: Option<&mut CalendarPanel>,
    tag: Tag,
    r: Result<Response, EngineError>,
) -> Vec<Effect> {
    match (tag, r) {
        (Tag::Awaiting, Ok(Response::Awaiting(a))) => {
            loaded(cx, p, *a);
            Vec::new()
        }
        (Tag::ReviewReply { done }, Ok(Response::Replied { reply, .. })) => {
            cx.info(tf(done, &[("id", &reply.id)]));
            refresh()
        }
        (_, Err(e)) => {
            cx.error(&e.to_string());
            Vec::new()
        }
        (_, Ok(_)) => Vec::new(),
    }
}

fn loaded(cx: &mut Cx, p: Option<&mut CalendarPanel>, a: Awaiting) {
    cx.awaiting = a.posts.len() + a.replies.len();
    let Some(list) = p.and_then(|p| p.awaiting.as_mut()) else {
        return;
    };
    list.posts = a.posts;
    list.replies = a.replies;
    list.loaded = true;
    list.sel = list.sel.min(list.len().saturating_sub(1));
}

/// "sent back by anna: <comment>", sanitized for one line.
pub fn sent_back_note(by: &str, comment: &str) -> String {
    tf(
        "approvals.sent_back_by",
        &[
            ("who", &sanitize_identity(by, 40).text),
            ("comment", &sanitize_line(comment, 400).text),
        ],
    )
}

/// What its author (and everyone) should read about a post's approval, while it matters: it
/// waits (asked by whom), or it came back as a draft with a comment.
pub fn post_note(p: &Post) -> Option<String> {
    let r = p.review.as_ref()?;
    match p.summary() {
        Summary::AwaitingApproval => Some(tf(
            "approvals.asked_by",
            &[("who", &sanitize_identity(&r.author, 40).text)],
        )),
        Summary::Draft => r.sent_back().map(|(by, c)| sent_back_note(by, c)),
        _ => None,
    }
}

/// The calendar's mark for a post: `?` waiting for an approver, `↩` sent back, else its state's.
pub fn mark(p: &Post) -> &'static str {
    match p.summary() {
        Summary::Draft if p.review.as_ref().is_some_and(|r| r.sent_back().is_some()) => "↩",
        s => crate::text::calendar::mark(s),
    }
}

/// Whether the calendar draws the post in the approvals colour.
pub fn marked(p: &Post) -> bool {
    mark(p) == "↩" || p.summary() == Summary::AwaitingApproval
}
