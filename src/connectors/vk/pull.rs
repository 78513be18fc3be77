//! VK's pull pass, one request per page so that each page is stored with the cursor that
//! continues it: `wall.get` lists the latest posts, `wall.getComments` reads the posts whose
//! comment count moved (offset paging oldest first, so comments arriving between pages only
//! add at the end, re-reading a few behind the mark in case some were deleted), branches longer
//! than the embedded ten, then `messages.getConversations` + `getHistory` for new messages.
//!
//! The wall needs the user token (VK refuses `wall.get` to community tokens); without one only
//! messages are pulled and comments arrive live.

use super::ids::Target;
use super::parse::{read, Authors, Comment, Ctx, Message, Post};
use super::{As, Vk};
use crate::connectors::http::Retry;
use crate::connectors::{ConnectorError, FetchPage, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};

/// Posts listed per pass (the API's maximum): their comment counts say which to read.
const POSTS: u32 = 100;
/// Comments per page (the API's maximum).
pub(super) const COMMENTS: u32 = 100;
/// Top-level comments re-read behind the mark, in case some before it were deleted (offsets
/// shift down) — the store deduplicates by native id.
pub(super) const BEHIND: u32 = 10;
/// Conversations looked at per pass, and messages read from each.
const CONVERSATIONS: u32 = 50;
const HISTORY: u32 = 50;
/// Event ids remembered for deduplication.
const SEEN: usize = 500;
/// Posts whose read marks are kept.
pub(super) const MARKS: usize = 300;

