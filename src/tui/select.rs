//! The selection on the main screen: items picked one by one (`Space`/`v`, a range with `V`),
//! each with the version it had when picked, or everything the view matches (`*`, rows not
//! loaded included: the engine reads the filter); and `;`, which hands the next action key to
//! the selection.

use super::app::App;
use super::msg::{Effect, Tag};
use crate::config::keymap::Action;
use crate::domain::bulk::{BulkAction, BulkRequest, BulkTarget};
use crate::domain::{Change, ItemId, Status};
use crate::engine::api::{Filter, Request};
use crate::i18n::{t, tf};

/// Everything the view matched when `*` was pressed.
#[derive(Debug, Clone, PartialEq)]
pub struct AllInView {
    pub filter: Filter,
    /// How many items it matches, once the engine has counted.
    pub count: Option<u64>,
    /// Which count request is current (an older answer is dropped).
    pub gen: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// Items picked one by one, in the order picked, each with the version then.
    pub items: Vec<(ItemId, u64)>,
    pub all: Option<AllInView>,
    /// The row last toggled: where a `V` range starts.
    pub anchor: Option<ItemId>,
    /// `;` was pressed: the next action is for the selection.
    pub armed: bool,
    /// A bulk this front end started is running: its catalog verb, for progress lines.
    pub running: Option<String>,
    gen: u64,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.all.is_none()
    }

    pub fn contains(&self, id: ItemId) -> bool {
        self.all.is_some() || self.items.iter().any(|(i, _)| *i == id)
    }

    /// How many items are selected (None: everything in view, not counted yet).
    pub fn count(&self) -> Option<u64> {
        match &self.all {
            Some(a) => a.count,
            None => Some(self.items.len() as u64),
        }
    }

    pub fn clear(&mut self) {
        self.items.clear();
        self.all = None;
        self.anchor = None;
        self.armed = false;
    }

    /// What a bulk over the selection acts on.
    pub fn target(&self) -> BulkTarget {
        match &self.all {
            Some(a) => BulkTarget::Filter(Box::new(a.filter.clone())),
            None => BulkTarget::Items(self.items.clone()),
        }
    }
}

/// Whether an action can follow `;` (the same keys as for one item).
pub fn for_selection(a: Action) -> bool {
    use Action::*;
    matches!(
        a,
        Done | Reopen
            | Tag
            | Spam
            | Hide
            | Snooze
            | Assign
            | Claim
            | Like
            | Reply
            | RetryReply
            | Help
    )
}

/// `Space`/`v`: the row under the cursor in or out of the selection.
pub fn toggle(app: &mut App) -> Vec<Effect> {
    let Some(item) = app.list.current() else {
        app.info(t("tui.msg.no_selection"));
        return Vec::new();
    };
    let (id, version) = (item.id, item.version);
    let sel = &mut app.selection;
    // Picking rows one by one starts over from "everything in view".
    sel.all = None;
    match sel.items.iter().position(|(i, _)| *i == id) {
        Some(p) => {
            sel.items.remove(p);
        }
        None => sel.items.push((id, version)),
    }
    sel.anchor = Some(id);
    app.list.move_by(1);
    super::nav::after_move(app)
}

/// This front end's own change came back: a picked item is held to its new version (only
/// changes made elsewhere make a bulk skip it).
pub fn saw_own(app: &mut App, item: &crate::domain::Item) {
    if let Some(slot) = app.selection.items.iter_mut().find(|(i, _)| *i == item.id) {
        slot.1 = item.version;
    }
}

/// `V`: every row from the last toggled one to the cursor is selected.
pub fn range(app: &mut App) -> Vec<Effect> {
    let cur = app.list.selected;
    if app.list.rows.is_empty() {
        app.info(t("tui.msg.no_selection"));
        return Vec::new();
    }
    let from = app
        .selection
        .anchor
        .and_then(|a| app.list.rows.iter().position(|r| r.id == a))
        .unwrap_or(cur);
    let (lo, hi) = (from.min(cur), from.max(cur));
    let sel = &mut app.selection;
    sel.all = None;
    for r in &app.list.rows[lo..=hi] {
        if !sel.items.iter().any(|(i, _)| *i == r.id) {
            sel.items.push((r.id, r.version));
        }
    }
    sel.anchor = app.list.rows.get(cur).map(|r| r.id);
    Vec::new()
}

/// `*`: everything the view matches (pressed again: nothing). The engine counts it.
pub fn all(app: &mut App) -> Vec<Effect> {
    if app.selection.all.is_some() {
        app.selection.clear();
        app.info(t("bulk.tui.cleared"));
        return Vec::new();
    }
    let filter = app.filter();
    let sel = &mut app.selection;
    sel.items.clear();
    sel.gen += 1;
    let gen = sel.gen;
    sel.all = Some(AllInView {
        filter: filter.clone(),
        count: None,
        gen,
    });
    // A dry run counts what matches; the action is one every item can take.
    let count = BulkRequest {
        target: BulkTarget::Filter(Box::new(filter)),
        action: BulkAction::Change(Change::status(Status::Open)),
        dry_run: true,
        list: 0,
    };
    vec![Effect::Call(Tag::BulkCount { gen }, Request::Bulk(count))]
}

/// The engine counted everything in view.
pub fn counted(app: &mut App, gen: u64, matched: u64) {
    if let Some(a) = app.selection.all.as_mut().filter(|a| a.gen == gen) {
        a.count = Some(matched);
    }
}

/// `;`: the next action key acts on the selection.
pub fn arm(app: &mut App) -> Vec<Effect> {
    if app.selection.is_empty() {
        app.info(t("bulk.tui.nothing_selected"));
        return Vec::new();
    }
    app.selection.armed = true;
    let what = summary(&app.selection);
    app.info(tf("bulk.tui.armed", &[("what", &what)]));
    Vec::new()
}

/// Esc with a selection: clears it (or, right after `;`, only takes `;` back).
pub fn escape(app: &mut App) -> bool {
    if app.selection.armed {
        app.selection.armed = false;
        app.info(t("bulk.tui.disarmed"));
        return true;
    }
    if app.selection.is_empty() {
        return false;
    }
    app.selection.clear();
    app.info(t("bulk.tui.cleared"));
    true
}

/// "3 selected", "all 1,234 in view", "all in view (counting…)".
pub fn summary(sel: &Selection) -> String {
    match (&sel.all, sel.count()) {
        (Some(_), Some(n)) => tf("bulk.tui.all_in_view", &[("count", &thousands(n))]),
        (Some(_), None) => t("bulk.tui.all_counting"),
        (None, n) => tf(
            "bulk.tui.selected",
            &[("count", &thousands(n.unwrap_or(0)))],
        ),
    }
}

/// 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
