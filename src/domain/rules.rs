//! Inbox rules (`rules.toml`): in order, each rule whose pattern matches an arriving item tags,
//! assigns, files (spam, hidden, snoozed), marks it a priority or prepares a saved reply for a
//! person to send. Rules never send, never delete, never act on a platform, and never bury a
//! review with a star rating unless the rule says `reviews = true`: negative reviews are
//! answered, not hidden. No I/O: the file's text comes from the caller.

use super::pattern::{Pattern, PatternCtx};
use super::{Item, Kind, Status};
use crate::i18n::{ph, Phrase};
use serde::Deserialize;

/// What a rule does to an item, in the file's words (`tag:delivery`, `snooze:2h`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Tag(String),
    Assign(String),
    Spam,
    Hide,
    /// Snoozed this long after it arrived (ms).
    Snooze(i64),
    Priority,
    /// A saved reply (by name) prepared for a person to send.
    Draft(String),
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Action::Tag(t) => write!(f, "tag:{t}"),
            Action::Assign(o) => write!(f, "assign:{o}"),
            Action::Spam => f.write_str("spam"),
            Action::Hide => f.write_str("hide"),
            Action::Snooze(ms) => write!(f, "snooze:{}", span(*ms)),
            Action::Priority => f.write_str("priority"),
            Action::Draft(r) => write!(f, "draft:{r}"),
        }
    }
}

/// `90m`, `2h`, `3d` back from milliseconds (the largest whole unit).
fn span(ms: i64) -> String {
    const UNITS: [(i64, char); 4] = [
        (86_400_000, 'd'),
        (3_600_000, 'h'),
        (60_000, 'm'),
        (1000, 's'),
    ];
    UNITS
        .iter()
        .find(|(u, _)| ms % u == 0)
        .map(|(u, c)| format!("{}{c}", ms / u))
        .unwrap_or_else(|| format!("{}s", ms / 1000))
}

/// Reads one action as written in `then = [...]`.
pub fn parse_action(s: &str) -> Result<Action, Phrase> {
    let s = s.trim();
    let (verb, arg) = match s.split_once(':') {
        Some((v, a)) => (v.trim(), Some(a.trim())),
        None => (s, None),
    };
    let need = |a: Option<&str>| -> Result<String, Phrase> {
        match a {
            Some(a) if !a.is_empty() => Ok(a.to_string()),
            _ => Err(ph("rules.err.needs_value", &[("action", &verb)])),
        }
    };
    Ok(match verb {
        // Printable names only, as everywhere else a tag or an operator is typed.
        "tag" | "assign" if arg.is_some_and(|a| a.chars().any(char::is_control)) => {
            return Err(ph("rules.err.not_printable", &[("action", &verb)]))
        }
        "tag" => Action::Tag(need(arg)?),
        "assign" => Action::Assign(need(arg)?),
        // Which saved reply: the engine checks the name against `replies.toml`.
        "draft" => Action::Draft(need(arg)?),
        "snooze" => {
            let v = need(arg)?;
            Action::Snooze(
                duration(&v).ok_or_else(|| ph("rules.err.bad_snooze", &[("value", &v)]))?,
            )
        }
        "spam" | "hide" | "priority" if arg.is_some() => {
            return Err(ph("rules.err.no_value", &[("action", &verb)]))
        }
        "spam" => Action::Spam,
        "hide" => Action::Hide,
        "priority" => Action::Priority,
        _ => {
            let shown: String = s.chars().take(40).collect();
            return Err(ph(
                "rules.err.unknown_action",
                &[("action", &format!("{shown:?}"))],
            ));
        }
    })
}

/// `30m`, `2h`, `3d`, `1w` as milliseconds (at most a year).
fn duration(v: &str) -> Option<i64> {
    let (n, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = n.parse().ok()?;
    let ms = match unit {
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => return None,
    };
    let total = n.checked_mul(ms)?;
    (n > 0 && total <= 366 * 86_400_000).then_some(total)
}

/// One rule as read from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    pub when: Pattern,
    /// The pattern as written (shown back, and sent to `kith rules test`).
    pub when_text: String,
    pub then: Vec<Action>,
    /// Where each of `then` is written in the file (line, column), for errors found later (a
    /// draft naming no saved reply).
    pub places: Vec<(usize, usize)>,
    /// No later rule runs on an item this one touched.
    pub stop: bool,
    /// May mark spam or hide a review with a star rating.
    pub reviews: bool,
    /// Where it starts in the file (1-based).
    pub line: usize,
}

/// The rules of a file, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    pub rules: Vec<Rule>,
}

/// A problem in a rules file: where (line, and column inside the pattern when it is one) and
/// what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    pub line: usize,
    /// Column in the line, when known (a pattern's mistake).
    pub col: Option<usize>,
    pub phrase: Phrase,
}

