//! Connectors: how kith talks to each platform. Only this layer speaks HTTP.
//!
//! A connector turns a platform's API into kith's vocabulary: pages of `NewItem`s plus member
//! activity (likes, reposts, follows), whole threads, replies and moderation actions. It never
//! touches the store: the engine stores each page (items, activity, quarantined input and the new
//! cursor in one atomic batch) before it asks for the next one, so a crash never loses or doubles
//! an item.

pub mod account;
pub mod bearer;
mod demo;
pub mod graph;
pub mod graph_inbox;
pub mod http;
pub mod json_scan;
pub mod oauth;
pub mod secrets;

pub mod bluesky;
pub mod facebook;
pub mod google;
pub mod instagram;
pub mod mastodon;
pub mod telegram;
pub mod vk;
pub mod youtube;

pub use crate::domain::remote::{
    Activity, ActivityKind, BanReason, BanTerms, Malformed, RemoteAction,
};
pub use account::{connect, AccountConfig, ConnectContext};
pub use demo::DemoConnector;

use crate::domain::{Item, NewItem, Platform, Timestamp};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Why a platform call failed. Messages never contain secrets (see `http::Http::redact`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectorError {
    /// The platform answered and said no (4xx other than auth and rate limits). Not retried.
    #[error("{0}")]
    Refused(String),
    /// Connection failed, timed out, or the server kept answering 5xx after our retries.
    #[error("{0}")]
    Network(String),
    /// No connection could be made: nothing of the request left this machine (so a publish
    /// certainly did not happen). Retried like `Network`.
    #[error("{0}")]
    Unreachable(String),
    /// Too many requests; try again after `wait`.
    #[error("rate limited for {}s", .wait.as_secs())]
    RateLimited { wait: Duration },
    /// The credentials were refused or expired and could not be refreshed: a human must act.
    #[error("{0}")]
    Auth(String),
    /// The account's secret cannot be read (unset, missing, readable by others): a human must
    /// act. Kept as it is so that each reader sees it in their own language.
    #[error("{0}")]
    Secret(secrets::SecretError),
    /// The platform does not allow this action (reason is shown to the operator).
    #[error("{0}")]
    Unsupported(String),
    /// The response could not be understood at all (a whole page, not one item).
    #[error("{0}")]
    Malformed(String),
    /// The platform wants a human to solve a captcha first (VK error 14): `image` is the
    /// picture's address; the answer goes to `Connector::answer_captcha`, and the next request
    /// carries it. Nothing was done.
    #[error("captcha: {image}")]
    Captcha { image: String },
}

impl ConnectorError {
    /// Errors that mean "the account needs re-authentication".
    pub fn is_auth(&self) -> bool {
        matches!(self, ConnectorError::Auth(_) | ConnectorError::Secret(_))
    }
}

/// A publish whose answer was a success we could not read: the platform most likely took the
/// post, so this is an unknown outcome (`Network`), never a clean failure.
fn unread_answer(what: &str, e: ConnectorError) -> ConnectorError {
    match e {
        ConnectorError::Malformed(m) => ConnectorError::Network(format!(
            "{what}: the platform answered but its answer could not be read ({m}); the post may \
             have been published"
        )),
        other => other,
    }
}

/// Text that is empty once trimmed: refused before any request (no platform publishes it).
fn refuse_empty(text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(ConnectorError::Refused("the post is empty".into()));
    }
    Ok(())
}

pub type Result<T> = std::result::Result<T, ConnectorError>;

/// What a platform said after accepting something we sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub native_id: String,
    pub url: Option<String>,
}

/// One post (or one part of a thread) to publish on an account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outgoing {
    /// The text exactly as it should appear (already adapted to this network).
    pub text: String,
    /// Unique per post, target account and thread part; a retry with the same key never
    /// publishes twice where the platform honours it (Mastodon `Idempotency-Key`, Bluesky rkey).
    pub idempotency_key: String,
    /// The previous part when a long text goes out as a thread (its `Sent` from this account).
    pub reply_to: Option<Sent>,
    /// Ask the platform to publish at this time itself (Mastodon `scheduled_at`); `None` publishes
    /// now. Only honoured where `Capabilities::native_schedule` is true.
    pub native_at: Option<Timestamp>,
    /// Pictures (first part of a thread only), with their handles where `upload` ran first.
    pub media: Vec<crate::domain::media::Picture>,
}

/// What looking for an earlier attempt among the account's own recent posts found.
///
/// - Mastodon searches the account's recent statuses (and its scheduled statuses when the post
///   was natively scheduled) for the same text in the same place of the thread.
/// - Bluesky reads the record whose key kith derived from the idempotency key.
/// - Telegram cannot look (a bot has no channel history): always `Unknowable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The post is there: it went out.
    Found(Sent),
    /// The platform can say for sure that it is not there.
    Absent,
    /// The platform cannot tell (no history API, or the history is out of reach): a human decides.
    Unknowable,
}

