//! The calendar (`S`): a week of posts per day, the selected post's details, and moving,
//! rewriting, duplicating, cancelling and retrying posts. Every change goes to the engine; the
//! week reloads on `PostChanged`.

use super::cx::Cx;
use super::input::LineInput;
use super::keys::Input;
use super::msg::{Cmd, Effect, Out, Tag};
use crate::config::keymap::Action;
use crate::domain::post::{Post, PostId, Summary};
use crate::domain::{when, Timestamp};
use crate::engine::api::{PostEdit, PostQuery, Request};
use crate::i18n::{t, tf};
use crate::text::sanitize_line;
use crate::tui::keys::TextEdit;

const DAY: i64 = 86_400_000;

/// What the calendar's input line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    Move,
    Duplicate,
    /// The comment a post or reply goes back to its author with (approvals).
    SendBack,
}

#[derive(Debug, Clone)]
pub struct CalendarPanel {
    /// Local midnight of the week's first day (Monday).
    pub start: Timestamp,
    /// Day of the week selected (0 = Monday).
    pub day: usize,
    /// Post selected within the day.
    pub sel: usize,
    pub posts: Vec<Post>,
    pub loaded: bool,
    /// Request generation: answers to older requests are dropped.
    pub gen: u64,
    /// Targets and the attempt log of the selected post.
    pub detail: bool,
    pub ask: Option<(Ask, LineInput)>,
    /// "Cancel this post? y / n"
    pub confirm_cancel: bool,
    /// The awaiting list (`w`) instead of the week.
    pub awaiting: Option<super::approvals::AwaitingList>,
}

/// Local midnight of the day that holds `ts`.
fn day_start(ts: Timestamp, zone: &when::Zone) -> Timestamp {
    when::start_of_day(ts, zone)
}

/// Local midnight of the Monday of the week that holds `ts`.
pub fn week_start(ts: Timestamp, zone: &when::Zone) -> Timestamp {
    use chrono::Datelike;
    let back = when::local(ts, zone).weekday().num_days_from_monday() as i64;
    // Noon of that Monday, then its midnight: right across daylight-saving changes.
    day_start(
        Timestamp(day_start(ts, zone).0 - back * DAY + DAY / 2),
        zone,
    )
}

/// Day `i` of the week that starts at `start` (0..7 within the week).
pub fn day_of_week(start: Timestamp, ts: Timestamp, zone: &when::Zone) -> i64 {
    (when::local(ts, zone).date() - when::local(start, zone).date()).num_days()
}

impl CalendarPanel {
    pub fn new(now: Timestamp, zone: &when::Zone) -> Self {
        let start = week_start(now, zone);
        CalendarPanel {
            start,
            day: day_of_week(start, now, zone).clamp(0, 6) as usize,
            sel: 0,
            posts: Vec::new(),
            loaded: false,
            gen: 0,
            detail: false,
            ask: None,
            confirm_cancel: false,
            awaiting: None,
        }
    }

    pub fn days(&self, zone: &when::Zone) -> [Vec<&Post>; 7] {
        crate::text::calendar::by_day(&self.posts, self.start, zone)
    }

    pub fn current(&self, zone: &when::Zone) -> Option<&Post> {
        self.days(zone)[self.day].get(self.sel).copied()
    }

    fn current_id(&self, zone: &when::Zone) -> Option<(PostId, u64)> {
        self.current(zone).map(|p| (p.id, p.version))
    }

    /// Another week: `weeks` forward (negative: back), same weekday.
    fn shift(&mut self, weeks: i64, zone: &when::Zone) {
        self.start = day_start(Timestamp(self.start.0 + weeks * 7 * DAY + DAY / 2), zone);
        self.sel = 0;
    }
}

/// `S`: this week, and the request for its posts.
pub fn open(cx: &Cx) -> (Box<CalendarPanel>, Vec<Effect>) {
    let mut p = Box::new(CalendarPanel::new(cx.now, &cx.cfg.zone));
    let fx = reload(&mut p);
    (p, fx)
}

/// Asks for the week shown again.
pub fn reload(p: &mut CalendarPanel) -> Vec<Effect> {
    p.gen += 1;
    // A day of margin each side: by_day puts each post on its local day.
    let q = PostQuery {
        from: Some(Timestamp(p.start.0 - DAY)),
        to: Some(Timestamp(p.start.0 + 8 * DAY)),
        limit: 10_000,
    };
    vec![Effect::Call(Tag::Posts { gen: p.gen }, Request::Posts(q))]
}

pub fn loaded(p: &mut CalendarPanel, cx: &Cx, gen: u64, posts: Vec<Post>) {
    let zone = cx.cfg.zone;
    if gen != p.gen {
        return;
    }
    let keep = p.current_id(&zone).map(|(id, _)| id);
    p.posts = posts;
    p.loaded = true;
    let days = p.days(&zone);
    p.sel = keep
        .and_then(|k| days[p.day].iter().position(|x| x.id == k))
        .unwrap_or(p.sel)
        .min(days[p.day].len().saturating_sub(1));
}

pub fn failed(p: &mut CalendarPanel, gen: u64) {
    if gen == p.gen {
        p.loaded = true;
    }
}

