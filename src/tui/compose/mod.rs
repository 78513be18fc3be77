//! The composer (`c`): one text for several accounts, a time typed in words, live counters per
//! network, and the draft saved to `DATA_DIR/drafts/composer.json` on every change. It also
//! rewrites a scheduled post's text when the calendar opens it (`e`).

use super::cx::Cx;
use super::editor::Editor;
use super::input::LineInput;
use super::keys::Input;
use super::msg::{Cmd, Effect, Out, Tag};
use crate::config::keymap::Action;
use crate::domain::platform::CountRule;
use crate::domain::post::{NewPost, NewTarget, PostId};
use crate::domain::{when, Platform, Timestamp};
use crate::engine::api::{PostEdit, Request};
use crate::i18n::{t, tf};
use crate::text::{over_limit, sanitize_line};
use crate::tui::keys::TextEdit;
use std::path::Path;
use unicode_segmentation::UnicodeSegmentation;

mod draft;
pub mod media;
pub mod targets;
pub use draft::{draft_path, forget, load_draft, saved, write_draft, Draft};

/// Which part of the composer takes typed keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Field {
    Targets,
    #[default]
    Text,
    /// The pictures line.
    Media,
    When,
}

/// A post being rewritten from the calendar.
#[derive(Debug, Clone)]
pub struct Editing {
    pub id: PostId,
    pub version: u64,
    /// When it goes out (the calendar moves it; the composer only changes the text).
    pub due: Option<Timestamp>,
    /// What its author should read about its approval ("sent back by anna: …").
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Composer {
    /// Chosen account names, in the order they were chosen.
    pub targets: Vec<String>,
    /// Row of the account list under the cursor.
    pub cursor: usize,
    pub editor: Editor,
    pub when: LineInput,
    /// Split into a thread where the text is over a network's limit.
    pub split: bool,
    /// Let the platform schedule it where it can.
    pub native: bool,
    pub focus: Field,
    /// The "goes out … on …" line is showing: Enter sends, `q` queues.
    pub confirm: bool,
    /// Waiting for the engine's answer.
    pub busy: bool,
    pub editing: Option<Editing>,
    /// Accounts with their own wording (account → text). The account whose text the editor
    /// holds right now is `variant_of`; then `main` keeps the common text.
    pub variants: std::collections::BTreeMap<String, String>,
    pub variant_of: Option<String>,
    pub main: String,
    /// Pictures, in order.
    pub media: Vec<media::Attached>,
    pub media_line: media::MediaLine,
}

impl Composer {
    /// The text every account without its own wording gets.
    pub fn main_text(&self) -> String {
        match self.variant_of {
            Some(_) => self.main.clone(),
            None => self.editor.text(),
        }
    }

    /// Every account's own wording, the one being edited included; a variant equal to the
    /// common text is no variant.
    pub fn all_variants(&self) -> std::collections::BTreeMap<String, String> {
        let mut v = self.variants.clone();
        if let Some(a) = &self.variant_of {
            v.insert(a.clone(), self.editor.text());
        }
        let main = self.main_text();
        v.retain(|_, t| *t != main);
        v
    }

    /// The text that goes to `account`.
    pub fn text_for(&self, account: &str) -> String {
        if self.variant_of.as_deref() == Some(account) {
            return self.editor.text();
        }
        self.variants
            .get(account)
            .cloned()
            .unwrap_or_else(|| self.main_text())
    }

    /// Puts the editor on `account`'s own wording (starting from the common text), or back on
    /// the common text with `None`.
    pub fn switch_to(&mut self, account: Option<String>) {
        let current = self.editor.text();
        match self.variant_of.take() {
            Some(a) => {
                self.variants.insert(a, current);
            }
            None => self.main = current,
        }
        let next = match &account {
            Some(a) => self
                .variants
                .get(a)
                .cloned()
                .unwrap_or_else(|| self.main.clone()),
            None => self.main.clone(),
        };
        self.variant_of = account;
        self.editor = Editor::default();
        self.editor.insert(&next);
    }

    /// The chosen accounts with their platforms (accounts that went away, and any on a platform
    /// kith cannot publish to, from an older draft, are left out).
    pub fn chosen(&self, accounts: &[(String, Platform)]) -> Vec<(String, Platform)> {
        self.targets
            .iter()
            .filter_map(|n| accounts.iter().find(|(a, _)| a == n).cloned())
            .filter(|(_, p)| p.capabilities().publish)
            .collect()
    }

