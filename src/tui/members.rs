//! The Members panel (`m`): the ranking for a period with trends and sparklines, a person's
//! profile with the explanation of their score, and tags, notes, rewards and links from the
//! keyboard. Every change goes to the engine; the panel reloads on `MembersChanged`.

use super::cx::Cx;
use super::input::LineInput;
use super::keys::Input;
use super::msg::{Cmd, Effect, Out, Tag};
use crate::config::keymap::Action;
use crate::domain::member::{MemberId, Period};
use crate::domain::ranking::{Profile, RankQuery, Ranked, Ranking};
use crate::domain::Platform;
use crate::engine::api::{MemberEdit, Request};
use crate::i18n::{t, tf};
use crate::tui::keys::TextEdit;

/// What the panel's input line is asking for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    TagFilter,
    AddTag,
    RemoveTag,
    Note,
    Reward,
    Link,
    Unlink,
}

impl Ask {
    pub fn label_key(self) -> &'static str {
        match self {
            Ask::TagFilter => "tui.members.ask.tag_filter",
            Ask::AddTag => "tui.members.ask.add_tag",
            Ask::RemoveTag => "tui.members.ask.remove_tag",
            Ask::Note => "tui.members.ask.note",
            Ask::Reward => "tui.members.ask.reward",
            Ask::Link => "tui.members.ask.link",
            Ask::Unlink => "tui.members.ask.unlink",
        }
    }
}

#[derive(Debug, Clone)]
pub struct MembersPanel {
    pub query: RankQuery,
    pub ranking: Ranking,
    pub loaded: bool,
    pub selected: usize,
    /// The selected person's profile, shown beside the list.
    pub profile: Option<Box<Profile>>,
    pub detail: bool,
    /// On a screen too narrow for the profile beside the list: the profile fills the panel.
    pub full: bool,
    pub input: Option<(Ask, LineInput)>,
    /// Request generation: answers to older requests are dropped.
    pub gen: u64,
    /// A reward refused as a repeat, waiting for "again" (`R`).
    pub reward_again: Option<String>,
}

impl Default for MembersPanel {
    fn default() -> Self {
        MembersPanel {
            query: RankQuery {
                limit: 200,
                ..RankQuery::default()
            },
            ranking: Ranking::default(),
            loaded: false,
            selected: 0,
            profile: None,
            detail: true,
            full: false,
            input: None,
            gen: 0,
            reward_again: None,
        }
    }
}

impl MembersPanel {
    pub fn current(&self) -> Option<&Ranked> {
        self.ranking.rows.get(self.selected)
    }
    /// The period the rows are scored over.
    pub fn period(&self) -> Period {
        if self.query.leaders {
            Period::Month
        } else {
            self.query.period
        }
    }
}

/// Narrowest panel interior (cells) that has room for the profile beside the ranking.
pub const SIDE_MIN: u16 = 100;

/// True when a terminal `width` cells wide shows the profile beside the ranking; narrower
/// ones show it as a full-width view of its own (Enter, and Esc back).
pub fn side_by_side(width: u16) -> bool {
    width.saturating_sub(2) >= SIDE_MIN
}

/// A new panel, and the requests for its ranking.
pub fn open() -> (Box<MembersPanel>, Vec<Effect>) {
    let mut p = Box::<MembersPanel>::default();
    let fx = reload(&mut p);
    (p, fx)
}

/// Asks for the ranking (and the profile shown) again.
pub fn reload(p: &mut MembersPanel) -> Vec<Effect> {
    p.gen += 1;
    let mut fx = vec![Effect::Call(
        Tag::Members { gen: p.gen },
        Request::Members(p.query.clone()),
    )];
    fx.extend(load_profile(p));
    fx
}

fn load_profile(p: &mut MembersPanel) -> Vec<Effect> {
    let Some(row) = p.current() else {
        p.profile = None;
        return Vec::new();
    };
    if !p.detail {
        return Vec::new();
    }
    vec![Effect::Call(
        Tag::MemberProfile {
            gen: p.gen,
            person: row.person,
        },
        Request::MemberProfile {
            member: row.person.to_string(),
            period: p.period(),
        },
    )]
}

pub fn ranking_loaded(p: &mut MembersPanel, gen: u64, r: Ranking) -> Vec<Effect> {
    if gen != p.gen {
        return Vec::new();
    }
    let keep = p.current().map(|r| r.person);
    p.ranking = r;
    p.loaded = true;
    p.selected = keep
        .and_then(|k| p.ranking.rows.iter().position(|r| r.person == k))
        .unwrap_or(0);
    if p.profile.as_ref().map(|x| x.row.person) != p.current().map(|r| r.person) {
        return load_profile(p);
    }
    Vec::new()
}

