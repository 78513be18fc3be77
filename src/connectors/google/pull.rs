//! Google reviews paging: each location's reviews by `updateTime desc`, one page per `fetch`,
//! location after location; an edited review comes back as an edit, our existing answer as
//! ours. Also the whole thread of one review.

use super::cursor::{fingerprint, Cursor};
use super::parse::{list, valid_name, Parsed};
use super::Google;
use crate::connectors::{ConnectorError, FetchPage, Malformed, Result};
use crate::domain::{Item, NewItem};
use std::collections::HashSet;

/// Reviews per page: the API's maximum.
const PAGE: &str = "50";
/// A location's pass stops after this many pages, whatever the window says.
const MAX_PAGES: u32 = 100;

impl Google {
    pub(super) async fn fetch_page(&self, cursor: Option<&str>) -> Result<FetchPage> {
        let locations = &self.cfg.locations;
        let Some(first) = locations.first() else {
            return Err(ConnectorError::Refused(
                "google: the account names no location (kith account add google … --location-id)"
                    .into(),
            ));
        };
        let mut cur = Cursor::parse(cursor, locations.len());
        let loc = locations.get(cur.loc).unwrap_or(first).clone();
        let mut q = vec![
            ("pageSize", PAGE.to_string()),
            ("orderBy", "updateTime desc".to_string()),
        ];
        if let Some(t) = &cur.page {
            q.push(("pageToken", t.clone()));
        }
        let resp = self.get(&self.reviews_path(&loc), &q).await?;
        let l = list(&resp.body)?;
        let floor = cur.floor(&loc);
        let mark = cur.mark(&loc);
        let mut page = FetchPage::default();
        // A page wholly behind the window ends an incremental pass.
        let mut behind = floor.is_some() && !l.reviews.is_empty();
        for raw in &l.reviews {
            let p = match self.parse_review(raw) {
                Ok(p) => p,
                Err(reason) => {
                    page.malformed.push(Malformed {
                        reason,
                        raw: raw.clone(),
                    });
                    continue;
                }
            };
            cur.saw(p.updated.0);
            if floor.is_none_or(|f| p.updated.0 >= f) {
                behind = false;
            }
            self.place(p, mark, &mut cur, &mut page);
        }
        let mut seen = HashSet::new();
        page.items.retain(|i| seen.insert(i.native_id.clone()));
        cur.pages += 1;
        let next = l
            .next
            .filter(|t| !cur.tokens.contains(t) && cur.page.as_ref() != Some(t));
        let done = match next {
            Some(t) if !behind && cur.pages < MAX_PAGES => {
                if let Some(old) = cur.page.take() {
                    cur.tokens.push(old);
                }
                cur.page = Some(t);
                false
            }
            _ => cur.end_location(&loc, locations.len()),
        };
        page.cursor = Some(cur.encode());
        page.more = !done;
        Ok(page)
    }

    /// A review's items onto the page. The first time kith sees a review it keeps it as it is
    /// now (tagged `edited` when it was changed before); when the text or stars kith saw last
    /// differ, or (for a review too old to be remembered) it was changed after the location's
    /// mark, the new version comes as an edit of its own, so the first copy stays too.
    fn place(&self, p: Parsed, mark: Option<i64>, cur: &mut Cursor, page: &mut FetchPage) {
        let name = p.review.native_id.clone();
        let was_edited = p.edited();
        let print = fingerprint(p.review.rating, &p.review.text);
        let known = cur.print(&name);
        let changed = match known {
            Some(before) => before != print,
            None => {
                was_edited && mark.is_some_and(|m| p.review.created_at.0 <= m && p.updated.0 > m)
            }
        };
        cur.remember(&name, print);
        let edit = changed.then(|| p.edit());
        let mut review = p.review;
        if known.is_none() && edit.is_none() && was_edited {
            review.tags.push("edited".into());
        }
        page.items.push(review);
        page.items.extend(edit);
        page.items.extend(p.reply);
    }

    /// The review an item belongs to (`GET /v4/{review}`): the review, and our answer.
    pub(super) async fn fetch_thread(&self, item: &Item) -> Result<Vec<NewItem>> {
        let name = super::review_of(item);
        if !valid_name(&name) {
            return Ok(Vec::new());
        }
        let resp = self.get(&name, &[]).await?;
        match self.parse_review(&resp.body) {
            Ok(p) => {
                let mut out = vec![p.review];
                out.extend(p.reply);
                Ok(out)
            }
            Err(e) => {
                tracing::warn!(reason = %e, "google: review not read");
                Ok(Vec::new())
            }
        }
    }
}
