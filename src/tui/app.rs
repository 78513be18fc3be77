//! The UI state. One loop owns it; `update` is the only thing that changes it.

use super::editor::Editor;
use super::list::ListState;
use super::popups::filter::UserFilter;
use super::popups::Popup;
use super::views::View;
use crate::config::keymap::{Chord, Keymap};
use crate::config::replies::SavedReply;
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
    Tag,
    /// Whom to assign the selected item to.
    Assign,
    /// A handoff note on the selected item.
    Note,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Error,
}

/// A transient line in the status bar; cleared by the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Already sanitized.
    pub text: String,
    pub tone: Tone,
}

/// One action that `u` can take back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoStep {
    pub id: ItemId,
    pub change: Change,
    /// The item's version right after the action.
    pub version: u64,
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

/// Settings the app starts with (from `Setup`, or chosen by a test).
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub operator: String,
    pub page_size: usize,
    pub snooze_presets: Vec<String>,
    pub replies: Vec<SavedReply>,
    pub keymap: Keymap,
    /// Where exports (the member ranking as CSV) are written.
    pub export_dir: std::path::PathBuf,
    /// Where the composer's draft is kept (`DATA_DIR/drafts`); `None` keeps it in memory only.
    pub drafts_dir: Option<std::path::PathBuf>,
    /// The operator's time zone for times typed and shown in the composer and calendar.
    pub zone: crate::domain::when::Zone,
    /// The team's words to avoid or prefer, highlighted in the composer.
    pub style: crate::text::voice::StyleSheet,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            operator: "operator".into(),
            page_size: 200,
            snooze_presets: vec!["1h".into(), "3h".into(), "tomorrow".into(), "1w".into()],
            replies: Vec::new(),
            keymap: Keymap::defaults(),
            export_dir: std::env::temp_dir().join("kith-exports"),
            drafts_dir: None,
            style: Default::default(),
            zone: crate::domain::when::Zone::UTC,
        }
    }
}

pub struct App {
    pub cfg: AppConfig,
    /// "Now" for ages and relative times; the loop sets it, tests fix it.
    pub now: Timestamp,
    pub size: (u16, u16),
    pub overview: Overview,
    pub views: Vec<View>,
    pub view: View,
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
    pub popup: Option<Popup>,
    pub pending: Vec<Chord>,
    pub note: Option<Note>,
    pub undo: Vec<UndoStep>,
    pub drafts: HashMap<ItemId, Editor>,
    /// Reply limits the engine learned per account (a Mastodon instance's own limit).
    pub limits: HashMap<String, usize>,
    /// Accounts posts can go to (demo and connected), as the engine listed them.
    pub accounts: Vec<(String, crate::domain::Platform)>,
    /// The composer's draft while the composer is closed (restored from disk at start).
    pub compose_draft: Option<Box<super::compose::Composer>>,
    /// Other operators writing a reply, per item (live, from the engine).
    pub presence: HashMap<ItemId, Vec<String>>,
    /// The engine went away; the screen and drafts stay while the client reconnects.
    pub engine_lost: bool,
    /// The engine was stopped on purpose: it comes back when the operator asks (refresh).
    pub engine_stopped: bool,
    /// The engine says this operator may only read.
    pub read_only: bool,
    /// The team's names (from the engine), offered by the assign prompt.
    pub operators: Vec<String>,
    /// Tab completion in the assign prompt.
    pub completion: Option<super::assign::Completion>,
    /// Answer-time targets (from the engine) for the response clocks.
    pub targets: crate::domain::clock::Targets,
    pub quit: bool,
    /// State changed since the last frame.
    pub dirty: bool,
}

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
                Popup::Accounts(_) => (vec![C::Accounts], false),
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
                Popup::Takeover { .. } | Popup::AssignUnknown { .. } => (vec![C::Confirm], false),
            };
        }
        if app.prompt.is_some() {
            return (vec![C::Prompt, C::Input], true);
        }
        (vec![C::Normal], false)
    }

    pub fn new(cfg: AppConfig, now: Timestamp) -> App {
        let views = View::list(&Overview::default(), &cfg.operator);
        let compose_draft = cfg
            .drafts_dir
            .as_deref()
            .and_then(super::compose::load_draft)
            .map(Box::new);
        App {
            cfg,
            now,
            size: (120, 36),
            overview: Overview::default(),
            views,
            view: View::Inbox,
            sidebar_sel: 1,
            focus: Pane::List,
            zoom: false,
            list: ListState::default(),
            thread: ThreadState::default(),
            user_filter: UserFilter::default(),
            search: String::new(),
            prompt: None,
            search_before: String::new(),
            popup: None,
            pending: Vec::new(),
            note: None,
            undo: Vec::new(),
            drafts: HashMap::new(),
            limits: HashMap::new(),
            accounts: Vec::new(),
            compose_draft,
            presence: HashMap::new(),
            engine_lost: false,
            engine_stopped: false,
            read_only: false,
            operators: Vec::new(),
            completion: None,
            targets: Default::default(),
            quit: false,
            dirty: true,
        }
    }

    /// The filter the list shows: view, then the user's filter. A search (`/`) looks through
    /// the whole store: the view's conditions give way, the user's own filter still narrows it.
    pub fn filter(&self) -> Filter {
        let text = search_text(&self.search);
        let base = if text.is_some() {
            Filter::default()
        } else {
            self.view.filter()
        };
        let mut f = self.user_filter.apply(base);
        f.text = text;
        f
    }

    /// A search is on: the list shows matches from the whole store, not the view.
    pub fn searching(&self) -> bool {
        search_text(&self.search).is_some()
    }

    pub fn info(&mut self, text: String) {
        self.note = Some(Note {
            text,
            tone: Tone::Info,
        });
    }

    pub fn error(&mut self, text: &str) {
        let text = crate::text::sanitize_line(text, 400).text;
        self.note = Some(Note {
            text,
            tone: Tone::Error,
        });
    }

    /// The text limit of an account: its own (learned by the engine), else its platform's.
    pub fn account_limit(&self, account: &str, platform: crate::domain::Platform) -> usize {
        self.limits
            .get(account)
            .copied()
            .unwrap_or(platform.capabilities().text_limit)
    }

    /// The reply limit for an item: its account's own, else its platform's.
    pub fn text_limit(&self, item: &Item) -> usize {
        self.limits
            .get(&item.account)
            .copied()
            .unwrap_or(item.platform.capabilities().text_limit)
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