/// The ranking could not be read: stop saying "loading" (the error shows in the footer).
pub fn failed(p: &mut MembersPanel, gen: u64) {
    if gen == p.gen {
        p.loaded = true;
    }
}

pub fn profile_loaded(p: &mut MembersPanel, gen: u64, person: MemberId, prof: Profile) {
    if gen == p.gen && p.current().map(|r| r.person) == Some(person) {
        p.profile = Some(Box::new(prof));
    }
}

/// After a change went through: say so and reload.
pub fn edited(p: &mut MembersPanel, cx: &mut Cx, what: &str) -> Vec<Effect> {
    cx.info(t(what));
    reload(p)
}

/// A refused change: a repeat reward offers `R` (reward again).
pub fn edit_failed(p: Option<&mut MembersPanel>, cx: &mut Cx, what: Option<String>, msg: &str) {
    if let (Some(p), Some(w)) = (p, what) {
        p.reward_again = Some(w);
        cx.error(&format!("{msg} {}", t("tui.members.reward_again")));
        return;
    }
    cx.error(msg);
}

fn edit(p: &MembersPanel, edit: MemberEdit, done: &'static str) -> Vec<Effect> {
    let Some(row) = p.current() else {
        return Vec::new();
    };
    let reward = match &edit {
        MemberEdit::Reward { what, again: false } => Some(what.clone()),
        _ => None,
    };
    vec![Effect::Call(
        Tag::MemberEdit { done, reward },
        Request::MemberEdit {
            member: row.person.to_string(),
            edit,
        },
    )]
}

fn next_platform(cx: &Cx, cur: Option<Platform>) -> Option<Platform> {
    let present: Vec<Platform> = cx
        .overview
        .by_platform
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(p, _)| *p)
        .collect();
    let all = if present.is_empty() {
        Platform::ALL.to_vec()
    } else {
        present
    };
    match cur.and_then(|c| all.iter().position(|p| *p == c)) {
        None => all.first().copied(),
        Some(i) if i + 1 < all.len() => Some(all[i + 1]),
        Some(_) => None,
    }
}

