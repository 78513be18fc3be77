//! VK API connector (v5.199, pinned): the struct, its method-call plumbing (tokens, pacing,
//! VK's errors, captcha) and the `Connector` impl, which hands each call to the module for that
//! concern.
//!
//! - Two tokens: the community token (comments, messages, Long Poll, reading) and, optionally,
//!   an admin's user token for what VK allows only to people (publishing, likes, deleting,
//!   restoring and bans). Each is paced on its own (~3/s user, ~20/s community).
//! - Errors arrive as HTTP 200 with `error.error_code`: 6 waits a second and tries again, 9
//!   (flood control) stops that action with VK's reason, 29 (daily limit) waits for the next day
//!   in Moscow, 5 is a token to renew, 14 is a captcha a person answers (the next request
//!   carries the answer).
//! - Live (`poll.rs`): Bots Long Poll with the server, key and `ts` in the cursor, events
//!   deduplicated by `event_id`; a pull pass (`pull.rs`: `wall.get` + `wall.getComments`,
//!   `messages.getConversations` + `getHistory`) for the first sync, after a gap, and for
//!   `kith sync`, which never waits.
//! - Writes (`write.rs`) carry `guid` / `random_id` derived from kith's key, so a retry never
//!   doubles; moderation in `moderate.rs`. VK has no hide.
//! - Pictures (`media.rs`) go up ahead of the post (upload server, then `photos.saveWallPhoto`);
//!   `wall.post` lists their handles in `attachments`.

mod ids;
mod media;
mod moderate;
mod parse;
mod places;
mod poll;
mod pull;
mod write;

use super::http::{Http, RateInfo, Retry};
use super::{
    AccountConfig, Connector, ConnectorError, FetchPage, Identity, Lookup, Outgoing, RemoteAction,
    Result, Sent,
};
use crate::domain::{Item, NewItem, Platform, Timestamp};
use crate::i18n::ph;
use futures::future::BoxFuture;
use serde_json::Value;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The API version every call pins.
pub const API_VERSION: &str = "5.199";

/// Which token a call goes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum As {
    Community,
    User,
}

impl As {
    /// VK's documented pace: about 20 requests a second for a community, 3 for a person.
    fn gap(self) -> Duration {
        match self {
            As::Community => Duration::from_millis(50),
            As::User => Duration::from_millis(340),
        }
    }
}

/// A captcha VK asked for, and the answer once a person gave it.
#[derive(Debug, Clone, Default)]
struct Captcha {
    sid: String,
    answer: Option<String>,
}

pub struct Vk {
    cfg: AccountConfig,
    group: i64,
    token: String,
    user_token: Option<String>,
    http: Http,
    /// When each token last sent a request (pacing).
    last: [tokio::sync::Mutex<Option<Instant>>; 2],
    captcha: Mutex<Option<Captcha>>,
    /// Error 6 answers: wait this long before trying again (a test makes it short).
    per_second_wait: Duration,
}

impl Vk {
    /// `token` is the community token; `user_token` an admin's user token, when given.
    pub fn new(cfg: &AccountConfig, token: String, user_token: Option<String>, http: Http) -> Vk {
        Vk {
            cfg: cfg.clone(),
            group: cfg.group_id.unwrap_or(0),
            token,
            user_token,
            http,
            last: [tokio::sync::Mutex::new(None), tokio::sync::Mutex::new(None)],
            captcha: Mutex::new(None),
            per_second_wait: Duration::from_secs(1),
        }
    }

    /// Waits this long after VK's "too many requests per second" (error 6) before trying again.
    pub fn with_per_second_wait(mut self, wait: Duration) -> Vk {
        self.per_second_wait = wait;
        self
    }

    fn owner(&self) -> i64 {
        -self.group
    }

    fn token_for(&self, who: As) -> Result<&str> {
        match who {
            As::Community => Ok(&self.token),
            As::User => self
                .user_token
                .as_deref()
                .ok_or_else(|| ConnectorError::Unsupported(crate::i18n::t("why.vk_user_token"))),
        }
    }

    async fn pace(&self, who: As) {
        let mut last = self.last[who as usize].lock().await;
        if let Some(at) = *last {
            let next = at + who.gap();
            let now = Instant::now();
            if next > now {
                tokio::time::sleep(next - now).await;
            }
        }
        *last = Some(Instant::now());
    }