    /// When the post goes out: the typed time, `now` when nothing is typed.
    pub fn due(&self, now: Timestamp, zone: &when::Zone) -> Result<Timestamp, String> {
        if let Some(e) = &self.editing {
            return Ok(e.due.unwrap_or(now));
        }
        let s = self.when.text.trim();
        if s.is_empty() {
            return Ok(now);
        }
        when::parse_when(s, now, zone).map_err(|e| e.to_string())
    }
}

/// Where the over part of `text` starts for one network: the byte offset after the longest
/// prefix (on a grapheme boundary) that still fits; `None` when all of it fits.
pub fn over_from(text: &str, rule: CountRule, limit: usize) -> Option<usize> {
    over_limit(text, rule, limit)?;
    let bounds: Vec<usize> = text
        .grapheme_indices(true)
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    // Invariant: the prefix of `lo` graphemes fits, the prefix of `hi` does not.
    let (mut lo, mut hi) = (0, bounds.len() - 1);
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if over_limit(&text[..bounds[mid]], rule, limit).is_none() {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(bounds[lo])
}

/// One network's counter: its name, the count, the limit, and by how much it is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    pub platform: Platform,
    pub count: usize,
    pub limit: usize,
    /// Over the byte limit rather than the count (Bluesky).
    pub bytes: bool,
    pub over: usize,
    /// Where the over part starts (in the text on screen).
    pub from: Option<usize>,
    /// The text counted (an account's own wording, or the common text).
    pub text: String,
    /// Counted on an account's own wording.
    pub own: bool,
}

/// Counters for the chosen accounts, one per network and limit.
pub fn counters(cx: &Cx, c: &Composer) -> Vec<Counter> {
    let shown = c.editor.text();
    let mut out: Vec<Counter> = Vec::new();
    for (name, p) in c.chosen(&cx.accounts) {
        let text = c.text_for(&name);
        let caps = p.capabilities();
        let own = limit_with_pictures(cx.account_limit(&name, p), p, !c.media.is_empty());
        let (count, limit, bytes) = match over_limit(&text, caps.count_rule, own) {
            Some(x) => x,
            None => (crate::text::count_for(&text, caps.count_rule), own, false),
        };
        let counter = Counter {
            platform: p,
            count,
            limit,
            bytes,
            over: count.saturating_sub(limit),
            // The mark goes into the text on screen only.
            from: (text == shown)
                .then(|| over_from(&text, caps.count_rule, own))
                .flatten(),
            own: c.all_variants().contains_key(&name),
            text,
        };
        if !out
            .iter()
            .any(|x| x.platform == p && x.limit == counter.limit && x.text == counter.text)
        {
            out.push(counter);
        }
    }
    out
}

/// A caption's limit where pictures turn the text into one (Telegram), else `limit`.
fn limit_with_pictures(limit: usize, p: Platform, pictures: bool) -> usize {
    match crate::domain::media::MediaLimits::of(p).and_then(|l| l.caption_limit) {
        Some(caption) if pictures => limit.min(caption),
        _ => limit,
    }
}

/// The counters as one line of text: `Mastodon 123/500  Bluesky 310/300 −10`.
pub fn counter_text(c: &Counter) -> String {
    let name = super::views::platform_name(c.platform);
    let key = match (c.over > 0, c.bytes) {
        (true, true) => "tui.compose.counter_over_bytes",
        (true, false) => "tui.compose.counter_over",
        _ => "tui.compose.counter",
    };
    tf(
        key,
        &[
            ("platform", &name),
            ("n", &c.count),
            ("limit", &c.limit),
            ("over", &c.over),
        ],
    )
}

/// Where the mark goes: the over part of the most restrictive network (split off: a thread
/// takes care of it).
pub fn mark_at(counters: &[Counter], split: bool) -> Option<usize> {
    if split {
        return None;
    }
    counters.iter().filter_map(|c| c.from).min()
}

/// `c`: the composer on the kept draft (or a fresh one), and the request for the accounts.
pub fn open(cx: &Cx, draft: Option<Box<Composer>>) -> (Box<Composer>, Vec<Effect>) {
    let mut c = draft.unwrap_or_default();
    // Start on an account that can take the post, not on a dimmed one.
    if !cx
        .accounts
        .get(c.cursor)
        .is_some_and(|(_, p)| p.capabilities().publish)
    {
        c.cursor = cx
            .accounts
            .iter()
            .position(|(_, p)| p.capabilities().publish)
            .unwrap_or(0);
    }
    c.focus = if c.targets.is_empty() {
        Field::Targets
    } else {
        Field::Text
    };
    let mut fx = vec![Effect::Call(Tag::Accounts, Request::Accounts)];
    fx.extend(media::to_read(&c, cx));
    (c, fx)
}

/// The composer on a scheduled post's text (from the calendar's `e`).
pub fn open_edit(cx: &Cx, post: &crate::domain::post::Post) -> Box<Composer> {
    let mut c = Composer {
        targets: post.targets.iter().map(|t| t.account.clone()).collect(),
        when: LineInput::with(
            &post
                .due_at
                .map(|d| when::show(d, &cx.cfg.zone))
                .unwrap_or_default(),
        ),
        editing: Some(Editing {
            id: post.id,
            version: post.version,
            due: post.due_at,
            note: crate::tui::approvals::post_note(post),
        }),
        ..Composer::default()
    };
    c.editor.insert(&post.text);
    Box::new(c)
}

/// The composer as it is kept when it closes: a new post's draft (with a word that it was
/// kept); None for an edit, which is simply dropped.
pub fn closed(mut c: Box<Composer>, cx: &mut Cx) -> Option<Box<Composer>> {
    if c.editing.is_some() {
        return None;
    }
    c.confirm = false;
    c.busy = false;
    if c.draft() != Draft::default() {
        cx.info(t("tui.compose.draft_kept"));
    }
    Some(c)
}

/// A key while the composer is open: the keymap's `composer` context, with `composer_targets`
/// on the account list, `input` in the text fields, and `composer_confirm` on the last look.
pub fn key(c: &mut Composer, cx: &mut Cx, input: Input) -> Out {
    let before = c.draft();
    if c.busy {
        return Out::default();
    }
    if c.confirm {
        match input {
            Input::Act(Action::Send) => return Out::fx(submit(c, cx, false)),
            Input::Act(Action::Queue) if c.editing.is_none() => {
                return Out::fx(submit(c, cx, true))
            }
            // Anything else goes back to writing.
            _ => c.confirm = false,
        }
        return Out::default();
    }
    match input {
        Input::Act(Action::Close) => return Out::cmd(Cmd::Close),
        Input::Act(Action::Newline) if c.focus == Field::Media => {
            let mut fx = media::enter(c);
            if c.draft() != before {
                fx.extend(saved(cx, c));
            }
            return Out::fx(fx);
        }
        Input::Act(Action::DeleteBack)
            if c.focus == Field::Media && c.media_line.input.text.is_empty() =>
        {
            media::drop_last(c, cx)
        }
        Input::Act(Action::NextField) if media::tab(c) => {}
        Input::Act(Action::Confirm) => {
            if let Some(why) = problem(cx, c) {
                cx.error(&why);
            } else {
                c.confirm = true;
            }
        }
        Input::Act(Action::ToggleSplit) => c.split = !c.split,
        Input::Act(Action::ToggleNative) => c.native = !c.native,
        Input::Act(Action::ExternalEditor) => {
            return Out::fx(vec![Effect::ExternalEdit(c.editor.text())]);
        }
        Input::Act(Action::NextField) => {
            c.focus = match c.focus {
                Field::Targets => Field::Text,
                Field::Text => Field::Media,
                Field::Media => Field::When,
                Field::When => Field::Targets,
            }
        }
        Input::Act(Action::PrevField) => {
            c.focus = match c.focus {
                Field::Targets => Field::When,
                Field::Text => Field::Targets,
                Field::Media => Field::Text,
                Field::When => Field::Media,
            }
        }
        other => match c.focus {
            Field::Targets => {
                if let Input::Act(a) = other {
                    targets::act(cx, c, a);
                }
            }
            Field::Text => {
                c.editor.take(other);
            }
            Field::When => {
                c.when.take(other);
            }
            Field::Media => {
                c.media_line.input.take(other);
            }
        },
    }
    Out::fx(if c.draft() != before {
        saved(cx, c)
    } else {
        Vec::new()
    })
}

/// Why the post cannot go yet, in words, or `None`.
fn problem(cx: &Cx, c: &Composer) -> Option<String> {
    if c.chosen(&cx.accounts).is_empty() {
        return Some(t("tui.compose.no_accounts_chosen"));
    }
    if c.media.is_empty()
        && c.chosen(&cx.accounts)
            .iter()
            .any(|(a, _)| c.text_for(a).trim().is_empty())
    {
        return Some(t("err.post_empty"));
    }
    if let Some(why) = media::problem(c, &c.chosen(&cx.accounts)) {
        return Some(why);
    }
    if let Err(e) = c.due(cx.now, &cx.cfg.zone) {
        return Some(tf(
            "tui.compose.bad_when",
            &[("error", &sanitize_line(&e, 200).text)],
        ));
    }
    if !c.split {
        if let Some(over) = counters(cx, c).into_iter().find(|x| x.over > 0) {
            return Some(tf(
                "tui.compose.too_long",
                &[("counter", &counter_text(&over))],
            ));
        }
    }
    None
}

/// Enter (or `q` for the queue) on the confirmation line: the request goes to the engine.
fn submit(c: &mut Composer, cx: &mut Cx, queue: bool) -> Vec<Effect> {
    let text = c.main_text();
    let variants = c.all_variants();
    let due = match c.due(cx.now, &cx.cfg.zone) {
        Ok(d) => d,
        Err(e) => {
            cx.error(&e);
            c.confirm = false;
            return Vec::new();
        }
    };
    c.busy = true;
    c.confirm = false;
    let req = match &c.editing {
        Some(e) => Request::PostEdit {
            id: e.id,
            if_version: Some(e.version),
            edit: PostEdit::Text {
                account: None,
                text,
            },
        },
        None => Request::PostCreate {
            post: NewPost {
                text,
                targets: c
                    .chosen(&cx.accounts)
                    .into_iter()
                    .map(|(account, p)| NewTarget {
                        variant: variants.get(&account).cloned(),
                        account,
                        native: c.native && p.capabilities().native_schedule,
                        split: c.split,
                    })
                    .collect(),
                due_at: (!queue).then_some(due),
                media: c.media.iter().map(|a| a.new.clone()).collect(),
            },
            queue,
        },
    };
    let pending = if c.editing.is_some() {
        Tag::PostEdit {
            done: "tui.cal.done.edit",
        }
    } else {
        Tag::PostCreate
    };
    cx.info(t("tui.compose.sending"));
    vec![Effect::Call(pending, req)]
}

/// The engine stored the post: say when it goes; the root closes the composer and forgets the
/// draft (these are the requests that remove its file).
pub fn created(cx: &mut Cx, p: &crate::domain::post::Post) -> Vec<Effect> {
    let at = match p.due_at {
        Some(d) => when::show(d, &cx.cfg.zone),
        None => t("post.no_time"),
    };
    let key = if p.summary() == crate::domain::post::Summary::AwaitingApproval {
        "approvals.tui.created_awaiting"
    } else {
        "tui.compose.created"
    };
    cx.info(tf(key, &[("id", &p.id), ("at", &at)]));
    forget(cx)
}

/// The engine refused: the composer stays open with the reason in its footer.
pub fn refused(c: Option<&mut Composer>, cx: &mut Cx, msg: &str) {
    if let Some(c) = c {
        c.busy = false;
        c.confirm = false;
    }
    cx.error(msg);
}

/// Text back from `$EDITOR` replaces the composer's (a file's final newline is dropped).
pub fn edited(c: Option<&mut Composer>, cx: &mut Cx, r: Result<String, String>) -> Vec<Effect> {
    match r {
        Ok(text) => {
            let text = text.strip_suffix('\n').unwrap_or(&text).to_string();
            let Some(c) = c else {
                return Vec::new();
            };
            c.editor = Editor::default();
            c.editor.insert(&text);
            saved(cx, c)
        }
        Err(e) => {
            cx.error(&tf("tui.compose.editor_failed", &[("error", &e)]));
            Vec::new()
        }
    }
}

/// The confirmation line: "goes out <time> on <accounts>".
pub fn confirmation(cx: &Cx, c: &Composer) -> String {
    let at = c
        .due(cx.now, &cx.cfg.zone)
        .map(|d| when::show(d, &cx.cfg.zone))
        .unwrap_or_default();
    let names: Vec<String> = c
        .chosen(&cx.accounts)
        .iter()
        .map(|(n, _)| sanitize_line(n, 40).text)
        .collect();
    let key = if c.editing.is_some() {
        "tui.compose.confirm_edit"
    } else {
        "tui.compose.confirm"
    };
    tf(key, &[("at", &at), ("accounts", &names.join(", "))])
}

/// Runs `$VISUAL` / `$EDITOR` (default `vi`) on the text in a file under `dir`; blocks until
/// the editor exits. The caller has handed over the terminal.
pub fn run_external_editor(text: &str, dir: &Path) -> Result<String, String> {
    let cmd = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| std::env::var("EDITOR").ok())
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let path = dir.join(format!("post-{}.txt", std::process::id()));
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    let mut parts = cmd.split_whitespace();
    let prog = parts.next().unwrap_or("vi");
    let status = std::process::Command::new(prog)
        .args(parts)
        .arg(&path)
        .status()
        .map_err(|e| format!("{prog}: {e}"));
    let out = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path).map_err(|e| e.to_string()),
        Ok(s) => Err(format!("{prog}: {s}")),
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_file(&path);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_part_starts_where_the_limit_ends() {
        let s = "你好👍🏽мир";
        assert_eq!(over_from(s, CountRule::Graphemes, 10), None);
        assert_eq!(over_from(s, CountRule::Graphemes, 3), Some("你好👍🏽".len()));
        assert_eq!(over_from(s, CountRule::Utf16, 3), Some("你好".len()));
        assert_eq!(over_from("abc", CountRule::Chars, 0), Some(0));
    }
}
