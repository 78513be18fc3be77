//! YouTube inbox paging: `commentThreads.list` over the whole channel, one page per `fetch`,
//! pass after pass (published, held for review, likely spam), and `comments.list` for the
//! replies a thread embeds only in part. Also the whole thread of one item.

use super::cursor::Cursor;
use super::parse::{list, Pass, ThreadInfo};
use super::Youtube;
use crate::connectors::{ConnectorError, FetchPage, Result};
use crate::domain::{Item, NewItem, Timestamp};
use std::collections::HashSet;
use std::sync::atomic::Ordering;

/// Threads or comments per page: the API's maximum.
const PAGE: &str = "100";
/// A pass with no mark yet (first sync) reads at most this many pages back.
const FIRST_SYNC_PAGES: u32 = 5;
/// Any pass stops after this many pages, whatever the window says.
const MAX_PAGES: u32 = 20;
/// Pages of one thread's replies read at most.
const REPLY_PAGES: u32 = 50;

impl Youtube {
    pub(super) async fn fetch_page(&self, cursor: Option<&str>) -> Result<FetchPage> {
        let mut cur = Cursor::parse(cursor);
        let spent = self.spent.load(Ordering::Relaxed);
        let me = self.my_channel().await?;
        let channel = self
            .cfg
            .channel_id
            .clone()
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| me.clone());
        let pass = Pass::ALL[cur.pass];
        let mut q = vec![
            ("part", "snippet,replies".to_string()),
            ("allThreadsRelatedToChannelId", channel),
            ("maxResults", PAGE.to_string()),
            ("order", "time".to_string()),
            ("textFormat", "plainText".to_string()),
            ("moderationStatus", pass.query().to_string()),
        ];
        if let Some(t) = &cur.page {
            q.push(("pageToken", t.clone()));
        }
        let resp = self.get("commentThreads", &q).await?;
        let (elems, next) = list(&resp.body, "commentThreads")?;
        let floor = cur.floor();
        let mut page = FetchPage::default();
        // A page wholly behind the window ends an incremental pass.
        let mut behind = floor.is_some() && !elems.is_empty();
        for raw in &elems {
            let Some(info) = self.map_thread(raw, &me, pass, &mut page) else {
                continue;
            };
            cur.saw(info.newest);
            if floor.is_none_or(|f| info.newest >= f) {
                behind = false;
            }
            if info.total > info.embedded && !cur.knows(&info.id, info.total) {
                match self.all_replies(&info, &me, pass, &mut page).await {
                    Ok(Some(newest)) => {
                        cur.saw(newest);
                        cur.remember(&info.id, info.total);
                    }
                    Ok(None) => cur.remember(&info.id, info.total),
                    // This thread's replies are out of reach (comments turned off since, a
                    // private parent): keep the rest of the page; the next poll tries again.
                    Err(ConnectorError::Refused(e)) => {
                        tracing::warn!(thread = %info.id, "youtube: replies not read: {e}")
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        dedupe(&mut page);
        cur.pages += 1;
        let cap = if floor.is_none() {
            FIRST_SYNC_PAGES
        } else {
            MAX_PAGES
        };
        let next = next.filter(|t| !cur.tokens.contains(t) && cur.page.as_ref() != Some(t));
        let done = match next {
            Some(t) if !behind && cur.pages < cap => {
                cur.tokens.push(t.clone());
                cur.page = Some(t);
                false
            }
            _ => cur.end_pass(),
        };
        cur.cost += self.spent.load(Ordering::Relaxed).saturating_sub(spent);
        if done {
            self.ledger.pass_cost(cur.cost, Timestamp::now());
            cur.cost = 0;
        }
        page.cursor = Some(cur.encode());
        page.more = !done;
        Ok(page)
    }

    /// Every reply of a thread, page by page (`comments.list?parentId=`); the newest
    /// `publishedAt` among them.
    async fn all_replies(
        &self,
        t: &ThreadInfo,
        me: &str,
        pass: Pass,
        page: &mut FetchPage,
    ) -> Result<Option<i64>> {
        let mut token: Option<String> = None;
        let mut seen = HashSet::new();
        let mut newest = None;
        for _ in 0..REPLY_PAGES {
            let mut q = vec![
                ("part", "snippet".to_string()),
                ("parentId", t.id.clone()),
                ("maxResults", PAGE.to_string()),
                ("textFormat", "plainText".to_string()),
            ];
            if let Some(tk) = &token {
                q.push(("pageToken", tk.clone()));
            }
            let resp = self.get("comments", &q).await?;
            let (elems, next) = list(&resp.body, "comments")?;
            for raw in &elems {
                if let Some(at) = self.map_reply(raw, &t.id, t.video.as_deref(), me, pass, page) {
                    newest = Some(newest.map_or(at, |n: i64| n.max(at)));
                }
            }
            match next {
                Some(n) if seen.insert(n.clone()) => token = Some(n),
                _ => break,
            }
        }
        Ok(newest)
    }

    /// The thread an item belongs to: its top-level comment (`commentThreads.list?id=`) and
    /// every reply.
    pub(super) async fn fetch_thread(&self, item: &Item) -> Result<Vec<NewItem>> {
        let top = super::top_level(item);
        let me = self.my_channel().await?;
        let q = [
            ("part", "snippet,replies".to_string()),
            ("id", top),
            ("textFormat", "plainText".to_string()),
        ];
        let resp = self.get("commentThreads", &q).await?;
        let (elems, _) = list(&resp.body, "commentThreads")?;
        let mut page = FetchPage::default();
        for raw in &elems {
            if let Some(info) = self.map_thread(raw, &me, Pass::Published, &mut page) {
                if info.total > info.embedded {
                    self.all_replies(&info, &me, Pass::Published, &mut page)
                        .await?;
                }
            }
        }
        // A thread has no quarantine channel: broken comments are skipped, the rest kept.
        for m in &page.malformed {
            tracing::warn!(reason = %m.reason, "youtube: thread comment skipped");
        }
        dedupe(&mut page);
        Ok(page.items)
    }
}

/// Embedded replies come again from `comments.list`: keep each comment once.
fn dedupe(page: &mut FetchPage) {
    let mut seen = HashSet::new();
    page.items.retain(|i| seen.insert(i.native_id.clone()));
}
