//! Facebook's pull pass, one request per page with the work queue in the cursor: the Page's
//! feed (each post's comment count), posts that tag the Page, then each post whose count moved
//! in `stream` order from the stored `after` cursor (comments arriving between pages come after
//! it), then Messenger conversations whose `updated_time` moved (`graph_inbox`).

use super::parse::{Comment, Ctx, Post};
use super::Facebook;
use crate::connectors::graph::{keep_mark, next_or_mark, Mark, Verb};
use crate::connectors::graph_inbox::{Chat, Inbox, Seen};
use crate::connectors::http::Retry;
use crate::connectors::{ConnectorError, FetchPage, Malformed, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};

const POSTS: u32 = 25;
const COMMENTS: u32 = 100;
const COMMENT_FIELDS: &str = "id,message,created_time,from,parent,is_hidden,permalink_url";
/// Post marks kept (the newest posts').
const MARKS: usize = 300;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct State {
    /// Per post: its comment count when read, and the cursor after the last comment read.
    #[serde(default)]
    posts: BTreeMap<String, Mark>,
    /// Per conversation: its `updated_time` when read.
    #[serde(default)]
    conversations: Seen,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pull: Option<Pull>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Pull {
    stage: Stage,
    todo: VecDeque<Job>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
enum Stage {
    #[default]
    Feed,
    Tagged,
    Conversations,
    Done,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
enum Job {
    Comments {
        post: String,
        after: Option<String>,
        count: u64,
    },
    /// Serialized as the struct variant it was before (`{"id", "updated"}`): older cursors read.
    Conversation(Chat),
}

fn data(v: &Value) -> &[Value] {
    v.get("data")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn read<T: serde::de::DeserializeOwned>(
    what: &str,
    el: &Value,
    bad: &mut Vec<Malformed>,
) -> Option<T> {
    match serde_json::from_value(el.clone()) {
        Ok(v) => Some(v),
        Err(e) => {
            bad.push(Malformed {
                reason: format!("facebook {what}: {e}"),
                raw: serde_json::to_vec(el).unwrap_or_default(),
            });
            None
        }
    }
}

impl Facebook {
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            account: &self.cfg.name,
            page: &self.page,
        }
    }

    pub(super) async fn pull_step(&self, cursor: Option<&str>) -> Result<FetchPage> {
        let mut st: State = cursor
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default();
        let mut pull = st.pull.take().unwrap_or_default();
        let mut page = FetchPage::default();
        loop {
            if let Some(job) = pull.todo.pop_front() {
                self.run(job, &mut pull, &mut st, &mut page).await?;
                break;
            }
            match pull.stage {
                Stage::Feed => {
                    pull.stage = Stage::Tagged;
                    self.feed(&mut pull, &st, &mut page).await?;
                    break;
                }
                Stage::Tagged => {
                    pull.stage = Stage::Conversations;
                    self.tagged(&mut page).await?;
                    break;
                }
                Stage::Conversations => {
                    pull.stage = Stage::Done;
                    self.conversations(&mut pull, &st).await?;
                    if pull.todo.is_empty() {
                        break;
                    }
                }
                Stage::Done => break,
            }
        }
        if !(pull.todo.is_empty() && pull.stage == Stage::Done) {
            st.pull = Some(pull);
        }
        page.more = st.pull.is_some();
        page.cursor = Some(serde_json::to_string(&st).unwrap_or_default());
        Ok(page)
    }

    async fn feed(&self, pull: &mut Pull, st: &State, page: &mut FetchPage) -> Result<()> {
        let q = [
            (
                "fields",
                "id,message,created_time,from,permalink_url,comments.summary(true).limit(0)"
                    .to_string(),
            ),
            ("limit", POSTS.to_string()),
        ];
        let v = self
            .call(
                Verb::Get,
                &format!("{}/feed", self.page),
                &q,
                &[],
                Retry::Safe,
            )
            .await?;
        let ctx = self.ctx();
        for el in data(&v) {
            let Some(p) = read::<Post>("post", el, &mut page.malformed) else {
                continue;
            };
            page.items.extend(ctx.post(&p));
            let count = p.comment_count();
            let mark = st.posts.get(&p.id).cloned().unwrap_or_default();
            if count != mark.count && count > 0 {
                pull.todo.push_back(Job::Comments {
                    post: p.id.clone(),
                    after: mark.after,
                    count,
                });
            }
        }
        Ok(())
    }

    /// Posts elsewhere that tag the Page (`/tagged`): the latest page each pass; the store
    /// keeps each once.
    async fn tagged(&self, page: &mut FetchPage) -> Result<()> {
        let q = [
            (
                "fields",
                "id,message,created_time,from,permalink_url".to_string(),
            ),
            ("limit", POSTS.to_string()),
        ];
        let path = format!("{}/tagged", self.page);
        let v = match self.call(Verb::Get, &path, &q, &[], Retry::Safe).await {
            Ok(v) => v,
            Err(ConnectorError::Refused(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        let ctx = self.ctx();
        for el in data(&v) {
            if let Some(p) = read::<Post>("tagged post", el, &mut page.malformed) {
                page.items.extend(ctx.post(&p));
            }
        }
        Ok(())
    }

    fn inbox(&self) -> Inbox<'_> {
        Inbox {
            graph: &self.graph,
            page: &self.page,
            platform_param: None,
            platform: crate::domain::Platform::Facebook,
            account: &self.cfg.name,
            ours: vec![self.page.as_str()],
        }
    }

    async fn conversations(&self, pull: &mut Pull, st: &State) -> Result<()> {
        // No Messenger permission: this Page has no DMs in kith.
        let chats = self.inbox().changed(&st.conversations).await?;
        pull.todo
            .extend(chats.into_iter().flatten().map(Job::Conversation));
        Ok(())
    }

    async fn run(
        &self,
        job: Job,
        pull: &mut Pull,
        st: &mut State,
        page: &mut FetchPage,
    ) -> Result<()> {
        match job {
            Job::Comments { post, after, count } => {
                let mut q = vec![
                    ("filter", "stream".to_string()),
                    ("order", "chronological".to_string()),
                    ("limit", COMMENTS.to_string()),
                    ("fields", COMMENT_FIELDS.to_string()),
                ];
                if let Some(a) = &after {
                    q.push(("after", a.clone()));
                }
                let path = format!("{post}/comments");
                let v = self.call(Verb::Get, &path, &q, &[], Retry::Safe).await?;
                let ctx = self.ctx();
                let list = data(&v);
                for el in list {
                    if let Some(c) = read::<Comment>("comment", el, &mut page.malformed) {
                        page.items
                            .extend(ctx.comment(&c, &post, &mut page.malformed));
                    }
                }
                match next_or_mark(&v, list.len(), after, count) {
                    Ok(after) => pull.todo.push_front(Job::Comments {
                        post,
                        after: Some(after),
                        count,
                    }),
                    Err(mark) => keep_mark(&mut st.posts, post, mark, MARKS),
                }
            }
            Job::Conversation(chat) => {
                let (id, updated) = (chat.id.clone(), chat.updated.clone());
                match self.inbox().read(chat, page).await? {
                    Some(next) => pull.todo.push_front(Job::Conversation(next)),
                    None => {
                        st.conversations.insert(id, updated);
                    }
                }
            }
        }
        Ok(())
    }
}
