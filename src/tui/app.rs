//! The UI state. One loop owns it; `update` is the only thing that changes it.

pub use super::cx::{AppConfig, Cx, Notice, Tone};
use super::editor::Editor;
use super::list::ListState;
use super::popups::filter::UserFilter;
use super::popups::Popup;
use super::views::View;
use crate::config::keymap::Chord;
use crate::domain::{Change, Item, ItemId, Timestamp};
use crate::engine::api::{Filter, Overview};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Sidebar,
    List,
    Detail,
}

/// What the one-line input at the bottom is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    Search,
    /// A pattern that limits the list (`l`, mutt's word).
    Limit,
    Tag,
    /// Whom to assign the selected item to.
    Assign,
    /// A handoff note on the selected item.
    Note,
}

/// One action that `u` can take back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoStep {
    Item {
        id: ItemId,
        change: Change,
        /// The item's version right after the action.
        version: u64,
    },
    /// A whole bulk (the engine knows what it changed).
    Bulk(crate::domain::bulk::BulkId),
}

#[derive(Debug, Clone, Default)]
pub struct ThreadState {
    pub gen: u64,
    /// The item the thread was asked for.
    pub id: Option<ItemId>,
    pub items: Vec<Item>,
    /// Handoff notes on the item, oldest first.
    pub notes: Vec<crate::domain::note::Note>,
    pub scroll: usize,
}

pub struct App {
    /// What every panel shares (see `Cx`); `app.cfg`, `app.now`… reach it directly.
    pub cx: Cx,
    pub views: Vec<View>,
    pub view: View,
    /// Saved views with their live counts (the team's, then the operator's own).
    pub saved: Vec<crate::domain::saved_view::ViewRow>,
    /// The saved views' counts may have moved (items changed, views changed): asked for again
    /// with the next overview. Counting is a pattern page per view, so not on every event.
    pub saved_stale: bool,
    pub sidebar_sel: usize,
    pub focus: Pane,
    /// The detail pane fills the right side (thread opened with Enter).
    pub zoom: bool,
    pub list: ListState,
    pub thread: ThreadState,
    pub user_filter: UserFilter,
    pub search: String,
    pub prompt: Option<(Prompt, super::input::LineInput)>,
    /// The search before `/` was pressed, restored by Esc.
    pub search_before: String,
    /// The pattern limiting the list (`l`); empty when none.
    pub limit: String,
    /// Why the pattern in the limit or search prompt does not read (shown under it).
    pub pattern_error: Option<crate::domain::pattern::PatternError>,
    /// The popup or panel that has the keyboard.
    pub popup: Option<Popup>,
    /// Panels waiting under the one on top, to come back when it closes (help over members,
    /// the composer over the calendar it edits a post of).
    pub behind: Vec<Popup>,
    /// Chords typed so far of a longer sequence (`g` of `g g`).
    pub chords: Vec<Chord>,
    pub undo: Vec<UndoStep>,
    pub drafts: HashMap<ItemId, Editor>,
    /// Kept drafts that were marked as private replies: they reopen marked.
    pub private_drafts: std::collections::HashSet<ItemId>,
    /// The composer's draft while the composer is closed (restored from disk at start).
    pub compose_draft: Option<Box<super::compose::Composer>>,
    /// Tab completion in the assign prompt.
    pub completion: Option<Completion>,
    /// Items picked for one action over all of them.
    pub selection: super::select::Selection,
}

impl std::ops::Deref for App {
    type Target = Cx;
    fn deref(&self) -> &Cx {
        &self.cx
    }
}

impl std::ops::DerefMut for App {
    fn deref_mut(&mut self) -> &mut Cx {
        &mut self.cx
    }
}

pub use super::input::Completion;

/// What the engine is asked for while a person types: the last word, once it has three
/// letters, also matches as a prefix (`ламп` finds `лампа`); `word ` (with a space) is exact.
pub fn search_text(typed: &str) -> Option<String> {
    let q = typed.trim();
    if q.is_empty() {
        return None;
    }
    let last = q.split_whitespace().next_back().unwrap_or("");
    let letters = last.chars().count();
    let spaced = last
        .chars()
        .all(|c| c.is_alphanumeric() && !crate::domain::search::is_unspaced(c));
    if typed.ends_with(char::is_whitespace) || last.ends_with('*') || letters < 3 || !spaced {
        Some(q.to_string())
    } else {
        Some(format!("{q}*"))
    }
}

impl App {
    /// A panel of one kind wherever it is (on top, or waiting under help or the composer),
    /// with the shared context beside it: replies find their panel this way.
    fn panel_mut<T>(
        &mut self,
        pick: impl Fn(&mut Popup) -> Option<&mut T>,
    ) -> Option<(&mut T, &mut Cx)> {
        let p = self
            .popup
            .iter_mut()
            .chain(self.behind.iter_mut().rev())
            .find_map(pick)?;
        Some((p, &mut self.cx))
    }

    pub fn members_mut(&mut self) -> Option<(&mut super::members::MembersPanel, &mut Cx)> {
        self.panel_mut(|p| match p {
            Popup::Members(m) => Some(&mut **m),
            _ => None,
        })
    }

    pub fn calendar_mut(&mut self) -> Option<(&mut super::calendar::CalendarPanel, &mut Cx)> {
        self.panel_mut(|p| match p {
            Popup::Calendar(c) => Some(&mut **c),
            _ => None,
        })
    }

