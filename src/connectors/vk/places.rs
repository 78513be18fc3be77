//! The pull pass beyond the wall: board topics (`board.getTopics` + `board.getComments`),
//! comments on the community's photos (`photos.getAllComments`, newest first, read down to a
//! window behind the last pass) and videos (`video.get` + `video.getComments`), and posts
//! elsewhere that mention the community (`newsfeed.getMentions`). All need the user token; a
//! section the community has turned off answers with a refusal, which means "nothing there".

use super::ids::Target;
use super::parse::{read, Authors, Comment, Ctx, Post};
use super::pull::{Job, Mark, Pull, State, BEHIND, COMMENTS, MARKS};
use super::{As, Vk};
use crate::connectors::http::Retry;
use crate::connectors::{ConnectorError, FetchPage, Result};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Topics and videos listed per pass (the most recently active).
const LISTED: u32 = 50;
/// Photo comments and mentions are re-read this far behind the newest one read (seconds).
const WINDOW: i64 = 3600;
/// A first pass reads at most this many photo comments back.
const FIRST_PHOTOS: u32 = 500;

#[derive(Deserialize)]
struct Counted {
    id: i64,
    #[serde(default)]
    comments: Option<Value>,
}

impl Counted {
    /// `comments` is a number for topics and videos (an object on posts).
    fn count(&self) -> u32 {
        match &self.comments {
            Some(Value::Number(n)) => n.as_u64().unwrap_or(0) as u32,
            Some(v) => v.get("count").and_then(Value::as_u64).unwrap_or(0) as u32,
            None => 0,
        }
    }
}

