//! Saved views: a named pattern shown in the sidebar with its live count — shared ones kept in
//! the store for the whole team, personal ones from the operator's config.

use super::Timestamp;
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

#[cfg(test)]
mod tests {
    use super::*;

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