    pub fn composer_mut(&mut self) -> Option<(&mut super::compose::Composer, &mut Cx)> {
        self.panel_mut(|p| match p {
            Popup::Compose(c) => Some(&mut **c),
            _ => None,
        })
    }

    pub fn rules_mut(&mut self) -> Option<(&mut super::rules::RulesPanel, &mut Cx)> {
        self.panel_mut(|p| match p {
            Popup::Rules(r) => Some(&mut **r),
            _ => None,
        })
    }

    /// The contexts the keyboard is in now, most specific first, and whether text is being typed.
    pub fn key_contexts(&self) -> (Vec<crate::config::keymap::Context>, bool) {
        let app = self;
        use crate::config::keymap::Context as C;
        if let Some(p) = &app.popup {
            return match p {
                Popup::Help { .. } => (vec![C::Help], false),
                Popup::Palette(_) => (vec![C::Palette, C::Input], true),
                Popup::Filter(f) if f.typing() => (vec![C::FilterText, C::Input], true),
                Popup::Filter(_) => (vec![C::Filter], false),
                Popup::Snooze(s) if s.typing() => (vec![C::Snooze, C::Input], true),
                Popup::Snooze(_) => (vec![C::Snooze], false),
                Popup::Reply(f) if f.picker.is_some() => (vec![C::Picker, C::Input], true),
                Popup::Reply(_) => (vec![C::Editor, C::Input], true),
                Popup::Accounts(a) if a.captcha.is_some() => (vec![C::Prompt, C::Input], true),
                Popup::Accounts(_) => (vec![C::Accounts], false),
                Popup::Ban(_) => (vec![C::Ban], false),
                Popup::Handoff(_) => (vec![C::Handoff], false),
                Popup::Members(m) if m.input.is_some() => (vec![C::Prompt, C::Input], true),
                Popup::Members(_) => (vec![C::Members], false),
                Popup::Calendar(c) if c.ask.is_some() => (vec![C::Prompt, C::Input], true),
                Popup::Calendar(c) if c.confirm_cancel => (vec![C::Confirm], false),
                Popup::Calendar(_) => (vec![C::Calendar], false),
                Popup::Compose(c) if c.confirm => (vec![C::ComposerConfirm], false),
                Popup::Compose(c) if c.focus == super::compose::Field::Targets => {
                    (vec![C::Composer, C::ComposerTargets], false)
                }
                Popup::Compose(_) => (vec![C::Composer, C::Input], true),
                Popup::Takeover { .. } | Popup::AssignUnknown { .. } | Popup::ConfirmBulk(_) => {
                    (vec![C::Confirm], false)
                }
                Popup::BulkDraft(_) => (vec![C::Picker, C::Input], true),
                Popup::Rules(_) => (vec![C::Rules], false),
            };
        }
        if app.prompt.is_some() {
            return (vec![C::Prompt, C::Input], true);
        }
        (vec![C::Normal, C::Selection], false)
    }

    pub fn new(cfg: AppConfig, now: Timestamp) -> App {
        let views = View::list(&Overview::default(), &cfg.operator, &[]);
        let compose_draft = cfg
            .drafts_dir
            .as_deref()
            .and_then(super::compose::load_draft)
            .map(Box::new);
        App {
            cx: Cx::new(cfg, now),
            views,
            view: View::Inbox,
            saved: Vec::new(),
            saved_stale: true,
            sidebar_sel: 1,
            focus: Pane::List,
            zoom: false,
            list: ListState::default(),
            thread: ThreadState::default(),
            user_filter: UserFilter::default(),
            search: String::new(),
            prompt: None,
            search_before: String::new(),
            limit: String::new(),
            pattern_error: None,
            popup: None,
            behind: Vec::new(),
            chords: Vec::new(),
            undo: Vec::new(),
            drafts: HashMap::new(),
            private_drafts: Default::default(),
            compose_draft,
            completion: None,
            selection: Default::default(),
        }
    }

    /// The filter the list shows: view, then the user's filter. A search (`/`) looks through
    /// the whole store: the view's conditions give way, the user's own filter still narrows it.
    /// A search written as a pattern (`/~p vk доставка`) is one too; the limit (`l`) narrows
    /// whatever the list shows.
    pub fn filter(&self) -> Filter {
        let searched = super::limit::search_pattern(&self.search);
        let text = match searched {
            Some(_) => None,
            None => search_text(&self.search),
        };
        let base = if text.is_some() || searched.is_some() {
            Filter::default()
        } else {
            self.view.filter()
        };
        let mut f = self.user_filter.apply(base);
        f.text = text;
        // A saved view's own pattern, narrowed further by the limit or a pattern search.
        let view_pattern = f.pattern.take();
        f.pattern = match (view_pattern, super::limit::both(&self.limit, searched)) {
            (Some(v), Some(p)) => Some(format!("({v}) ({p})")),
            (v, p) => v.or(p),
        };
        f
    }

    /// A search is on: the list shows matches from the whole store, not the view.
    pub fn searching(&self) -> bool {
        search_text(&self.search).is_some()
    }

    /// Rows of the list that fit on screen (same arithmetic as the layout).
    pub fn list_height(&self) -> usize {
        let areas = super::layout::areas(
            ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1),
            self.zoom,
        );
        areas.list.height.saturating_sub(3).max(1) as usize
    }

    /// Lines of the detail pane that fit on screen.
    pub fn detail_height(&self) -> usize {
        let areas = super::layout::areas(
            ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1),
            self.zoom,
        );
        areas.detail.height.saturating_sub(2).max(1) as usize
    }
}