impl std::fmt::Display for RulesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.col {
            Some(c) => write!(f, "{}:{c}: {}", self.line, self.phrase),
            None => write!(f, "{}: {}", self.line, self.phrase),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    rule: Vec<toml::Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: toml::Spanned<String>,
    when: toml::Spanned<String>,
    then: toml::Spanned<Vec<toml::Spanned<String>>>,
    #[serde(default)]
    stop: bool,
    #[serde(default)]
    reviews: bool,
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Reads a rules file. Every problem is reported (not only the first), each with its place.
pub fn parse(text: &str) -> Result<Rules, Vec<RulesError>> {
    let file: File = toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        vec![RulesError {
            line,
            col: Some(col),
            phrase: ph("rules.err.toml", &[("error", &e.message())]),
        }]
    })?;
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    let mut names = std::collections::HashSet::new();
    for spanned in file.rule {
        let start = spanned.span().start;
        let raw = spanned.into_inner();
        let (line, _) = line_col(text, start);
        let name = raw.name.get_ref().trim().to_string();
        if name.is_empty() || !names.insert(name.to_lowercase()) {
            let (l, c) = line_col(text, raw.name.span().start);
            let key = if name.is_empty() {
                "rules.err.no_name"
            } else {
                "rules.err.same_name"
            };
            errors.push(RulesError {
                line: l,
                col: Some(c),
                phrase: ph(key, &[("name", &name)]),
            });
        }
        let when_text = raw.when.get_ref().clone();
        let when = match Pattern::parse(&when_text) {
            Ok(p) => Some(p),
            Err(e) => {
                // The pattern starts after the opening quote of the string.
                let (l, c) = line_col(text, raw.when.span().start);
                errors.push(RulesError {
                    line: l,
                    col: Some(c + 1 + e.at),
                    phrase: ph("rules.err.pattern", &[("name", &name)]).with("error", e.phrase),
                });
                None
            }
        };
        let mut then = Vec::new();
        let mut places = Vec::new();
        for a in raw.then.get_ref() {
            match parse_action(a.get_ref()) {
                Ok(x) => {
                    then.push(x);
                    places.push(line_col(text, a.span().start));
                }
                Err(p) => {
                    let (l, c) = line_col(text, a.span().start);
                    errors.push(RulesError {
                        line: l,
                        col: Some(c),
                        phrase: p,
                    });
                }
            }
        }
        if raw.then.get_ref().is_empty() {
            let (l, c) = line_col(text, raw.then.span().start);
            errors.push(RulesError {
                line: l,
                col: Some(c),
                phrase: ph("rules.err.no_actions", &[("name", &name)]),
            });
        }
        if let Some(when) = when {
            rules.push(Rule {
                name,
                when,
                when_text,
                then,
                places,
                stop: raw.stop,
                reviews: raw.reviews,
                line,
            });
        }
    }
    if errors.is_empty() {
        Ok(Rules { rules })
    } else {
        Err(errors)
    }
}

/// What the rules did to one item: each rule that touched it, with what it did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    /// (rule name, actions done) in order.
    pub rules: Vec<(String, Vec<String>)>,
    /// The saved reply (by name) to prepare as a draft for a person to send.
    pub draft: Option<String>,
}

impl Touched {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

impl Rules {
    /// Runs the rules on `item`, in order, changing it in place; says which touched it. The
    /// item's `rules` field names them.
    pub fn apply(&self, item: &mut Item, ctx: &PatternCtx) -> Touched {
        let mut out = Touched::default();
        for r in &self.rules {
            if !r.when.matches(item, ctx) {
                continue;
            }
            let mut done = Vec::new();
            for a in &r.then {
                let did = match a {
                    // One draft per item: the first rule's. The store writes it.
                    Action::Draft(name) if out.draft.is_none() => {
                        out.draft = Some(name.clone());
                        true
                    }
                    Action::Draft(_) => false,
                    _ => do_action(item, a, r.reviews, ctx),
                };
                if did {
                    done.push(a.to_string());
                }
            }
            if !item.rules.contains(&r.name) {
                item.rules.push(r.name.clone());
            }
            out.rules.push((r.name.clone(), done));
            if r.stop {
                break;
            }
        }
        out
    }
}

/// A review with stars is not buried by a rule unless the rule allows it.
fn protected(item: &Item, reviews: bool) -> bool {
    item.kind == Kind::Review && item.rating.is_some() && !reviews
}

/// Does one action; false when it changed nothing (already so, or not allowed).
fn do_action(item: &mut Item, a: &Action, reviews: bool, ctx: &PatternCtx) -> bool {
    match a {
        Action::Tag(t) => {
            if item.tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                return false;
            }
            item.tags.push(t.clone());
        }
        Action::Assign(o) => {
            if item.assignee.as_deref() == Some(o.as_str()) {
                return false;
            }
            item.assignee = Some(o.clone());
        }
        Action::Spam | Action::Hide => {
            let to = if *a == Action::Spam {
                Status::Spam
            } else {
                Status::Hidden
            };
            if protected(item, reviews) || item.status == to {
                return false;
            }
            item.status = to;
            item.snoozed_until = None;
        }
        Action::Snooze(ms) => {
            if matches!(item.status, Status::Spam | Status::Hidden | Status::Done) {
                return false;
            }
            item.status = Status::Snoozed;
            item.snoozed_until = Some(super::Timestamp(ctx.now.0.saturating_add(*ms)));
        }
        Action::Priority => {
            if item.priority > 0 {
                return false;
            }
            item.priority = 1;
        }
        // Drafts are the store's to write (`Touched::draft`).
        Action::Draft(_) => return false,
    }
    true
}

#[cfg(test)]
mod tests;