/// Who the credentials belong to (`kith account test`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub id: String,
    pub handle: String,
    pub name: Option<String>,
    /// What the credentials allow, one line each, where a platform's tokens differ in what
    /// they can do (VK's community and user tokens): shown by `kith account test`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub abilities: Vec<crate::i18n::Phrase>,
}

/// One page of a sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchPage {
    pub items: Vec<NewItem>,
    pub activity: Vec<Activity>,
    pub malformed: Vec<Malformed>,
    /// The cursor to store together with this page. `None` keeps the stored cursor unchanged.
    pub cursor: Option<String>,
    /// True when the engine should ask for the next page (with `cursor`) right away.
    pub more: bool,
}

impl FetchPage {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.activity.is_empty() && self.malformed.is_empty()
    }
}

pub trait Connector: Send + Sync {
    fn platform(&self) -> Platform;

    /// Checks the credentials and says who they belong to.
    fn whoami(&self) -> BoxFuture<'_, Result<Identity>>;

    /// Fetches the next page after `cursor` (`None`: first sync). The engine stores the page and
    /// its `cursor` atomically before calling again.
    fn fetch<'a>(&'a self, cursor: Option<&'a str>) -> BoxFuture<'a, Result<FetchPage>>;

    /// Whether asking for the page after `cursor` tells the platform that everything before it
    /// was received, so the platform drops it (Telegram's `getUpdates` offset). The engine then
    /// stores each page before it asks for the next, instead of storing a few pages together.
    fn fetch_confirms(&self) -> bool {
        false
    }

    /// Whether the platform pushes events over a long poll (VK's Bots Long Poll): the running
    /// engine then calls `listen` back to back instead of `fetch` on the account's interval.
    fn live(&self) -> bool {
        false
    }

    /// Like `fetch`, but where there is nothing to pull the connector may wait up to `wait` for
    /// the platform to push something (a long poll). `fetch` itself never waits, so `kith sync`
    /// answers at once. Pages and cursors work exactly as for `fetch`.
    fn listen<'a>(
        &'a self,
        cursor: Option<&'a str>,
        wait: Duration,
    ) -> BoxFuture<'a, Result<FetchPage>> {
        let _ = wait;
        self.fetch(cursor)
    }

    /// The shortest time between polls this account can afford (YouTube's daily quota spread
    /// over what is left of the day), or `None` when the account's own interval is fine.
    fn poll_floor(&self) -> Option<Duration> {
        None
    }

    /// Takes a human's answer to the captcha last reported with `ConnectorError::Captcha`;
    /// false when there is no captcha waiting.
    fn answer_captcha(&self, answer: &str) -> bool {
        let _ = answer;
        false
    }

    /// Fetches the whole conversation around `item` (ancestors and replies) from the platform.
    /// Platforms without a history API return an empty list: the thread is rebuilt from the store.
    fn thread<'a>(&'a self, item: &'a Item) -> BoxFuture<'a, Result<Vec<NewItem>>>;

    /// Sends `text` as a reply to `item`. `idempotency_key` is unique per reply, so a retry with the
    /// same key never posts twice where the platform honours it.
    fn reply<'a>(
        &'a self,
        item: &'a Item,
        text: &'a str,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Sent>>;

    /// Sends a reply the way `how` says: Facebook and Instagram also answer a DM past the
    /// standard window with the Human Agent tag, and a comment privately. Elsewhere only the
    /// normal reply exists.
    fn reply_with<'a>(
        &'a self,
        item: &'a Item,
        text: &'a str,
        idempotency_key: &'a str,
        how: crate::domain::messaging::Delivery,
    ) -> BoxFuture<'a, Result<Sent>> {
        match how {
            crate::domain::messaging::Delivery::Standard => self.reply(item, text, idempotency_key),
            _ => {
                let why =
                    crate::i18n::tf("graph_msg.private_only", &[("platform", &item.platform)]);
                Box::pin(async move { Err(ConnectorError::Unsupported(why)) })
            }
        }
    }

    /// What the account cannot do now that it could with more permissions (Instagram messages
    /// without `instagram_manage_messages`), one line each, for the Accounts view.
    fn notices(&self) -> Vec<crate::i18n::Phrase> {
        Vec::new()
    }

    /// Publishes a post (or one thread part). An error means the platform did not take it, except
    /// `Network` after the request left: then the outcome is unknown and the caller must `lookup`.
    ///
    /// So connectors report a success answer they cannot read (the post probably went out) as
    /// `Network`, never as `Malformed`; `Refused`, `Auth`, `RateLimited` and `Unsupported` always
    /// mean nothing was published. Text over the platform's limit is `Refused` before any request.
    fn publish<'a>(&'a self, post: &'a Outgoing) -> BoxFuture<'a, Result<Sent>> {
        let _ = post;
        let p = self.platform();
        Box::pin(async move {
            Err(ConnectorError::Unsupported(crate::i18n::tf(
                "why.no_publish",
                &[("platform", &p)],
            )))
        })
    }

    /// Whether pictures go up ahead of the post (`upload`, each handle then kept with the post
    /// before the post is sent), or travel in the publishing request itself (Telegram).
    fn uploads_first(&self) -> bool {
        true
    }

    /// Uploads one picture ahead of the post and returns the platform's handle for it (a media
    /// id, a blob, a saved photo). An upload nothing refers to is harmless, so the engine simply
    /// tries again after any failure.
    fn upload<'a>(
        &'a self,
        picture: &'a crate::domain::media::Picture,
    ) -> BoxFuture<'a, Result<String>> {
        let _ = picture;
        let p = self.platform();
        Box::pin(async move {
            Err(ConnectorError::Unsupported(crate::i18n::tf(
                "why.no_media",
                &[("platform", &p)],
            )))
        })
    }

    /// Moves a post the platform scheduled itself (`remote_id` from `publish` with `native_at`)
    /// to `at`, or cancels it with `None`.
    fn reschedule<'a>(
        &'a self,
        remote_id: &'a str,
        at: Option<Timestamp>,
    ) -> BoxFuture<'a, Result<()>> {
        let _ = (remote_id, at);
        let p = self.platform();
        Box::pin(async move {
            Err(ConnectorError::Unsupported(crate::i18n::tf(
                "why.no_publish",
                &[("platform", &p)],
            )))
        })
    }

    /// Looks for `post` among the account's own posts made since `since` (resolves a post whose
    /// fate is unknown after a crash or a timeout). `since` is when the first attempt began; the
    /// connector allows for some clock skew between kith and the platform itself.
    fn lookup<'a>(&'a self, post: &'a Outgoing, since: Timestamp) -> BoxFuture<'a, Result<Lookup>> {
        let _ = (post, since);
        Box::pin(async move { Ok(Lookup::Unknowable) })
    }

    /// Likes or moderates `item`. Actions the platform lacks return `Unsupported` with the reason.
    fn act<'a>(&'a self, item: &'a Item, action: RemoteAction) -> BoxFuture<'a, Result<()>>;

    /// The platform's rate-limit state as last reported (for the Accounts view).
    fn rate_info(&self) -> http::RateInfo {
        http::RateInfo::default()
    }

    /// The text limit for replies on this account (e.g. the Mastodon instance's own limit).
    fn text_limit(&self) -> BoxFuture<'_, Result<usize>> {
        let n = self.platform().capabilities().text_limit;
        Box::pin(async move { Ok(n) })
    }
}