/// A call whose refusal means the section is off for this community.
fn optional(r: Result<Value>) -> Result<Option<Value>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(ConnectorError::Refused(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

fn items(v: &Value) -> &[Value] {
    v.get("items")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Queues a job for each listed thing whose count moved since `marks` last saw it.
fn moved(
    listed: &[Value],
    marks: &BTreeMap<i64, Mark>,
    page: &mut FetchPage,
    job: impl Fn(i64, u32, u32) -> Job,
    todo: &mut std::collections::VecDeque<Job>,
) {
    for el in listed {
        let Some(c) = read::<Counted>("listed", el, &mut page.malformed) else {
            continue;
        };
        let mark = marks.get(&c.id).copied().unwrap_or_default();
        let total = c.count();
        if total != mark.total && total > 0 {
            todo.push_back(job(c.id, mark.top.saturating_sub(BEHIND), total));
        }
    }
}

/// After a page of `read` comments from `offset`: `Ok(next offset)` while pages are full, else
/// the mark that says everything up to `total` was read.
fn next_or_mark(offset: u32, read: u32, total: u32) -> std::result::Result<u32, Mark> {
    if read >= COMMENTS {
        Ok(offset + read)
    } else {
        Err(Mark {
            total,
            top: offset + read,
        })
    }
}

/// Keeps `mark` for `id`, and only the marks of the newest ones.
fn keep(marks: &mut BTreeMap<i64, Mark>, id: i64, mark: Mark) {
    marks.insert(id, mark);
    while marks.len() > MARKS {
        marks.pop_first();
    }
}

impl Vk {
    fn ctx<'a>(&'a self, authors: &'a Authors) -> Ctx<'a> {
        Ctx {
            account: &self.cfg.name,
            group: self.group,
            authors,
        }
    }

    pub(super) async fn list_topics(
        &self,
        pull: &mut Pull,
        st: &State,
        page: &mut FetchPage,
    ) -> Result<bool> {
        let params = [
            ("group_id", self.group.to_string()),
            ("order", "1".to_string()),
            ("count", LISTED.to_string()),
        ];
        let got = self
            .call("board.getTopics", &params, As::User, Retry::Safe)
            .await;
        if let Some(v) = optional(got)? {
            let job = |topic, offset, total| Job::Topic {
                topic,
                offset,
                total,
            };
            moved(items(&v), &st.topics, page, job, &mut pull.todo);
        }
        Ok(true)
    }

    pub(super) async fn list_videos(
        &self,
        pull: &mut Pull,
        st: &State,
        page: &mut FetchPage,
    ) -> Result<bool> {
        let params = [
            ("owner_id", self.owner().to_string()),
            ("count", LISTED.to_string()),
        ];
        let got = self.call("video.get", &params, As::User, Retry::Safe).await;
        if let Some(v) = optional(got)? {
            let job = |video, offset, total| Job::Video {
                video,
                offset,
                total,
            };
            moved(items(&v), &st.videos, page, job, &mut pull.todo);
        }
        Ok(true)
    }

    /// Posts that mention the community, from a window behind the newest one read.
    pub(super) async fn mentions(&self, st: &mut State, page: &mut FetchPage) -> Result<bool> {
        let mut params = vec![
            ("owner_id", self.owner().to_string()),
            ("count", "50".to_string()),
        ];
        if st.mentions_at > 0 {
            params.push(("start_time", (st.mentions_at - WINDOW).to_string()));
        }
        let got = self
            .call("newsfeed.getMentions", &params, As::User, Retry::Safe)
            .await;
        let Some(v) = optional(got)? else {
            return Ok(true);
        };
        let authors = Authors::read(&v);
        let ctx = self.ctx(&authors);
        for el in items(&v) {
            if let Some(p) = read::<Post>("mention", el, &mut page.malformed) {
                st.mentions_at = st.mentions_at.max(p.date);
                page.items.push(ctx.post(&p));
            }
        }
        Ok(true)
    }

    /// Runs a job of the places above.
    pub(super) async fn run_place(
        &self,
        job: Job,
        pull: &mut Pull,
        st: &mut State,
        page: &mut FetchPage,
    ) -> Result<()> {
        match job {
            Job::Topic {
                topic,
                offset,
                total,
            } => {
                let params = [
                    ("group_id", self.group.to_string()),
                    ("topic_id", topic.to_string()),
                ];
                let place = Target::Topic {
                    owner: self.owner(),
                    topic,
                    comment: 0,
                };
                let read = self
                    .counted("board.getComments", &params, place, offset, page)
                    .await?;
                match next_or_mark(offset, read, total) {
                    Ok(offset) => pull.todo.push_front(Job::Topic {
                        topic,
                        offset,
                        total,
                    }),
                    Err(mark) => keep(&mut st.topics, topic, mark),
                }
            }
            Job::Video {
                video,
                offset,
                total,
            } => {
                let params = [
                    ("owner_id", self.owner().to_string()),
                    ("video_id", video.to_string()),
                ];
                let place = Target::Video {
                    owner: self.owner(),
                    video,
                    comment: 0,
                };
                let read = self
                    .counted("video.getComments", &params, place, offset, page)
                    .await?;
                match next_or_mark(offset, read, total) {
                    Ok(offset) => pull.todo.push_front(Job::Video {
                        video,
                        offset,
                        total,
                    }),
                    Err(mark) => keep(&mut st.videos, video, mark),
                }
            }
            Job::Photos { offset, newest } => {
                self.photo_comments(offset, newest, pull, st, page).await?
            }
            // The wall's and messages' jobs are run by the pull pass itself.
            _ => {}
        }
        Ok(())
    }

    /// One page of `method`'s comments on `place` from `offset`, oldest first, as items;
    /// returns how many the page held (a section that is off holds none).
    async fn counted(
        &self,
        method: &str,
        ids: &[(&str, String)],
        place: Target,
        offset: u32,
        page: &mut FetchPage,
    ) -> Result<u32> {
        let mut params = ids.to_vec();
        params.extend([
            ("offset", offset.to_string()),
            ("count", COMMENTS.to_string()),
            ("sort", "asc".to_string()),
            ("extended", "1".to_string()),
        ]);
        let got = self.call(method, &params, As::User, Retry::Safe).await;
        let Some(v) = optional(got)? else {
            return Ok(0);
        };
        let authors = Authors::read(&v);
        let ctx = self.ctx(&authors);
        let list = items(&v);
        for el in list {
            if let Some(c) = read::<Comment>("comment", el, &mut page.malformed) {
                page.items.extend(ctx.comment(&c, place));
            }
        }
        Ok(list.len() as u32)
    }

    /// One page of the community's photo comments (newest first); goes on while the page is
    /// full and still newer than the window behind the last pass.
    async fn photo_comments(
        &self,
        offset: u32,
        newest: i64,
        pull: &mut Pull,
        st: &mut State,
        page: &mut FetchPage,
    ) -> Result<()> {
        let params = [
            ("owner_id", self.owner().to_string()),
            ("offset", offset.to_string()),
            ("count", COMMENTS.to_string()),
        ];
        let got = self
            .call("photos.getAllComments", &params, As::User, Retry::Safe)
            .await;
        let Some(v) = optional(got)? else {
            return Ok(());
        };
        let list = items(&v);
        let mut top = newest;
        let mut oldest = i64::MAX;
        let mut ids = Vec::new();
        let mut found = Vec::new();
        for el in list {
            let Some(c) = read::<Comment>("photo comment", el, &mut page.malformed) else {
                continue;
            };
            let Some(photo) = c.pid.or(c.photo_id) else {
                page.malformed.push(crate::connectors::Malformed {
                    reason: "vk photo comment: no photo id".into(),
                    raw: serde_json::to_vec(el).unwrap_or_default(),
                });
                continue;
            };
            top = top.max(c.date);
            oldest = oldest.min(c.date);
            ids.push(c.from_id);
            found.push((c, photo));
        }
        // This method has no `extended`: names come from one users.get.
        let mut authors = Authors::default();
        self.learn_authors(&mut authors, &ids).await;
        let named = self.ctx(&authors);
        for (c, photo) in &found {
            let place = Target::Photo {
                owner: self.owner(),
                photo: *photo,
                comment: 0,
            };
            page.items.extend(named.comment(c, place));
        }
        let floor = if st.photos_at > 0 {
            st.photos_at - WINDOW
        } else {
            i64::MIN
        };
        let next = offset + list.len() as u32;
        let first_pass_done = st.photos_at == 0 && next >= FIRST_PHOTOS;
        if list.len() as u32 >= COMMENTS && oldest > floor && !first_pass_done {
            pull.todo.push_front(Job::Photos {
                offset: next,
                newest: top,
            });
        } else {
            st.photos_at = top;
        }
        Ok(())
    }
}
