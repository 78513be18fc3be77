//! What every panel shares: the settings, the clock, the screen size, the engine's counts and
//! accounts, who is writing where, and the status line. Panels take a `Cx` (never the whole
//! app), so they know nothing of each other or of the root that routes to them.

use crate::config::keymap::Keymap;
use crate::config::replies::SavedReply;
use crate::domain::{Item, ItemId, Timestamp};
use crate::engine::api::Overview;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Error,
}

/// A transient line in the status bar (what just happened); cleared by the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Already sanitized.
    pub text: String,
    pub tone: Tone,
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
    /// Tag colours from `[tags] colors`, by folded tag name.
    pub tag_colors: HashMap<String, crate::config::tags::TagColor>,
    /// The operator's own saved views from `[views]` (name, pattern), in the file's order.
    pub views: Vec<(String, String)>,
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
            tag_colors: HashMap::new(),
            views: Vec::new(),
        }
    }
}

pub struct Cx {
    pub cfg: AppConfig,
    /// "Now" for ages and relative times; the loop sets it, tests fix it.
    pub now: Timestamp,
    pub size: (u16, u16),
    pub overview: Overview,
    /// The status line: what just happened (cleared by the next key).
    pub note: Option<Notice>,
    /// Reply limits the engine learned per account (a Mastodon instance's own limit).
    pub limits: HashMap<String, usize>,
    /// Accounts posts can go to (demo and connected), as the engine listed them.
    pub accounts: Vec<(String, crate::domain::Platform)>,
    /// Accounts that answer messages for 7 days (Meta's Human Agent tag).
    pub human_agent: std::collections::HashSet<String>,
    /// Other operators writing a reply, per item (live, from the engine).
    pub presence: HashMap<ItemId, Vec<String>>,
    /// The engine went away; the screen and drafts stay while the client reconnects.
    pub engine_lost: bool,
    /// The engine was stopped on purpose: it comes back when the operator asks (refresh).
    pub engine_stopped: bool,
    /// The engine says this operator may only read.
    pub read_only: bool,
    /// The engine says this operator approves what others wait with (approvals).
    pub approver: bool,
    /// Posts and replies waiting for an approver (kept for approvers' status bar).
    pub awaiting: usize,
    /// The team's names (from the engine), offered by the assign prompt.
    pub operators: Vec<String>,
    /// Tags in use with their item counts (from the engine), offered where a tag is typed.
    pub tags: Vec<crate::domain::tag::TagCount>,
    /// Answer-time targets (from the engine) for the response clocks.
    pub targets: crate::domain::clock::Targets,
    pub quit: bool,
    /// State changed since the last frame.
    pub dirty: bool,
    /// How this terminal draws pictures (composer thumbnails), when it can.
    pub images: Option<std::sync::Arc<ratatui_image::picker::Picker>>,
}

impl Cx {
    pub fn new(cfg: AppConfig, now: Timestamp) -> Cx {
        Cx {
            cfg,
            now,
            size: (120, 36),
            overview: Overview::default(),
            note: None,
            limits: HashMap::new(),
            accounts: Vec::new(),
            human_agent: Default::default(),
            presence: HashMap::new(),
            engine_lost: false,
            engine_stopped: false,
            read_only: false,
            approver: false,
            awaiting: 0,
            operators: Vec::new(),
            tags: Vec::new(),
            targets: Default::default(),
            quit: false,
            dirty: true,
            images: None,
        }
    }

    pub fn info(&mut self, text: String) {
        self.note = Some(Notice {
            text,
            tone: Tone::Info,
        });
    }

    pub fn error(&mut self, text: &str) {
        let text = crate::text::sanitize_line(text, 400).text;
        self.note = Some(Notice {
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

    /// When a normal reply to `item` stops being allowed, by its account's setting (the one
    /// rule the engine refuses by).
    pub fn reply_window(&self, item: &Item) -> Option<Timestamp> {
        item.reply_window(self.human_agent.contains(&item.account))
    }

    /// The reply limit for an item: its account's own, else its platform's.
    pub fn text_limit(&self, item: &Item) -> usize {
        self.limits
            .get(&item.account)
            .copied()
            .unwrap_or(item.platform.capabilities().text_limit)
    }
}