/// A key while the panel is open (the keymap's `members` context, or `prompt` while a question
/// is asked).
pub fn key(p: &mut MembersPanel, cx: &mut Cx, input: Input) -> Out {
    let platform_next = next_platform(cx, p.query.platform);
    if let Some((ask, mut line)) = p.input.take() {
        let submitted = input == Input::Act(Action::Submit);
        let fx = match input {
            Input::Act(Action::Cancel) => Vec::new(),
            Input::Act(Action::Submit) => submit(p, ask, line.text.trim().to_string()),
            other => {
                line.take(other);
                p.input = Some((ask, line));
                Vec::new()
            }
        };
        let reload_now = ask == Ask::TagFilter && submitted;
        return Out::fx(if reload_now { reload(p) } else { fx });
    }
    let Input::Act(action) = input else {
        return Out::default();
    };
    let rows = p.ranking.rows.len();
    let mut moved = false;
    let mut requery = false;
    let mut fx = Vec::new();
    let period = |p: &mut MembersPanel, to: Period| {
        p.query.period = to;
        p.query.leaders = false;
    };
    match action {
        Action::Close if p.full => p.full = false,
        Action::Close => return Out::cmd(Cmd::Close),
        Action::Down
        | Action::Up
        | Action::PageDown
        | Action::PageUp
        | Action::Top
        | Action::Bottom => {
            let last = rows.saturating_sub(1);
            p.selected = match action {
                Action::Down => (p.selected + 1).min(last),
                Action::Up => p.selected.saturating_sub(1),
                Action::PageDown => (p.selected + 10).min(last),
                Action::PageUp => p.selected.saturating_sub(10),
                Action::Top => 0,
                _ => last,
            };
            moved = true;
        }
        Action::NextPeriod => {
            let next = p.query.period.next();
            period(p, next);
            requery = true;
        }
        Action::Period7d | Action::Period30d | Action::Period90d | Action::PeriodAll => {
            let to = match action {
                Action::Period7d => Period::Week,
                Action::Period30d => Period::Month,
                Action::Period90d => Period::Quarter,
                _ => Period::All,
            };
            period(p, to);
            requery = true;
        }
        Action::Leaders => {
            p.query.leaders = !p.query.leaders;
            requery = true;
        }
        Action::PlatformFilter => {
            p.query.platform = platform_next;
            requery = true;
        }
        Action::TagFilter => {
            let cur = p.query.tag.clone().unwrap_or_default();
            p.input = Some((Ask::TagFilter, LineInput::with(&cur)));
        }
        Action::Open if side_by_side(cx.size.0) => {
            p.detail = !p.detail;
            moved = true;
        }
        Action::Open => {
            p.full = !p.full;
            p.detail = true;
            moved = true;
        }
        Action::AddTag => p.input = Some((Ask::AddTag, LineInput::default())),
        Action::RemoveTag => p.input = Some((Ask::RemoveTag, LineInput::default())),
        Action::MemberNote => p.input = Some((Ask::Note, LineInput::default())),
        Action::Reward => p.input = Some((Ask::Reward, LineInput::default())),
        Action::RewardAgain => {
            if let Some(what) = p.reward_again.take() {
                fx = edit(
                    p,
                    MemberEdit::Reward { what, again: true },
                    "tui.members.done.reward",
                );
            }
        }
        Action::Link => p.input = Some((Ask::Link, LineInput::default())),
        Action::Unlink => {
            let other = p
                .current()
                .and_then(|r| r.members.get(1))
                .map(|h| h.id.to_string())
                .unwrap_or_default();
            p.input = Some((Ask::Unlink, LineInput::with(&other)));
        }
        Action::MemberItems => {
            if let Some(row) = p.current() {
                let ids: Vec<MemberId> = row.members.iter().map(|h| h.id).collect();
                let label = row.label().to_string();
                return Out::cmd(Cmd::ShowMemberItems { ids, label });
            }
        }
        Action::Export => {
            match export(cx, p) {
                Ok(path) => cx.info(tf("tui.members.exported", &[("path", &path)])),
                Err(e) => cx.error(&tf("tui.members.export_failed", &[("error", &e)])),
            }
            return Out::default();
        }
        _ => {}
    }
    if requery {
        p.selected = 0;
        p.profile = None;
        return Out::fx(reload(p));
    }
    if moved && p.profile.as_ref().map(|x| x.row.person) != p.current().map(|r| r.person) {
        p.profile = None;
        fx.extend(load_profile(p));
    } else if moved && p.detail && p.profile.is_none() {
        fx.extend(load_profile(p));
    }
    Out::fx(fx)
}

fn submit(p: &mut MembersPanel, ask: Ask, text: String) -> Vec<Effect> {
    match ask {
        Ask::TagFilter => {
            p.query.tag = (!text.is_empty()).then_some(text);
            p.selected = 0;
            p.profile = None;
            Vec::new()
        }
        _ if text.is_empty() => Vec::new(),
        Ask::AddTag => edit(
            p,
            MemberEdit::Tag {
                tag: text,
                on: true,
            },
            "tui.members.done.tag",
        ),
        Ask::RemoveTag => edit(
            p,
            MemberEdit::Tag {
                tag: text,
                on: false,
            },
            "tui.members.done.untag",
        ),
        Ask::Note => edit(p, MemberEdit::Note { text }, "tui.members.done.note"),
        Ask::Reward => edit(
            p,
            MemberEdit::Reward {
                what: text,
                again: false,
            },
            "tui.members.done.reward",
        ),
        Ask::Link => edit(p, MemberEdit::Link { other: text }, "tui.members.done.link"),
        Ask::Unlink => vec![Effect::Call(
            Tag::MemberEdit {
                done: "tui.members.done.unlink",
                reward: None,
            },
            Request::MemberEdit {
                member: text,
                edit: MemberEdit::Unlink,
            },
        )],
    }
}

/// Writes the ranking shown as CSV into the export directory; returns the path.
fn export(cx: &Cx, p: &MembersPanel) -> Result<String, String> {
    let dir = cx.cfg.export_dir.clone();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let day = cx.now.to_string();
    let name = format!(
        "members-{}{}-{}.csv",
        if p.query.leaders {
            "leaders"
        } else {
            p.query.period.as_str()
        },
        p.query
            .platform
            .map(|x| format!("-{}", x.as_str()))
            .unwrap_or_default(),
        &day[..10.min(day.len())]
    );
    let path = dir.join(name);
    let mut buf = Vec::new();
    crate::engine::member_export::write_csv(&p.ranking, &mut buf).map_err(|e| e.to_string())?;
    std::fs::write(&path, buf).map_err(|e| e.to_string())?;
    Ok(path.display().to_string())
}
