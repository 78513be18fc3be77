//! Instagram's pull pass, one request per page with the work queue in the cursor: the
//! account's media with their comment counts, then the comments (replies expanded) of each
//! post whose count moved, from the `after` cursor stored with the last page read, then the
//! Instagram Direct conversations whose `updated_time` moved (`graph_inbox`), where the token
//! may read them.

use super::Instagram;
use crate::connectors::graph::{keep_mark, next_or_mark, time, Mark, Verb};
use crate::connectors::graph_inbox::{Chat, Inbox, Seen};
use crate::connectors::http::Retry;
use crate::connectors::{ConnectorError, FetchPage, Malformed, Result};
use crate::domain::{Author, Kind, NewItem, Platform, Status};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};

const MEDIA: u32 = 25;
const COMMENTS: u32 = 50;
const FIELDS: &str = "id,text,timestamp,username,from,hidden,parent_id";
const MARKS: usize = 300;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct State {
    #[serde(default)]
    media: BTreeMap<String, Mark>,
    /// Per Direct conversation: its `updated_time` when read.
    #[serde(default)]
    conversations: Seen,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pull: Option<Pull>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Pull {
    listed: bool,
    todo: VecDeque<Job>,
    /// Direct conversations to read after the comments.
    #[serde(default)]
    chats: VecDeque<Chat>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Job {
    media: String,
    after: Option<String>,
    count: u64,
}

#[derive(Deserialize)]
struct Comment {
    id: String,
    #[serde(default)]
    text: String,
    timestamp: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    from: Option<From>,
    #[serde(default)]
    hidden: bool,
    #[serde(default)]
    replies: Option<Value>,
}

#[derive(Deserialize)]
struct From {
    id: String,
    #[serde(default)]
    username: Option<String>,
}

impl Instagram {
    fn item(
        &self,
        c: &Comment,
        media: &str,
        parent: Option<&str>,
        bad: &mut Vec<Malformed>,
    ) -> Option<NewItem> {
        let Some(at) = time(&c.timestamp) else {
            bad.push(Malformed {
                reason: format!("instagram comment {}: bad timestamp", c.id),
                raw: c.id.as_bytes().to_vec(),
            });
            return None;
        };
        let handle = c
            .username
            .clone()
            .or_else(|| c.from.as_ref().and_then(|f| f.username.clone()));
        let author_id = c
            .from
            .as_ref()
            .map(|f| f.id.clone())
            .or_else(|| handle.clone().map(|h| format!("@{h}")))
            .unwrap_or_else(|| "unknown".into());
        Some(NewItem {
            platform: Platform::Instagram,
            account: self.cfg.name.clone(),
            kind: if parent.is_some() {
                Kind::Reply
            } else {
                Kind::Comment
            },
            native_id: c.id.clone(),
            parent_native_id: Some(parent.unwrap_or(media).to_string()),
            root_native_id: Some(media.to_string()),
            post_native_id: Some(media.to_string()),
            ours: c.from.as_ref().is_some_and(|f| f.id == self.user),
            author: Author {
                id: author_id,
                handle,
                name: None,
                followers: None,
            },
            text: c.text.clone(),
            title: None,
            lang: None,
            rating: None,
            created_at: at,
            url: None,
            status: if c.hidden {
                Status::Hidden
            } else {
                Status::New
            },
            tags: Vec::new(),
            source: None,
        })
    }

    pub(super) async fn pull_step(&self, cursor: Option<&str>) -> Result<FetchPage> {
        let mut st: State = cursor
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default();
        let mut pull = st.pull.take().unwrap_or_default();
        let mut page = FetchPage::default();
        if let Some(job) = pull.todo.pop_front() {
            self.comments(job, &mut pull, &mut st, &mut page).await?;
        } else if !pull.listed {
            // The lists of one pass go together, as the quota does: media, then conversations.
            pull.listed = true;
            self.list_media(&mut pull, &st, &mut page).await?;
            self.refresh_quota().await;
            pull.chats = self.changed_chats(&st.conversations).await?.into();
        } else if let Some(chat) = pull.chats.pop_front() {
            let (id, updated) = (chat.id.clone(), chat.updated.clone());
            let page_id = self.page().await?;
            match self.inbox(&page_id).read(chat, &mut page).await? {
                Some(next) => pull.chats.push_front(next),
                None => {
                    st.conversations.insert(id, updated);
                }
            }
        }
        let done = pull.listed && pull.todo.is_empty() && pull.chats.is_empty();
        if !done {
            st.pull = Some(pull);
        }
        page.more = st.pull.is_some();
        page.cursor = Some(serde_json::to_string(&st).unwrap_or_default());
        Ok(page)
    }

    fn inbox<'a>(&'a self, page: &'a str) -> Inbox<'a> {
        Inbox {
            graph: &self.graph,
            page,
            platform_param: Some("instagram"),
            platform: Platform::Instagram,
            account: &self.cfg.name,
            ours: vec![self.user.as_str(), page],
        }
    }

    /// The Direct conversations that moved, or none when the token may not read them (then
    /// messages are off, and the Accounts view says which permission turns them on).
    /// An answer that is not Graph's leaves the messages as they were for this pass.
    async fn changed_chats(&self, seen: &Seen) -> Result<Vec<Chat>> {
        let page = match self.page().await {
            Ok(p) => p,
            Err(ConnectorError::Refused(e)) => {
                tracing::warn!("instagram: the Page behind the token is unknown: {e}");
                self.set_messages(false);
                return Ok(Vec::new());
            }
            Err(ConnectorError::Malformed(e)) => {
                tracing::warn!("instagram: no conversations this pass: {e}");
                return Ok(Vec::new());
            }
            Err(e) => return Err(e),
        };
        match self.inbox(&page).changed(seen).await {
            Ok(chats) => {
                self.set_messages(chats.is_some());
                Ok(chats.unwrap_or_default())
            }
            Err(ConnectorError::Malformed(e)) => {
                tracing::warn!("instagram: no conversations this pass: {e}");
                Ok(Vec::new())
            }
            Err(e) => Err(e),
        }
    }

    async fn list_media(&self, pull: &mut Pull, st: &State, page: &mut FetchPage) -> Result<()> {
        let fields = "id,caption,timestamp,permalink,comments_count";
        for m in &self.own_media(fields, MEDIA as usize).await? {
            let Some(id) = m.get("id").and_then(Value::as_str) else {
                page.malformed.push(Malformed {
                    reason: "instagram media without an id".into(),
                    raw: serde_json::to_vec(m).unwrap_or_default(),
                });
                continue;
            };
            let count = m.get("comments_count").and_then(Value::as_u64).unwrap_or(0);
            let mark = st.media.get(id).cloned().unwrap_or_default();
            if count != mark.count && count > 0 {
                pull.todo.push_back(Job {
                    media: id.to_string(),
                    after: mark.after,
                    count,
                });
            }
        }
        Ok(())
    }

    async fn comments(
        &self,
        job: Job,
        pull: &mut Pull,
        st: &mut State,
        page: &mut FetchPage,
    ) -> Result<()> {
        let fields = format!("{FIELDS},replies{{{FIELDS}}}");
        let mut q = vec![("fields", fields), ("limit", COMMENTS.to_string())];
        if let Some(a) = &job.after {
            q.push(("after", a.clone()));
        }
        let path = format!("{}/comments", job.media);
        let v = self.call(Verb::Get, &path, &q, &[], Retry::Safe).await?;
        let list = v
            .get("data")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for el in &list {
            let c: Comment = match serde_json::from_value(el.clone()) {
                Ok(c) => c,
                Err(e) => {
                    page.malformed.push(Malformed {
                        reason: format!("instagram comment: {e}"),
                        raw: serde_json::to_vec(el).unwrap_or_default(),
                    });
                    continue;
                }
            };
            page.items
                .extend(self.item(&c, &job.media, None, &mut page.malformed));
            let replies = c
                .replies
                .as_ref()
                .and_then(|r| r.get("data"))
                .and_then(Value::as_array);
            for r in replies.into_iter().flatten() {
                if let Ok(rc) = serde_json::from_value::<Comment>(r.clone()) {
                    page.items
                        .extend(self.item(&rc, &job.media, Some(&c.id), &mut page.malformed));
                }
            }
        }
        match next_or_mark(&v, list.len(), job.after.clone(), job.count) {
            Ok(after) => pull.todo.push_front(Job {
                after: Some(after),
                ..job
            }),
            Err(mark) => keep_mark(&mut st.media, job.media, mark, MARKS),
        }
        Ok(())
    }
}
