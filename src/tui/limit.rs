//! Patterns in the inbox (README: Patterns): the limit prompt (`l`, mutt's word) that narrows
//! whatever the list shows, and searches (`/`) written as patterns. A pattern that does not
//! read keeps its prompt open, the mistake shown under it.

use super::app::{App, Prompt};
use super::msg::Effect;
use super::nav::reload_list;
use crate::domain::pattern::{Pattern, PatternCtx, Term};
use crate::domain::Item;

/// Whether a search is written in the pattern language rather than as plain words: a word
/// starting with `~` or `!`, or any of `|`, `(`, `)`, `"`.
pub fn looks_like_pattern(s: &str) -> bool {
    s.contains(['|', '(', ')', '"']) || s.split_whitespace().any(|w| w.starts_with(['~', '!']))
}

/// The search as a pattern, when it is written as one and reads.
pub fn search_pattern(search: &str) -> Option<String> {
    let s = search.trim();
    (looks_like_pattern(s) && Pattern::parse(s).is_ok()).then(|| s.to_string())
}

/// The limit and a search pattern together (both must match).
pub fn both(limit: &str, search: Option<String>) -> Option<String> {
    let limit = limit.trim();
    match (limit.is_empty(), search) {
        (true, s) => s,
        (false, None) => Some(limit.to_string()),
        (false, Some(s)) => Some(format!("({limit}) ({s})")),
    }
}

/// Enter in the limit or search prompt.
pub fn submit(app: &mut App, kind: Prompt) -> Vec<Effect> {
    let text = app
        .prompt
        .as_ref()
        .map(|(_, i)| i.text.clone())
        .unwrap_or_default();
    let typed = text.trim();
    let wants_pattern = kind == Prompt::Limit || looks_like_pattern(typed);
    if wants_pattern && !typed.is_empty() {
        if let Err(e) = Pattern::parse(typed) {
            app.pattern_error = Some(e);
            return Vec::new();
        }
    }
    app.prompt = None;
    app.pattern_error = None;
    if kind == Prompt::Limit && typed != app.limit {
        app.limit = typed.to_string();
        return reload_list(app, None, false);
    }
    Vec::new()
}

/// The text of the limit or search prompt changed.
pub fn typed(app: &mut App, kind: Prompt) -> Vec<Effect> {
    let Some(text) = app.prompt.as_ref().map(|(_, i)| i.text.clone()) else {
        return Vec::new();
    };
    app.pattern_error = None;
    if kind != Prompt::Search {
        return Vec::new();
    }
    // Live search: every change that reads asks again; only the newest answer is kept. A
    // pattern half typed (`~p v`) keeps the last list and says what is missing.
    if looks_like_pattern(text.trim()) {
        if let Err(e) = Pattern::parse(text.trim()) {
            app.pattern_error = Some(e);
            return Vec::new();
        }
    }
    app.search = text;
    reload_list(app, None, false)
}

/// Whether a fresh copy of an item still matches the list's pattern. Conditions only the
/// engine can decide (`~m`, `~a`: who the top members are, which accounts are linked) keep
/// the row; the next reload settles it.
pub fn pattern_keeps(app: &App, item: &Item) -> bool {
    let Some(src) = app.filter().pattern else {
        return true;
    };
    let Ok(p) = Pattern::parse(&src) else {
        return true;
    };
    if p.terms()
        .iter()
        .any(|t| matches!(t, Term::Member | Term::Author(_)))
    {
        return true;
    }
    let mut ctx = PatternCtx::at(app.now, app.targets);
    ctx.me = Some(app.cfg.operator.clone());
    p.matches(item, &ctx)
}
