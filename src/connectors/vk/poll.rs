//! VK's Bots Long Poll: `groups.getLongPollServer`, then `a_check` waits for events. `failed`
//! 1 (events lost: new `ts`) and 3 (key and `ts` lost) start a pull pass to fill the gap; 2 asks
//! for a new key and keeps the position. Events are deduplicated by `event_id`; a community
//! with Long Poll off is pulled every `wait` instead.

use super::parse::{read, Authors, Comment, Ctx, Like, Message, Post};
use super::pull::{LongPoll, State};
use super::{As, Vk};
use crate::connectors::http::Retry;
use crate::connectors::{ConnectorError, FetchPage, Result};
use crate::domain::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// VK waits at most 90 s; kith asks for less so that the HTTP timeout never cuts a wait.
const MAX_WAIT: Duration = Duration::from_secs(25);

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    object: Value,
    #[serde(default)]
    group_id: Option<i64>,
    #[serde(default)]
    event_id: Option<String>,
}

#[derive(Deserialize)]
struct MessageNew {
    message: Message,
}

impl Vk {
    pub(super) async fn listen_step(
        &self,
        cursor: Option<&str>,
        wait: Duration,
    ) -> Result<FetchPage> {
        let mut st = State::read(cursor);
        if !st.pulled || st.pull.is_some() {
            st.start_pull();
            return self.pull_page(st).await;
        }
        let lp = match st.lp.clone() {
            Some(lp) => lp,
            None => match self.long_poll_server().await {
                Ok(lp) => lp,
                // Long Poll is off for this community: pull at the pace a wait would have had.
                Err(ConnectorError::Refused(_)) => {
                    tokio::time::sleep(wait).await;
                    st.start_pull();
                    return self.pull_page(st).await;
                }
                Err(e) => return Err(e),
            },
        };
        let secs = wait.min(MAX_WAIT).as_secs().max(1).to_string();
        let url = lp.server.clone();
        let query = [
            ("act", "a_check"),
            ("key", lp.key.as_str()),
            ("ts", lp.ts.as_str()),
            ("wait", secs.as_str()),
        ];
        let resp = self
            .http
            .send(|c| c.get(url.as_str()).query(&query), Retry::Safe)
            .await?;
        let v: Value = resp.json()?;
        st.lp = Some(lp.clone());
        let mut page = FetchPage::default();
        if let Some(failed) = v.get("failed").and_then(Value::as_i64) {
            let ts = v.get("ts").map(ts_text);
            match failed {
                1 => {
                    st.lp = Some(LongPoll {
                        ts: ts.unwrap_or(lp.ts),
                        ..lp
                    });
                    st.start_pull();
                }
                2 => {
                    let fresh = self.long_poll_server().await?;
                    st.lp = Some(LongPoll { ts: lp.ts, ..fresh });
                }
                _ => {
                    st.lp = Some(self.long_poll_server().await?);
                    st.start_pull();
                }
            }
            page.more = st.pull.is_some();
            page.cursor = Some(st.write());
            return Ok(page);
        }
        let Some(ts) = v.get("ts").map(ts_text) else {
            return Err(ConnectorError::Malformed(
                "vk long poll: an answer without ts".into(),
            ));
        };
        let updates = v
            .get("updates")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        self.events(&updates, &mut st, &mut page).await;
        st.lp = Some(LongPoll { ts, ..lp });
        page.cursor = Some(st.write());
        Ok(page)
    }

    async fn long_poll_server(&self) -> Result<LongPoll> {
        let v = self
            .call(
                "groups.getLongPollServer",
                &[("group_id", self.group.to_string())],
                As::Community,
                Retry::Safe,
            )
            .await?;
        let text = |k: &str| v.get(k).map(ts_text);
        match (text("server"), text("key"), text("ts")) {
            (Some(server), Some(key), Some(ts)) => Ok(LongPoll { server, key, ts }),
            _ => Err(ConnectorError::Malformed(
                "vk groups.getLongPollServer: no server, key or ts".into(),
            )),
        }
    }

    /// Turns events into items and activity; events seen before are skipped.
    async fn events(&self, updates: &[Value], st: &mut State, page: &mut FetchPage) {
        let mut fresh = Vec::new();
        for el in updates {
            let Some(ev) = read::<Event>("event", el, &mut page.malformed) else {
                continue;
            };
            if ev.group_id.is_some_and(|g| g != self.group) {
                continue;
            }
            if let Some(id) = &ev.event_id {
                if !st.first_time(id) {
                    continue;
                }
            }
            fresh.push((ev, el));
        }
        let ids: Vec<i64> = fresh
            .iter()
            .filter_map(|(ev, _)| {
                ev.object
                    .get("from_id")
                    .or_else(|| ev.object.pointer("/message/from_id"))
                    .or_else(|| ev.object.get("liker_id"))
                    .and_then(Value::as_i64)
            })
            .collect();
        let mut authors = Authors::default();
        self.learn_authors(&mut authors, &ids).await;
        let ctx = Ctx {
            account: &self.cfg.name,
            group: self.group,
            authors: &authors,
        };
        for (ev, el) in fresh {
            let bad = &mut page.malformed;
            let raw = || serde_json::to_vec(el).unwrap_or_default();
            match ev.kind.as_str() {
                "wall_reply_new" | "board_post_new" | "market_comment_new"
                | "photo_comment_new" | "video_comment_new" => {
                    let Some(c) = read::<Comment>("comment", &ev.object, bad) else {
                        continue;
                    };
                    match ctx.event_place(&ev.kind, &c) {
                        Some(place) => page.items.extend(ctx.comment(&c, place)),
                        None => bad.push(crate::connectors::Malformed {
                            reason: format!("vk {}: no post, topic or item", ev.kind),
                            raw: raw(),
                        }),
                    }
                }
                "message_new" => {
                    if let Some(m) = read::<MessageNew>("message", &ev.object, bad) {
                        page.items.push(ctx.message(&m.message));
                    }
                }
                "wall_post_new" => {
                    if let Some(p) = read::<Post>("post", &ev.object, bad) {
                        if p.post_type.as_deref() != Some("suggest") {
                            page.items.push(ctx.post(&p));
                        }
                    }
                }
                "like_add" => {
                    if let Some(l) = read::<Like>("like", &ev.object, bad) {
                        let id = ev.event_id.clone().unwrap_or_default();
                        page.activity.push(ctx.like(&l, &id, Timestamp::now()));
                    }
                }
                // Edits, deletions and the rest are not tracked: the stored text stays.
                _ => {}
            }
        }
    }
}

/// `ts`, `key` and `server` as text whether VK sent a string or a number.
fn ts_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
