//! The item list: a window of rows fetched page by page around the selection. Never loads the
//! whole store; the edges ask for more in the background and stale pages are dropped.

use super::msg::PageDir;
use crate::domain::{Item, ItemId};
use crate::engine::api::{Filter, ListQuery, Page};

#[derive(Debug, Clone, Default)]
pub struct ListState {
    pub rows: Vec<Item>,
    pub selected: usize,
    /// First row shown.
    pub offset: usize,
    /// Generation of the query the rows belong to; older pages are dropped.
    pub gen: u64,
    pub more_below: bool,
    pub cursor_below: Option<ItemId>,
    pub more_above: bool,
    pub cursor_above: Option<ItemId>,
    pub loading_below: bool,
    pub loading_above: bool,
    pub loading_reset: bool,
    /// A first page has arrived for the current generation.
    pub loaded: bool,
}

impl ListState {
    pub fn current(&self) -> Option<&Item> {
        self.rows.get(self.selected)
    }

    pub fn selected_id(&self) -> Option<ItemId> {
        self.current().map(|i| i.id)
    }

    /// Starts a new generation; the returned query replaces the window when it comes back.
    pub fn reset(&mut self, filter: Filter, limit: usize, bottom: bool) -> (u64, ListQuery) {
        self.gen += 1;
        self.loading_reset = true;
        self.loading_above = false;
        self.loading_below = false;
        let before = bottom.then_some(ItemId(0));
        (
            self.gen,
            ListQuery {
                filter,
                after: None,
                before,
                limit,
            },
        )
    }

    /// Stores a page for `dir`. Returns false when it was stale.
    pub fn apply(&mut self, gen: u64, dir: PageDir, page: Page, cap: usize) -> bool {
        if gen != self.gen {
            return false;
        }
        let page_items: Vec<Item> = page.items.into_iter().filter(|i| !i.is_ours()).collect();
        match dir {
            PageDir::Reset { keep, last } => {
                self.loading_reset = false;
                self.loaded = true;
                self.rows = page_items;
                if last {
                    // The oldest page: nothing below, newer items above.
                    self.more_below = false;
                    self.cursor_below = None;
                    self.more_above = page.more;
                    self.cursor_above = page.cursor;
                    self.selected = self.rows.len().saturating_sub(1);
                } else {
                    self.more_below = page.more;
                    self.cursor_below = page.cursor;
                    self.more_above = false;
                    self.cursor_above = None;
                    self.selected = keep
                        .and_then(|id| self.rows.iter().position(|r| r.id == id))
                        .unwrap_or(0);
                }
                self.offset = self.offset.min(self.selected);
            }
            PageDir::Below => {
                self.loading_below = false;
                self.more_below = page.more;
                self.cursor_below = page.cursor.or(self.cursor_below);
                let known: std::collections::HashSet<ItemId> =
                    self.rows.iter().map(|r| r.id).collect();
                self.rows
                    .extend(page_items.into_iter().filter(|i| !known.contains(&i.id)));
                self.trim_top(cap);
            }
            PageDir::Above => {
                self.loading_above = false;
                self.more_above = page.more;
                self.cursor_above = page.cursor.or(self.cursor_above);
                let known: std::collections::HashSet<ItemId> =
                    self.rows.iter().map(|r| r.id).collect();
                let fresh: Vec<Item> = page_items
                    .into_iter()
                    .filter(|i| !known.contains(&i.id))
                    .collect();
                let n = fresh.len();
                self.rows.splice(0..0, fresh);
                self.selected += n;
                self.offset += n;
                self.trim_bottom(cap);
            }
        }
        true
    }

    /// Drops rows far above the selection when the window grew past `cap`.
    fn trim_top(&mut self, cap: usize) {
        if self.rows.len() <= cap {
            return;
        }
        let k = (self.rows.len() - cap).min(self.selected.saturating_sub(cap / 4));
        if k == 0 {
            return;
        }
        self.rows.drain(..k);
        self.selected -= k;
        self.offset = self.offset.saturating_sub(k);
        self.more_above = true;
        self.cursor_above = self.rows.first().map(|r| r.id);
    }

    /// Drops rows far below the selection when the window grew past `cap`.
    fn trim_bottom(&mut self, cap: usize) {
        if self.rows.len() <= cap {
            return;
        }
        let keep = cap.max(self.selected + cap / 4 + 1);
        if keep >= self.rows.len() {
            return;
        }
        self.rows.truncate(keep);
        self.more_below = true;
        self.cursor_below = self.rows.last().map(|r| r.id);
    }

    /// Page requests needed now that the selection moved near an edge of the window.
    pub fn wants(&mut self, filter: &Filter, page: usize) -> Vec<(PageDir, ListQuery)> {
        let mut out = Vec::new();
        if self.loading_reset || !self.loaded {
            return out;
        }
        let margin = (page / 4).max(10);
        if self.more_below && !self.loading_below && self.selected + margin >= self.rows.len() {
            self.loading_below = true;
            let after = self.cursor_below.or(self.rows.last().map(|r| r.id));
            out.push((
                PageDir::Below,
                ListQuery {
                    filter: filter.clone(),
                    after,
                    before: None,
                    limit: page,
                },
            ));
        }
        if self.more_above && !self.loading_above && self.selected < margin {
            self.loading_above = true;
            let before = self.cursor_above.or(self.rows.first().map(|r| r.id));
            out.push((
                PageDir::Above,
                ListQuery {
                    filter: filter.clone(),
                    after: None,
                    before,
                    limit: page,
                },
            ));
        }
        out
    }

    /// Moves the selection by `delta` rows, clamped to the window.
    pub fn move_by(&mut self, delta: isize) {
        if self.rows.is_empty() {
            self.selected = 0;
            return;
        }
        let max = self.rows.len() - 1;
        self.selected = (self.selected as isize + delta).clamp(0, max as isize) as usize;
    }

    /// Keeps the selection within `height` visible rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(1));
    }

    /// Replaces a row with a fresh copy, or removes it when it no longer belongs to the view.
    /// Returns true when the window changed.
    pub fn refresh_row(&mut self, item: &Item, belongs: bool) -> bool {
        match self.rows.iter().position(|r| r.id == item.id) {
            Some(i) if belongs => {
                self.rows[i] = item.clone();
                true
            }
            Some(i) => {
                self.rows.remove(i);
                if self.selected > i || self.selected >= self.rows.len() {
                    self.selected = self
                        .selected
                        .saturating_sub(1)
                        .min(self.rows.len().saturating_sub(1));
                }
                true
            }
            None if belongs => self.insert_sorted(item),
            None => false,
        }
    }

    /// Puts an item back in id order when it falls inside the loaded window.
    fn insert_sorted(&mut self, item: &Item) -> bool {
        let inside_top = !self.more_above || self.rows.first().is_some_and(|f| item.id < f.id);
        let inside_bottom = !self.more_below || self.rows.last().is_some_and(|l| item.id > l.id);
        if !(inside_top && inside_bottom) || item.is_ours() {
            return false;
        }
        let at = self
            .rows
            .iter()
            .position(|r| r.id < item.id)
            .unwrap_or(self.rows.len());
        self.rows.insert(at, item.clone());
        if at <= self.selected && self.rows.len() > 1 {
            self.selected += 1;
        }
        true
    }
}