fn edit(p: &CalendarPanel, zone: &when::Zone, edit: PostEdit, done: &'static str) -> Vec<Effect> {
    let Some((id, version)) = p.current_id(zone) else {
        return Vec::new();
    };
    // Retry and duplicate do not depend on the text as it was seen.
    let if_version = match edit {
        PostEdit::Retry | PostEdit::Duplicate(_) => None,
        _ => Some(version),
    };
    vec![Effect::Call(
        Tag::PostEdit { done },
        Request::PostEdit {
            id,
            if_version,
            edit,
        },
    )]
}

/// A key while the calendar is open (the keymap's `calendar` context; `prompt` while a time is
/// asked for, `confirm` while a cancel is).
pub fn key(p: &mut CalendarPanel, cx: &mut Cx, input: Input) -> Out {
    let zone = cx.cfg.zone;
    if let Some((ask, mut line)) = p.ask.take() {
        let fx = match input {
            Input::Act(Action::Cancel) => Vec::new(),
            Input::Act(Action::Submit) if ask == Ask::SendBack => {
                super::approvals::send_back(p, cx, line)
            }
            Input::Act(Action::Submit) => match when::parse_when(line.text.trim(), cx.now, &zone) {
                Ok(at) => {
                    let (e, done) = match ask {
                        Ask::Move => (PostEdit::Move(at), "tui.cal.done.move"),
                        Ask::Duplicate => (PostEdit::Duplicate(at), "tui.cal.done.duplicate"),
                        // The comment prompt never reads a time (answered above).
                        Ask::SendBack => return Out::default(),
                    };
                    edit(p, &zone, e, done)
                }
                Err(e) => {
                    cx.error(&tf(
                        "tui.compose.bad_when",
                        &[("error", &sanitize_line(&e.to_string(), 200).text)],
                    ));
                    p.ask = Some((ask, line));
                    Vec::new()
                }
            },
            other => {
                line.take(other);
                p.ask = Some((ask, line));
                Vec::new()
            }
        };
        return Out::fx(fx);
    }
    if p.confirm_cancel {
        p.confirm_cancel = false;
        return Out::fx(match input {
            Input::Act(Action::Yes) => edit(p, &zone, PostEdit::Cancel, "tui.cal.done.cancel"),
            _ => Vec::new(),
        });
    }
    let Input::Act(action) = input else {
        return Out::default();
    };
    match action {
        Action::ApprovePost => return Out::fx(super::approvals::approve(p, cx)),
        Action::SendBackPost => {
            super::approvals::ask_send_back(p, cx);
            return Out::default();
        }
        Action::AwaitingOnly => return Out::fx(super::approvals::toggle(p)),
        _ => {}
    }
    if let Some(list) = p.awaiting.as_mut() {
        match action {
            Action::Down | Action::Up => super::approvals::list_move(list, action == Action::Down),
            Action::Open => p.detail = !p.detail,
            Action::Close if p.detail => p.detail = false,
            Action::Close => p.awaiting = None,
            _ => cx.info(t("approvals.tui.list_keys")),
        }
        return Out::default();
    }
    let len = p.days(&zone)[p.day].len();
    let mut fx = Vec::new();
    let needs_post = matches!(
        action,
        Action::MovePost
            | Action::EditPost
            | Action::DuplicatePost
            | Action::CancelPost
            | Action::RetryPost
    );
    match action {
        Action::Close if p.detail => p.detail = false,
        Action::Close => return Out::cmd(Cmd::Close),
        Action::Left => {
            p.day = p.day.saturating_sub(1);
            p.sel = 0;
        }
        Action::Right => {
            p.day = (p.day + 1).min(6);
            p.sel = 0;
        }
        Action::Down => p.sel = (p.sel + 1).min(len.saturating_sub(1)),
        Action::Up => p.sel = p.sel.saturating_sub(1),
        Action::PrevWeek | Action::NextWeek => {
            p.shift(if action == Action::NextWeek { 1 } else { -1 }, &zone);
            return Out::fx(reload(p));
        }
        Action::Today => {
            let today = CalendarPanel::new(cx.now, &zone);
            p.day = today.day;
            p.sel = 0;
            if today.start != p.start {
                p.start = today.start;
                return Out::fx(reload(p));
            }
        }
        Action::Open => p.detail = !p.detail,
        _ if needs_post && len == 0 => cx.info(t("tui.cal.no_post")),
        Action::MovePost => p.ask = Some((Ask::Move, LineInput::default())),
        Action::DuplicatePost => p.ask = Some((Ask::Duplicate, LineInput::default())),
        Action::CancelPost => p.confirm_cancel = true,
        Action::RetryPost => {
            let wants = p.current(&zone).is_some_and(|x| {
                matches!(
                    x.summary(),
                    Summary::Late | Summary::Failed | Summary::Unknown
                )
            });
            if wants {
                fx = edit(p, &zone, PostEdit::Retry, "tui.cal.done.retry");
            } else {
                cx.info(t("tui.cal.nothing_to_retry"));
            }
        }
        Action::EditPost => {
            if let Some(post) = p.current(&zone).cloned() {
                return Out::cmd(Cmd::EditPost(Box::new(post)));
            }
        }
        _ => {}
    }
    Out::fx(fx)
}

/// After a change went through: say so, and show the week again.
pub fn edited(p: Option<&mut CalendarPanel>, cx: &mut Cx, done: &str, post: &Post) -> Vec<Effect> {
    let at = post
        .due_at
        .map(|d| when::show(d, &cx.cfg.zone))
        .unwrap_or_default();
    cx.info(tf(done, &[("id", &post.id), ("at", &at)]));
    p.map(reload).unwrap_or_default()
}
