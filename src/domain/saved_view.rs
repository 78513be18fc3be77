//! Saved views: a named pattern shown in the sidebar with its live count — shared ones kept in
//! the store for the whole team, personal ones from the operator's config.

use super::pattern::{Node, Pattern, Rating, Term, Who};
use super::query::{Assignee, Filter};
use super::Timestamp;
#[cfg(test)]
use super::{Kind, Status};
use serde::{Deserialize, Serialize};

/// Longest view name, in characters (the sidebar is narrow).
pub const MAX_NAME_CHARS: usize = 40;

/// Counting a view's matches stops here: the sidebar shows "1000+", so a 1M-item store answers
/// as fast as a small one.
pub const COUNT_CAP: u64 = 1000;

/// A view shared by the team, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    /// As the operator wrote it (names compare in any letter case).
    pub name: String,
    /// The pattern text as written (README: Patterns).
    pub pattern: String,
    /// Order in the sidebar, lowest first (gaps are fine: only the order counts).
    pub position: u64,
    pub saved_by: String,
    pub at: Timestamp,
}

/// A view with its live count, as the sidebar and `kith view list` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewRow {
    pub name: String,
    pub pattern: String,
    /// Stored for the team (false: the operator's own, from config).
    pub shared: bool,
    pub count: u64,
    /// Counting stopped at [`COUNT_CAP`] (or at the scan budget): there are more.
    pub more: bool,
    /// Who saved it and when (shared views only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
}

impl ViewRow {
    /// The count as shown: `1000+` once counting stopped.
    pub fn count_text(&self) -> String {
        if self.more {
            format!("{}+", self.count)
        } else {
            self.count.to_string()
        }
    }
}

/// Which way a view moves in the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Move {
    Up,
    Down,
}

impl Move {
    pub fn parse(s: &str) -> Option<Move> {
        match s.trim().to_ascii_lowercase().as_str() {
            "up" => Some(Move::Up),
            "down" => Some(Move::Down),
            _ => None,
        }
    }
}

/// A view's identity: its Unicode lower case, trimmed (`Delivery` and `delivery` are one view).
pub fn fold(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Whether a name can name a view: not blank, no control characters, at most
/// [`MAX_NAME_CHARS`].
pub fn valid_name(name: &str) -> bool {
    let name = name.trim();
    !name.is_empty()
        && !name.chars().any(char::is_control)
        && name.chars().count() <= MAX_NAME_CHARS
}

/// Why a list cannot be saved as a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsavable {
    /// The list narrows nothing: there is no pattern to keep.
    Nothing,
    /// It holds a condition the language has no words for (a search's text, dates, a member's
    /// accounts).
    NotAPattern,
}

/// A list's filter written as a pattern (what `:save` keeps when the view is not a pattern
/// already): every condition ANDed, assigned-to-this-operator as `~o me` so a shared view means
/// the same for whoever opens it.
pub fn filter_pattern(f: &Filter) -> Result<String, Unsavable> {
    if f.text.is_some() || f.since.is_some() || f.until.is_some() || !f.members.is_empty() {
        return Err(Unsavable::NotAPattern);
    }
    let mut parts: Vec<Node> = Vec::new();
    let mut term = |t: Term| parts.push(Node::Term(t));
    if !f.statuses.is_empty() {
        term(Term::Status(f.statuses.clone()));
    }
    if let Some(p) = f.platform {
        term(Term::Platform(vec![p]));
    }
    if let Some(a) = &f.account {
        term(Term::Account(vec![a.clone()]));
    }
    if let Some(k) = f.kind {
        term(Term::Kind(vec![k]));
    }
    if let Some((lo, hi)) = f.rating {
        term(Term::Rating(vec![Rating::Range(lo, hi)]));
    }
    if let Some(l) = &f.lang {
        term(Term::Lang(vec![l.clone()]));
    }
    if let Some(t) = &f.tag {
        term(Term::Tag(vec![t.clone()]));
    }
    if let Some(a) = &f.author {
        term(Term::Author(vec![a.clone()]));
    }
    let who = |w: Who| Node::Term(Term::Assignee(vec![w]));
    match &f.assignee {
        None => {}
        Some(Assignee::Nobody) => parts.push(who(Who::Nobody)),
        Some(Assignee::Is(_)) => parts.push(who(Who::Me)),
        Some(Assignee::Others(_)) => {
            parts.push(Node::Not(Box::new(who(Who::Nobody))));
            parts.push(Node::Not(Box::new(who(Who::Me))));
        }
    }
    if let Some(src) = f.pattern.as_deref().filter(|s| !s.trim().is_empty()) {
        let p = Pattern::parse(src).map_err(|_| Unsavable::NotAPattern)?;
        // An `|` inside an and is printed in parentheses, so it stays inside.
        parts.push(p.root);
    }
    let root = match parts.len() {
        0 => return Err(Unsavable::Nothing),
        1 => parts.remove(0),
        _ => Node::And(parts),
    };
    Ok(Pattern { root }.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_patterns_that_read_back() {
        let f = Filter {
            statuses: vec![Status::New, Status::Open],
            assignee: Some(Assignee::Others("anna".into())),
            ..Filter::default()
        };
        assert_eq!(
            filter_pattern(&f).as_deref(),
            Ok("~s new|open !~o none !~o me")
        );
        let f = Filter {
            kind: Some(Kind::Review),
            account: Some("my shop".into()),
            pattern: Some("~p vk | доставка".into()),
            ..Filter::default()
        };
        let p = filter_pattern(&f).expect("ok");
        assert_eq!(p, "~A \"my shop\" ~k review (~p vk | доставка)");
        assert!(Pattern::parse(&p).is_ok());
        assert_eq!(filter_pattern(&Filter::default()), Err(Unsavable::Nothing));
        let searched = Filter {
            text: Some("где".into()),
            ..Filter::default()
        };
        assert_eq!(filter_pattern(&searched), Err(Unsavable::NotAPattern));
    }

    #[test]
    fn names_fold_and_counts_show_their_cap() {
        assert_eq!(fold("  Доставка "), "доставка");
        assert!(valid_name("delivery questions"));
        assert!(!valid_name("  "));
        assert!(!valid_name("a\u{1b}b"));
        assert!(!valid_name(&"x".repeat(41)));
        let mut r = ViewRow {
            name: "x".into(),
            pattern: "~s new".into(),
            shared: true,
            count: 1000,
            more: true,
            saved_by: None,
            at: None,
        };
        assert_eq!(r.count_text(), "1000+");
        r.more = false;
        r.count = 7;
        assert_eq!(r.count_text(), "7");
        assert_eq!(Move::parse(" Down"), Some(Move::Down));
        assert_eq!(Move::parse("left"), None);
    }
}