/// Why an action is unavailable on a platform, or `None` when it is available. Capabilities are
/// data; this turns them into the sentence the operator sees.
pub fn action_unavailable(platform: Platform, action: RemoteAction) -> Option<String> {
    action_refusal(platform, action).map(|p| p.to_string())
}

/// Why a platform does not allow an action, to be worded by whoever shows it (None: allowed).
pub fn action_refusal(platform: Platform, action: RemoteAction) -> Option<crate::i18n::Phrase> {
    action.refusal(platform)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unavailable_action_says_why() {
        crate::i18n::init(crate::i18n::Lang::En);
        assert_eq!(
            action_unavailable(Platform::Mastodon, RemoteAction::Like),
            None
        );
        assert_eq!(
            action_unavailable(Platform::Bluesky, RemoteAction::Hide),
            None
        );
        assert_eq!(
            action_unavailable(Platform::Telegram, RemoteAction::Delete),
            None
        );
        assert_eq!(
            action_unavailable(Platform::Bluesky, RemoteAction::Mute),
            None
        );
        let why = action_unavailable(Platform::Mastodon, RemoteAction::Hide).unwrap();
        assert!(why.contains("mute the conversation"), "{why}");
        let why = action_unavailable(Platform::Telegram, RemoteAction::Hide).unwrap();
        assert!(why.contains("delete the message"), "{why}");
        let why = action_unavailable(Platform::Google, RemoteAction::Like).unwrap();
        assert_eq!(
            why,
            "Owners cannot hide, like or delete a Google review: answer it publicly instead"
        );
        assert_eq!(
            action_unavailable(Platform::Google, RemoteAction::Hide),
            Some(why)
        );
        for p in Platform::ALL {
            for a in RemoteAction::ALL {
                if let Some(w) = action_unavailable(p, a) {
                    assert!(!w.is_empty() && !w.contains("why."), "{p} {a:?}: {w}");
                }
            }
        }
    }
}