    /// Calls `method` with `params` as `who`; returns VK's `response`. Error 6 is waited out
    /// (three times), the rest become the errors the module's doc lists.
    pub(super) async fn call(
        &self,
        method: &str,
        params: &[(&str, String)],
        who: As,
        retry: Retry,
    ) -> Result<Value> {
        let token = self.token_for(who)?.to_string();
        let url = format!("{}/method/{method}", self.cfg.base());
        let mut tries = 0;
        loop {
            tries += 1;
            let mut form: Vec<(String, String)> = params
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            form.push(("access_token".into(), token.clone()));
            form.push(("v".into(), API_VERSION.into()));
            let answered = self.captcha_answer();
            if let Some((sid, key)) = &answered {
                form.push(("captcha_sid".into(), sid.clone()));
                form.push(("captcha_key".into(), key.clone()));
            }
            self.pace(who).await;
            let resp = self
                .http
                .send(|c| c.post(url.as_str()).form(&form), retry)
                .await?;
            if answered.is_some() {
                self.clear_captcha();
            }
            let mut v: Value = serde_json::from_slice(&resp.body).map_err(|e| {
                ConnectorError::Malformed(format!(
                    "vk {method}: not an API answer (HTTP {}): {e}",
                    resp.status
                ))
            })?;
            let Some(err) = v.get("error") else {
                return match v.get_mut("response") {
                    Some(r) => Ok(r.take()),
                    None => Err(ConnectorError::Malformed(format!(
                        "vk {method}: neither response nor error (HTTP {})",
                        resp.status
                    ))),
                };
            };
            let code = err.get("error_code").and_then(|c| c.as_i64()).unwrap_or(0);
            if code == 6 && tries < 3 {
                tokio::time::sleep(self.per_second_wait).await;
                continue;
            }
            return Err(self.error(method, code, err));
        }
    }

    fn error(&self, method: &str, code: i64, err: &Value) -> ConnectorError {
        let text = err
            .get("error_msg")
            .and_then(|m| m.as_str())
            .unwrap_or("unknown error");
        let msg = self
            .http
            .redact(&format!("vk {method}: {text} (error {code})"));
        match code {
            5 => ConnectorError::Auth(msg),
            6 => ConnectorError::RateLimited {
                wait: self.per_second_wait,
            },
            9 => ConnectorError::Refused(crate::i18n::tf("err.vk_flood", &[("msg", &msg)])),
            29 => ConnectorError::RateLimited {
                wait: until_moscow_midnight(Timestamp::now()),
            },
            14 => {
                let sid = err
                    .get("captcha_sid")
                    .map(|s| match s {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .unwrap_or_default();
                let image = err
                    .get("captcha_img")
                    .and_then(|s| s.as_str())
                    .unwrap_or_default()
                    .to_string();
                if let Ok(mut c) = self.captcha.lock() {
                    *c = Some(Captcha { sid, answer: None });
                }
                ConnectorError::Captcha { image }
            }
            // "Unknown error" and "internal server error": VK's own trouble, worth another try.
            1 | 10 => ConnectorError::Network(msg),
            _ => ConnectorError::Refused(msg),
        }
    }

    fn captcha_answer(&self) -> Option<(String, String)> {
        let c = self.captcha.lock().ok()?;
        let c = c.as_ref()?;
        Some((c.sid.clone(), c.answer.clone()?))
    }

    fn clear_captcha(&self) {
        if let Ok(mut c) = self.captcha.lock() {
            *c = None;
        }
    }

    /// `users.get` for the ids the authors do not know yet (events carry ids only).
    async fn learn_authors(&self, authors: &mut parse::Authors, ids: &[i64]) {
        let mut want: Vec<String> = ids
            .iter()
            .filter(|&&id| id > 0 && !authors.knows(id))
            .map(|id| id.to_string())
            .collect();
        want.sort();
        want.dedup();
        if want.is_empty() {
            return;
        }
        let params = [
            ("user_ids", want.join(",")),
            ("fields", "screen_name,followers_count".to_string()),
        ];
        // Names are a nicety: a failure leaves the authors shown by id.
        if let Ok(list) = self
            .call("users.get", &params, As::Community, Retry::Safe)
            .await
        {
            authors.add_profiles(Some(&list));
        }
    }
}

/// How long until the next midnight in Moscow (UTC+3, no daylight saving), when VK's daily
/// method limits start again.
fn until_moscow_midnight(now: Timestamp) -> Duration {
    const DAY: i64 = 86_400_000;
    const MSK: i64 = 3 * 3_600_000;
    let local = now.0 + MSK;
    let next = (local.div_euclid(DAY) + 1) * DAY;
    Duration::from_millis((next - local).max(1000) as u64)
}

impl Connector for Vk {
    fn platform(&self) -> Platform {
        Platform::Vk
    }

    fn rate_info(&self) -> RateInfo {
        self.http.rate()
    }

    fn live(&self) -> bool {
        true
    }

    fn answer_captcha(&self, answer: &str) -> bool {
        let Ok(mut c) = self.captcha.lock() else {
            return false;
        };
        match c.as_mut() {
            Some(c) => {
                c.answer = Some(answer.trim().to_string());
                true
            }
            None => false,
        }
    }

    fn whoami(&self) -> BoxFuture<'_, Result<Identity>> {
        Box::pin(self.identity())
    }

    fn fetch<'a>(&'a self, cursor: Option<&'a str>) -> BoxFuture<'a, Result<FetchPage>> {
        Box::pin(self.pull_step(cursor))
    }

    fn listen<'a>(
        &'a self,
        cursor: Option<&'a str>,
        wait: Duration,
    ) -> BoxFuture<'a, Result<FetchPage>> {
        Box::pin(self.listen_step(cursor, wait))
    }

    fn thread<'a>(&'a self, item: &'a Item) -> BoxFuture<'a, Result<Vec<NewItem>>> {
        Box::pin(self.whole_thread(item))
    }

    fn reply<'a>(
        &'a self,
        item: &'a Item,
        text: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(self.send_reply(item, text, key))
    }

    fn publish<'a>(&'a self, post: &'a Outgoing) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(self.publish_post(post))
    }

    fn upload<'a>(
        &'a self,
        picture: &'a crate::domain::media::Picture,
    ) -> BoxFuture<'a, Result<String>> {
        Box::pin(self.upload_photo(picture))
    }

    fn reschedule<'a>(
        &'a self,
        remote_id: &'a str,
        at: Option<Timestamp>,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.move_postponed(remote_id, at))
    }

    fn lookup<'a>(&'a self, post: &'a Outgoing, since: Timestamp) -> BoxFuture<'a, Result<Lookup>> {
        Box::pin(self.find_post(post, since))
    }

    fn act<'a>(&'a self, item: &'a Item, action: RemoteAction) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.do_act(item, action))
    }
}

