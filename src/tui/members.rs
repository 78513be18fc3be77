//! The Members panel (`m`): the ranking for a period with trends and sparklines, a person's
//! profile with the explanation of their score, and tags, notes, rewards and links from the
//! keyboard. Every change goes to the engine; the panel reloads on `MembersChanged`.

use super::app::App;
use super::input::LineInput;
use super::keys::Input;
use super::msg::{Effect, Pending};
use super::popups::Popup;
use crate::config::keymap::Action;
use crate::domain::member::{MemberId, Period};
use crate::domain::ranking::{Profile, RankQuery, Ranked, Ranking};
use crate::domain::Platform;
use crate::engine::api::{MemberEdit, Request};
use crate::i18n::{t, tf};

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

fn panel(app: &mut App) -> Option<&mut MembersPanel> {
    match app.popup.as_mut() {
        Some(Popup::Members(p)) => Some(p),
        _ => None,
    }
}

/// Opens the panel and asks for the ranking.
pub fn open(app: &mut App) -> Vec<Effect> {
    app.popup = Some(Popup::Members(Box::default()));
    reload(app)
}

/// Reloads the ranking (and the profile shown), if the panel is open.
pub fn reload(app: &mut App) -> Vec<Effect> {
    let Some(p) = panel(app) else {
        return Vec::new();
    };
    p.gen += 1;
    let mut fx = vec![Effect::Call(
        Pending::Members { gen: p.gen },
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
        Pending::MemberProfile {
            gen: p.gen,
            person: row.person,
        },
        Request::MemberProfile {
            member: row.person.to_string(),
            period: p.period(),
        },
    )]
}

pub fn ranking_loaded(app: &mut App, gen: u64, r: Ranking) -> Vec<Effect> {
    let Some(p) = panel(app) else {
        return Vec::new();
    };
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
pub fn failed(app: &mut App, gen: u64) {
    if let Some(p) = panel(app) {
        if gen == p.gen {
            p.loaded = true;
        }
    }
}

pub fn profile_loaded(app: &mut App, gen: u64, person: MemberId, prof: Profile) {
    if let Some(p) = panel(app) {
        if gen == p.gen && p.current().map(|r| r.person) == Some(person) {
            p.profile = Some(Box::new(prof));
        }
    }
}

/// After a change went through: say so and reload.
pub fn edited(app: &mut App, what: &str) -> Vec<Effect> {
    app.info(t(what));
    reload(app)
}

/// A refused change: a repeat reward offers `R` (reward again).
pub fn edit_failed(app: &mut App, what: Option<String>, msg: &str) {
    if let (Some(p), Some(w)) = (panel(app), what) {
        p.reward_again = Some(w);
        app.error(&format!("{msg} {}", t("tui.members.reward_again")));
        return;
    }
    app.error(msg);
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
        Pending::MemberEdit { done, reward },
        Request::MemberEdit {
            member: row.person.to_string(),
            edit,
        },
    )]
}

fn next_platform(app: &App, cur: Option<Platform>) -> Option<Platform> {
    let present: Vec<Platform> = app
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
pub fn key(app: &mut App, input: Input) -> Vec<Effect> {
    let platform_next = {
        let cur = panel(app).map(|p| p.query.platform).unwrap_or(None);
        next_platform(app, cur)
    };
    let Some(Popup::Members(mut p)) = app.popup.take() else {
        return Vec::new();
    };
    if let Some((ask, mut line)) = p.input.take() {
        let submitted = input == Input::Act(Action::Submit);
        let fx = match input {
            Input::Act(Action::Cancel) => Vec::new(),
            Input::Act(Action::Submit) => submit(&mut p, ask, line.text.trim().to_string()),
            other => {
                line.take(other);
                p.input = Some((ask, line));
                Vec::new()
            }
        };
        let reload_now = ask == Ask::TagFilter && submitted;
        app.popup = Some(Popup::Members(p));
        return if reload_now { reload(app) } else { fx };
    }
    let Input::Act(action) = input else {
        app.popup = Some(Popup::Members(p));
        return Vec::new();
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
        Action::Close => return Vec::new(),
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
            period(&mut p, next);
            requery = true;
        }
        Action::Period7d | Action::Period30d | Action::Period90d | Action::PeriodAll => {
            let to = match action {
                Action::Period7d => Period::Week,
                Action::Period30d => Period::Month,
                Action::Period90d => Period::Quarter,
                _ => Period::All,
            };
            period(&mut p, to);
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
        Action::Open if side_by_side(app.size.0) => {
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
                    &p,
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
                return super::actions::show_member_items(app, ids, label);
            }
        }
        Action::Export => {
            let msg = export(app, &p);
            app.popup = Some(Popup::Members(p));
            match msg {
                Ok(path) => app.info(tf("tui.members.exported", &[("path", &path)])),
                Err(e) => app.error(&tf("tui.members.export_failed", &[("error", &e)])),
            }
            return Vec::new();
        }
        _ => {}
    }
    if requery {
        p.selected = 0;
        p.profile = None;
        app.popup = Some(Popup::Members(p));
        return reload(app);
    }
    if moved && p.profile.as_ref().map(|x| x.row.person) != p.current().map(|r| r.person) {
        p.profile = None;
        fx.extend(load_profile(&mut p));
    } else if moved && p.detail && p.profile.is_none() {
        fx.extend(load_profile(&mut p));
    }
    app.popup = Some(Popup::Members(p));
    fx
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
            Pending::MemberEdit {
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
fn export(app: &App, p: &MembersPanel) -> Result<String, String> {
    let dir = app.cfg.export_dir.clone();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let day = app.now.to_string();
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