/// Everything a VK account's sync has to remember, stored as its cursor (JSON).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct State {
    /// The Long Poll server, key and position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) lp: Option<LongPoll>,
    /// The latest event ids, newest last.
    #[serde(default, skip_serializing_if = "VecDeque::is_empty")]
    pub(super) seen: VecDeque<String>,
    /// A pull pass under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) pull: Option<Pull>,
    /// Per post: comments counted and top-level comments read.
    #[serde(default)]
    pub(super) read: BTreeMap<i64, Mark>,
    /// Per conversation: the newest message id read.
    #[serde(default)]
    pub(super) msgs: BTreeMap<i64, i64>,
    /// Per board topic and per video: posts counted and read.
    #[serde(default)]
    pub(super) topics: BTreeMap<i64, Mark>,
    #[serde(default)]
    pub(super) videos: BTreeMap<i64, Mark>,
    /// The newest photo comment and mention read (unix seconds).
    #[serde(default)]
    pub(super) photos_at: i64,
    #[serde(default)]
    pub(super) mentions_at: i64,
    /// A pull pass has finished at least once.
    #[serde(default)]
    pub(super) pulled: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(super) struct LongPoll {
    pub(super) server: String,
    pub(super) key: String,
    pub(super) ts: String,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(super) struct Mark {
    pub(super) total: u32,
    pub(super) top: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Pull {
    stage: Stage,
    pub(super) todo: VecDeque<Job>,
}

/// The places a pass lists, in order; each queues jobs for what moved.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
enum Stage {
    #[default]
    Wall,
    Board,
    Photos,
    Videos,
    Mentions,
    Conversations,
    Done,
}

impl Stage {
    fn next(self) -> Stage {
        match self {
            Stage::Wall => Stage::Board,
            Stage::Board => Stage::Photos,
            Stage::Photos => Stage::Videos,
            Stage::Videos => Stage::Mentions,
            Stage::Mentions => Stage::Conversations,
            Stage::Conversations | Stage::Done => Stage::Done,
        }
    }
}

/// What one page of comments held.
pub(super) struct CommentsRead {
    /// Comments at the page's own level (top-level, or a branch's replies).
    at_level: u32,
    /// Top-level comments whose branch has more replies than were embedded.
    long_branches: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(super) enum Job {
    /// Top-level comments of a post from `offset`; `total` is the post's count when listed.
    Comments { post: i64, offset: u32, total: u32 },
    /// A branch's replies beyond the ten embedded in its top comment.
    Branch {
        post: i64,
        comment: i64,
        offset: u32,
    },
    /// Messages newer than `after` in a conversation.
    History { peer: i64, after: i64 },
    /// Posts of a board topic from `offset` (`total` its count when listed).
    Topic { topic: i64, offset: u32, total: u32 },
    /// Comments of a video from `offset`.
    Video { video: i64, offset: u32, total: u32 },
    /// Photo comments, newest first, from `offset`; `newest` is the newest date this pass saw.
    Photos { offset: u32, newest: i64 },
}

impl State {
    pub(super) fn read(cursor: Option<&str>) -> State {
        // A cursor kith cannot read (an older format) starts over: the store deduplicates.
        cursor
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default()
    }

    pub(super) fn write(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Remembers an event id; false when it was seen already.
    pub(super) fn first_time(&mut self, event: &str) -> bool {
        if self.seen.iter().any(|e| e == event) {
            return false;
        }
        self.seen.push_back(event.to_string());
        while self.seen.len() > SEEN {
            self.seen.pop_front();
        }
        true
    }

    /// Starts a pull pass unless one is under way.
    pub(super) fn start_pull(&mut self) {
        if self.pull.is_none() {
            self.pull = Some(Pull::default());
        }
    }
}

fn comment_params(owner: i64, post: i64, offset: u32) -> Vec<(&'static str, String)> {
    vec![
        ("owner_id", owner.to_string()),
        ("post_id", post.to_string()),
        ("offset", offset.to_string()),
        ("count", COMMENTS.to_string()),
        ("sort", "asc".into()),
        ("extended", "1".into()),
        ("thread_items_count", "10".into()),
        ("fields", "screen_name,followers_count,members_count".into()),
    ]
}

impl Vk {
    /// One page of a pull pass (starting one when none is under way).
    pub(super) async fn pull_step(&self, cursor: Option<&str>) -> Result<FetchPage> {
        let mut st = State::read(cursor);
        st.start_pull();
        self.pull_page(st).await
    }

    pub(super) async fn pull_page(&self, mut st: State) -> Result<FetchPage> {
        let mut page = FetchPage::default();
        let mut pull = st.pull.take().unwrap_or_default();
        // One request per page: stages with nothing to ask (no user token) are passed over.
        loop {
            if let Some(job) = pull.todo.pop_front() {
                self.run(job, &mut pull, &mut st, &mut page).await?;
                break;
            }
            let stage = pull.stage;
            pull.stage = stage.next();
            let user = self.user_token.is_some();
            let asked = match stage {
                Stage::Wall if user => self.list_wall(&mut pull, &mut st, &mut page).await?,
                Stage::Board if user => self.list_topics(&mut pull, &st, &mut page).await?,
                Stage::Photos if user => {
                    pull.todo.push_back(Job::Photos {
                        offset: 0,
                        newest: st.photos_at,
                    });
                    false
                }
                Stage::Videos if user => self.list_videos(&mut pull, &st, &mut page).await?,
                Stage::Mentions if user => self.mentions(&mut st, &mut page).await?,
                Stage::Conversations => self.list_conversations(&mut pull, &st, &mut page).await?,
                Stage::Done => break,
                _ => false,
            };
            if asked {
                break;
            }
        }
        // A pass whose last job just ran ends here rather than with a request for nothing.
        if pull.todo.is_empty() && pull.stage == Stage::Done {
            st.pulled = true;
        } else {
            st.pull = Some(pull);
        }
        page.more = st.pull.is_some();
        page.cursor = Some(st.write());
        Ok(page)
    }

    async fn run(
        &self,
        job: Job,
        pull: &mut Pull,
        st: &mut State,
        page: &mut FetchPage,
    ) -> Result<()> {
        match job {
            Job::Comments {
                post,
                offset,
                total,
            } => {
                let params = comment_params(self.owner(), post, offset);
                let (got, now) = self.comments_page(post, &params, pull, page).await?;
                let read = offset + got;
                if got >= COMMENTS {
                    pull.todo.push_front(Job::Comments {
                        post,
                        offset: read,
                        total,
                    });
                } else {
                    // The count as of the last page: comments that came while paging are read.
                    let total = now.unwrap_or(total);
                    st.read.insert(post, Mark { total, top: read });
                }
            }
            Job::Branch {
                post,
                comment,
                offset,
            } => {
                let mut params = comment_params(self.owner(), post, offset);
                params.push(("comment_id", comment.to_string()));
                let (got, _) = self.comments_page(post, &params, pull, page).await?;
                if got >= COMMENTS {
                    pull.todo.push_front(Job::Branch {
                        post,
                        comment,
                        offset: offset + got,
                    });
                }
            }
            Job::History { peer, after } => {
                let newest = self.history(peer, after, page).await?;
                st.msgs.insert(peer, newest.max(after));
            }
            other => self.run_place(other, pull, st, page).await?,
        }
        Ok(())
    }

    /// Reads one page of comments into `page`; queues branches longer than their embedded
    /// replies. Returns how many comments the page held at its own level, and the post's
    /// comment count as VK gave it with the page.
    async fn comments_page(
        &self,
        post: i64,
        params: &[(&str, String)],
        pull: &mut Pull,
        page: &mut FetchPage,
    ) -> Result<(u32, Option<u32>)> {
        let answer = self
            .call("wall.getComments", params, As::User, Retry::Safe)
            .await?;
        let place = Target::Post {
            owner: self.owner(),
            post,
        };
        let read = self.comments(&answer, place, &mut page.items, &mut page.malformed)?;
        // A branch's own page lists its replies, never further branches.
        if !params.iter().any(|(k, _)| *k == "comment_id") {
            for comment in read.long_branches {
                pull.todo.push_back(Job::Branch {
                    post,
                    comment,
                    offset: 0,
                });
            }
        }
        let count = answer
            .get("count")
            .and_then(Value::as_u64)
            .map(|c| c as u32);
        Ok((read.at_level, count))
    }

    /// Every comment of a `wall.getComments` answer on `place` and the replies embedded in each,
    /// as items; unreadable ones quarantined.
    pub(super) fn comments(
        &self,
        answer: &Value,
        place: Target,
        items: &mut Vec<crate::domain::NewItem>,
        bad: &mut Vec<crate::connectors::Malformed>,
    ) -> Result<CommentsRead> {
        let authors = Authors::read(answer);
        let ctx = Ctx {
            account: &self.cfg.name,
            group: self.group,
            authors: &authors,
        };
        let list = answer
            .get("items")
            .and_then(|i| i.as_array())
            .ok_or_else(|| ConnectorError::Malformed("vk wall.getComments: no items".into()))?;
        let mut long_branches = Vec::new();
        for el in list {
            let Some(c) = read::<Comment>("comment", el, bad) else {
                continue;
            };
            items.extend(ctx.comment(&c, place));
            let Some(thread) = &c.thread else { continue };
            for r in &thread.items {
                if let Some(rc) = read::<Comment>("comment", r, bad) {
                    items.extend(ctx.comment(&rc, place));
                }
            }
            if thread.count as usize > thread.items.len() {
                long_branches.push(c.id);
            }
        }
        Ok(CommentsRead {
            at_level: list.len() as u32,
            long_branches,
        })
    }

    /// `wall.get`: the posts themselves (visitors' posts are items; the community's are the
    /// roots of its threads) and a comments job for each post whose count moved.
    async fn list_wall(
        &self,
        pull: &mut Pull,
        st: &mut State,
        page: &mut FetchPage,
    ) -> Result<bool> {
        let params = [
            ("owner_id", self.owner().to_string()),
            ("count", POSTS.to_string()),
            ("filter", "all".to_string()),
            ("extended", "1".to_string()),
            (
                "fields",
                "screen_name,followers_count,members_count".to_string(),
            ),
        ];
        let answer = self
            .call("wall.get", &params, As::User, Retry::Safe)
            .await?;
        let authors = Authors::read(&answer);
        let ctx = Ctx {
            account: &self.cfg.name,
            group: self.group,
            authors: &authors,
        };
        let items = answer
            .get("items")
            .and_then(|i| i.as_array())
            .ok_or_else(|| ConnectorError::Malformed("vk wall.get: no items".into()))?;
        for el in items {
            let Some(p) = read::<Post>("post", el, &mut page.malformed) else {
                continue;
            };
            page.items.push(ctx.post(&p));
            let total = p.comments.map(|c| c.count).unwrap_or(0);
            let mark = st.read.get(&p.id).copied().unwrap_or_default();
            if total != mark.total && total > 0 {
                pull.todo.push_back(Job::Comments {
                    post: p.id,
                    offset: mark.top.saturating_sub(BEHIND),
                    total,
                });
            }
        }
        // Keep the marks of the newest posts only.
        while st.read.len() > MARKS {
            st.read.pop_first();
        }
        Ok(true)
    }

    /// `messages.getConversations`: a history job for each conversation with news. A token
    /// without the messages permission is not an error here: that account has no DMs.
    async fn list_conversations(
        &self,
        pull: &mut Pull,
        st: &State,
        page: &mut FetchPage,
    ) -> Result<bool> {
        let params = [
            ("group_id", self.group.to_string()),
            ("count", CONVERSATIONS.to_string()),
            ("filter", "all".to_string()),
        ];
        let answer = match self
            .call(
                "messages.getConversations",
                &params,
                As::Community,
                Retry::Safe,
            )
            .await
        {
            Ok(a) => a,
            Err(ConnectorError::Refused(_)) => return Ok(true),
            Err(e) => return Err(e),
        };
        for el in answer
            .get("items")
            .and_then(|i| i.as_array())
            .into_iter()
            .flatten()
        {
            let peer = el.pointer("/conversation/peer/id").and_then(Value::as_i64);
            let last = el.pointer("/last_message/id").and_then(Value::as_i64);
            let (Some(peer), Some(last)) = (peer, last) else {
                page.malformed.push(crate::connectors::Malformed {
                    reason: "vk conversation: no peer or last message".into(),
                    raw: serde_json::to_vec(el).unwrap_or_default(),
                });
                continue;
            };
            let after = st.msgs.get(&peer).copied().unwrap_or(0);
            if last > after {
                pull.todo.push_back(Job::History { peer, after });
            }
        }
        Ok(true)
    }

    /// The newest messages of a conversation (newer than `after`); returns the newest id seen.
    async fn history(&self, peer: i64, after: i64, page: &mut FetchPage) -> Result<i64> {
        let params = [
            ("group_id", self.group.to_string()),
            ("peer_id", peer.to_string()),
            ("count", HISTORY.to_string()),
            ("extended", "1".to_string()),
            ("fields", "screen_name,followers_count".to_string()),
        ];
        let answer = self
            .call("messages.getHistory", &params, As::Community, Retry::Safe)
            .await?;
        let authors = Authors::read(&answer);
        let ctx = Ctx {
            account: &self.cfg.name,
            group: self.group,
            authors: &authors,
        };
        let mut newest = after;
        for el in answer
            .get("items")
            .and_then(|i| i.as_array())
            .into_iter()
            .flatten()
        {
            let Some(m) = read::<Message>("message", el, &mut page.malformed) else {
                continue;
            };
            if m.id > after {
                newest = newest.max(m.id);
                page.items.push(ctx.message(&m));
            }
        }
        Ok(newest)
    }
}