impl Vk {
    /// The community (`groups.getById`), whether Long Poll is on, and what the user token adds.
    async fn identity(&self) -> Result<Identity> {
        let g = self
            .call(
                "groups.getById",
                &[("group_id", self.group.to_string())],
                As::Community,
                Retry::Safe,
            )
            .await?;
        // 5.199 answers {groups:[…]}; older versions a bare list.
        let first = g
            .get("groups")
            .and_then(|l| l.get(0))
            .or_else(|| g.get(0))
            .cloned()
            .ok_or_else(|| ConnectorError::Malformed("vk groups.getById: no community".into()))?;
        let screen = first
            .get("screen_name")
            .and_then(|s| s.as_str())
            .map(String::from)
            .unwrap_or_else(|| format!("club{}", self.group));
        let mut abilities = vec![ph("vk.ability_community", &[])];
        let lp = self
            .call(
                "groups.getLongPollSettings",
                &[("group_id", self.group.to_string())],
                As::Community,
                Retry::Safe,
            )
            .await
            .ok();
        let enabled = lp
            .as_ref()
            .and_then(|s| s.get("is_enabled"))
            .is_some_and(|e| e.as_bool() == Some(true) || e.as_i64() == Some(1));
        abilities.push(if enabled {
            ph("vk.ability_long_poll", &[])
        } else {
            ph("vk.ability_no_long_poll", &[])
        });
        if self.user_token.is_some() {
            let who = self
                .call("users.get", &[], As::User, Retry::Safe)
                .await?
                .get(0)
                .map(|u| {
                    let f = u.get("first_name").and_then(|s| s.as_str()).unwrap_or("");
                    let l = u.get("last_name").and_then(|s| s.as_str()).unwrap_or("");
                    format!("{f} {l}").trim().to_string()
                })
                .unwrap_or_default();
            abilities.push(ph("vk.ability_user", &[("name", &who)]));
        } else {
            abilities.push(ph("vk.ability_no_user", &[]));
        }
        Ok(Identity {
            id: (-self.group).to_string(),
            handle: screen,
            name: first.get("name").and_then(|s| s.as_str()).map(String::from),
            abilities,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daily_limit_waits_for_moscow_midnight() {
        // 2026-03-14 20:59:00 UTC is 23:59 in Moscow: one minute to go.
        let t = Timestamp::parse("2026-03-14T20:59:00Z").unwrap();
        assert_eq!(until_moscow_midnight(t), Duration::from_secs(60));
        // 21:00 UTC is Moscow midnight itself: a whole day.
        let t = Timestamp::parse("2026-03-14T21:00:00Z").unwrap();
        assert_eq!(until_moscow_midnight(t), Duration::from_secs(86_400));
    }
}
