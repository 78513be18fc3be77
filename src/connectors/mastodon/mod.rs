//! Mastodon connector (REST API v1/v2, Bearer token).
//!
//! - Inbox: `GET /api/v1/notifications` filtered to mentions, quotes, favourites, reblogs and
//!   follows. Mentions and quotes become items; the rest is member activity (or items when the
//!   account asks for `activity_items`).
//! - Paging is by *notification* id (never the status id, Mastodon.py#270), read from the `Link`
//!   header with the page's own ids as fallback, because an empty page may have no `Link` at all
//!   (mastodon#25495). Each forward poll reads again the last few ids it handled (`cursor.rs`),
//!   and asks for notifications the account's policy filters (`include_filtered`).
//! - Each notification is parsed on its own (see `scan`), so one broken element is quarantined
//!   and the rest of the page is kept.

mod cursor;
mod html;

use cursor::Cursor;

pub use html::to_text as html_to_text;

use super::http::{Http, Response, Retry};
use super::{
    action_unavailable, AccountConfig, Activity, ActivityKind, Connector, ConnectorError,
    FetchPage, Identity, Lookup, Malformed, Outgoing, RemoteAction, Result, Sent,
};
use crate::domain::{Author, Item, Kind, NewItem, Platform, Status, Timestamp};
use futures::future::BoxFuture;
use serde::{Deserialize, Deserializer};
use tokio::sync::OnceCell;

/// Notifications per page (Mastodon allows up to 80; 40 is its default maximum for clients).
const PAGE: usize = 40;
/// First sync: the newest page plus older pages, at most this many in total.
const FIRST_SYNC_PAGES: u32 = 5;
/// Notification types we ask for.
const TYPES: [&str; 5] = ["mention", "quote", "favourite", "reblog", "follow"];
/// Prefix of the native id of an activity stored as an item: notification ids and status ids
/// are different id spaces, so they must not share a key in the store.
const NOTIFICATION_PREFIX: &str = "notification:";
/// Prefix of the native id of a post Mastodon holds for later (a ScheduledStatus, not a status
/// yet: its id is in yet another id space).
pub const SCHEDULED_PREFIX: &str = "scheduled:";
/// `lookup`: the account's own statuses read per page, and at most this many pages back.
const LOOKUP_PAGE: usize = 40;
const LOOKUP_PAGES: u32 = 5;
/// `lookup`: pages of scheduled statuses read at most (Mastodon keeps at most 300 pending).
const SCHEDULED_PAGES: u32 = 8;
/// `lookup`: how far the server's clock may be behind ours. Statuses this much older than `since`
/// still count as candidates, and the search only ends past `since` minus this margin.
const CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;
/// `lookup`: a scheduled status matches when its time is this close to the one asked for.
const SCHEDULE_SLACK_MS: i64 = 60 * 1000;

pub struct Mastodon {
    cfg: AccountConfig,
    token: String,
    http: Http,
    /// Our own account id: marks our statuses `ours` and tells replies from mentions.
    me: OnceCell<String>,
    /// The instance's status length limit, once read.
    limit: OnceCell<usize>,
}

/// Ids are strings in Mastodon; some forks send numbers. Accept both.
fn de_id<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        S(String),
        U(u64),
        I(i64),
    }
    Ok(match Id::deserialize(d)? {
        Id::S(s) => s,
        Id::U(n) => n.to_string(),
        Id::I(n) => n.to_string(),
    })
}

fn de_opt_id<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct W(#[serde(deserialize_with = "de_id")] String);
    Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
}

/// Counts are optional decoration: a negative, fractional or string count becomes `None`
/// instead of quarantining the whole notification.
fn de_count<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<u64>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

#[derive(Debug, Deserialize)]
struct Account {
    #[serde(deserialize_with = "de_id")]
    id: String,
    #[serde(default)]
    acct: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default, deserialize_with = "de_count")]
    followers_count: Option<u64>,
}

impl Account {
    fn author(&self) -> Author {
        Author {
            id: self.id.clone(),
            handle: self.acct.clone().or_else(|| self.username.clone()),
            name: self.display_name.clone().filter(|n| !n.is_empty()),
            followers: self.followers_count,
        }
    }
}

#[derive(Debug, Deserialize)]
struct MStatus {
    #[serde(deserialize_with = "de_id")]
    id: String,
    created_at: String,
    #[serde(default, deserialize_with = "de_opt_id")]
    in_reply_to_id: Option<String>,
    #[serde(default, deserialize_with = "de_opt_id")]
    in_reply_to_account_id: Option<String>,
    #[serde(default)]
    visibility: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    spoiler_text: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    account: Option<Account>,
    /// Mastodon 4.5 quotes: `{state, quoted_status: {id...}}`; only the id is used.
    #[serde(default)]
    quote: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Notification {
    #[serde(deserialize_with = "de_id")]
    id: String,
    #[serde(rename = "type")]
    kind: String,
    created_at: String,
    account: Account,
    #[serde(default)]
    status: Option<MStatus>,
}

/// Just the id of a notification, read even when the rest of it is broken (serde skips the
/// other fields without decoding their strings), so the cursor can move past a bad element.
#[derive(Deserialize)]
struct IdOnly {
    #[serde(deserialize_with = "de_id")]
    id: String,
}

/// `min_id` of `rel="prev"` and `max_id` of `rel="next"` from a `Link` header.
#[derive(Debug, Default, PartialEq, Eq)]
struct Links {
    prev_min: Option<String>,
    next_max: Option<String>,
}

fn parse_links(header: Option<&str>) -> Links {
    let mut links = Links::default();
    let Some(h) = header else { return links };
    let mut rest = h;
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>').map(|e| start + e) else {
            break;
        };
        let target = &rest[start + 1..end];
        let params_end = rest[end..].find('<').map(|e| end + e).unwrap_or(rest.len());
        let params = &rest[end + 1..params_end];
        let rel = params
            .split(';')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("rel"))
            .map(|(_, v)| {
                v.trim()
                    .trim_matches(['"', ','])
                    .trim()
                    .to_ascii_lowercase()
            });
        let query = |name: &str| {
            url::Url::parse("http://base.invalid/")
                .and_then(|b| b.join(target))
                .ok()
                .and_then(|u| {
                    u.query_pairs()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.into_owned())
                })
                .filter(|v| !v.is_empty())
        };
        match rel.as_deref() {
            Some("prev") => links.prev_min = query("min_id").or_else(|| query("since_id")),
            Some("next") => links.next_max = query("max_id"),
            _ => {}
        }
        rest = &rest[params_end..];
    }
    links
}

fn timestamp(s: &str, what: &str) -> std::result::Result<Timestamp, String> {
    Timestamp::parse(s).ok_or_else(|| format!("{what}: bad created_at {s:?}"))
}

fn short(e: &serde_json::Error) -> String {
    let s = e.to_string();
    s.chars().take(200).collect()
}

/// Does `text` already contain `@acct` as a whole handle (case-insensitive)?
fn mentions(text: &str, acct: &str) -> bool {
    let needle = format!("@{}", acct.trim_start_matches('@')).to_lowercase();
    let hay = text.to_lowercase();
    let mut from = 0;
    while let Some(pos) = hay[from..].find(&needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before_ok = hay[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '@'));
        let after_ok = hay[end..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '@'));
        // "@lea.example" continues a domain; "@lea." ends a sentence.
        let after_dot = hay[end..]
            .strip_prefix('.')
            .is_some_and(|r| r.chars().next().is_some_and(|c| c.is_alphanumeric()));
        if before_ok && after_ok && !after_dot {
            return true;
        }
        from = end;
    }
    false
}

impl Mastodon {
    pub fn new(cfg: &AccountConfig, secret: String, http: Http) -> Self {
        Mastodon {
            cfg: cfg.clone(),
            token: secret,
            http,
            me: OnceCell::new(),
            limit: OnceCell::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.cfg.base(), path)
    }

    /// 401 → `Auth`, other 4xx → `Refused`, with the platform's message redacted.
    fn checked(&self, resp: Response) -> Result<Response> {
        resp.check().map_err(|e| match e {
            ConnectorError::Auth(m) => ConnectorError::Auth(self.http.redact(&m)),
            ConnectorError::Refused(m) => ConnectorError::Refused(self.http.redact(&m)),
            other => other,
        })
    }

    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Response> {
        let url = self.url(path);
        let resp = self
            .http
            .send(
                |c| c.get(&url).bearer_auth(&self.token).query(query),
                Retry::Safe,
            )
            .await?;
        self.checked(resp)
    }

    /// A POST without a body. Only used for actions the server treats as idempotent
    /// (favourite, mute, dismiss: doing them twice leaves the same state), so retrying is safe.
    async fn post_idempotent(&self, path: &str) -> Result<Response> {
        let url = self.url(path);
        let resp = self
            .http
            .send(|c| c.post(&url).bearer_auth(&self.token), Retry::Safe)
            .await?;
        self.checked(resp)
    }

    /// Our account id: cached, else from the stored cursor, else `verify_credentials`.
    async fn my_id(&self, hint: Option<&str>) -> Result<String> {
        if let Some(id) = self.me.get() {
            return Ok(id.clone());
        }
        if let Some(h) = hint.filter(|h| !h.is_empty()) {
            let _ = self.me.set(h.to_string());
            return Ok(h.to_string());
        }
        Ok(self.identity().await?.id)
    }

    async fn identity(&self) -> Result<Identity> {
        let resp = self.get("/api/v1/accounts/verify_credentials", &[]).await?;
        let acc: Account = resp.json()?;
        let handle = acc
            .acct
            .clone()
            .or(acc.username.clone())
            .unwrap_or_default();
        let _ = self.me.set(acc.id.clone());
        Ok(Identity {
            id: acc.id,
            handle,
            name: acc.display_name.filter(|n| !n.is_empty()),
        })
    }

    async fn fetch_page(&self, cursor: Option<&str>) -> Result<FetchPage> {
        let mut cur = Cursor::parse(cursor);
        let me = self.my_id(cur.me.as_deref()).await?;
        let mut query: Vec<(&str, String)> = vec![("limit", PAGE.to_string())];
        query.extend(TYPES.iter().map(|t| ("types[]", t.to_string())));
        // Notifications the account's notification policy filters (Mastodon 4.3+: by default
        // private mentions from people it does not follow) come too, at arrival: accepting them
        // later only unfilters them under their old ids, below every later poll.
        query.push(("include_filtered", "true".to_string()));
        // Backfill first (a crash mid first-sync resumes it), then poll forward.
        let backfill = cur.older.is_some();
        let forward = !backfill && cur.newest.is_some();
        if let Some(older) = &cur.older {
            query.push(("max_id", older.clone()));
        } else if let Some(since) = cur.since() {
            query.push(("min_id", since.clone()));
        }
        let resp = self.get("/api/v1/notifications", &query).await?;
        let elems = super::json_scan::split_array(&resp.body).map_err(|e| {
            ConnectorError::Malformed(format!(
                "notifications: unreadable body (HTTP {}): {}",
                resp.status, e.0
            ))
        })?;
        let links = parse_links(resp.header("link"));
        let full = elems.len() >= PAGE;
        let first_id = elems
            .first()
            .and_then(|e| serde_json::from_slice::<IdOnly>(e).ok())
            .map(|x| x.id);
        let last_id = elems
            .last()
            .and_then(|e| serde_json::from_slice::<IdOnly>(e).ok())
            .map(|x| x.id);

        let before = cur.clone();
        let mut page = FetchPage::default();
        let mut handled = Vec::new();
        for raw in &elems {
            match serde_json::from_slice::<IdOnly>(raw) {
                // Read again by the window: already stored.
                Ok(x) if cur.knows(&x.id) => continue,
                Ok(x) => handled.push(x.id),
                Err(_) if !cur.first_bad(raw) => continue,
                Err(_) => {}
            }
            self.map_notification(raw, &me, &mut page);
        }
        cur.remember(handled);
        let more;
        if backfill {
            cur.pages = cur.pages.saturating_add(1);
            let next = links.next_max.or(last_id);
            cur.older = next
                .filter(|n| full && cur.pages < FIRST_SYNC_PAGES && Some(n) != cur.older.as_ref());
            more = cur.older.is_some();
        } else if forward {
            let top = links.prev_min.or(first_id);
            if let Some(n) = top.filter(|n| {
                cur.newest
                    .as_deref()
                    .is_none_or(|old| cursor::id_order(n, old).is_gt())
            }) {
                cur.newest = Some(n);
            }
            // Only keep paging when the mark moved, so a server ignoring min_id cannot loop us.
            more = full && cur.newest != before.newest;
            cur.paging = more;
        } else {
            if elems.is_empty() {
                return Ok(page);
            }
            cur.newest = links.prev_min.or(first_id);
            cur.pages = 1;
            cur.older = links
                .next_max
                .or(last_id)
                .filter(|_| full && FIRST_SYNC_PAGES > 1);
            more = cur.older.is_some();
        }
        if cur.older.is_none() {
            cur.pages = 0;
        }
        cur.me = Some(me);
        if cur != before {
            page.cursor = Some(cur.encode());
        }
        page.more = more;
        Ok(page)
    }

    /// Turns one raw notification into an item, an activity, a quarantined element, or nothing
    /// (types we did not ask for).
    fn map_notification(&self, raw: &[u8], me: &str, page: &mut FetchPage) {
        let quarantine = |page: &mut FetchPage, reason: String| {
            page.malformed.push(Malformed {
                reason,
                raw: raw.to_vec(),
            })
        };
        let n: Notification = match serde_json::from_slice(raw) {
            Ok(n) => n,
            Err(e) => return quarantine(page, format!("notification: {}", short(&e))),
        };
        let at = match timestamp(&n.created_at, "notification") {
            Ok(t) => t,
            Err(e) => return quarantine(page, e),
        };
        let activity = match n.kind.as_str() {
            "mention" | "quote" => None,
            "favourite" => Some(ActivityKind::Like),
            "reblog" => Some(ActivityKind::Repost),
            "follow" => Some(ActivityKind::Follow),
            other => {
                tracing::debug!(kind = other, "mastodon: notification type ignored");
                return;
            }
        };
        if let Some(kind) = activity {
            let target = n.status.as_ref().map(|s| s.id.clone());
            if self.cfg.activity_items {
                let text = match kind {
                    ActivityKind::Like => "favourited your post",
                    ActivityKind::Repost => "boosted your post",
                    ActivityKind::Follow => "followed you",
                };
                let mut item = self.base_item(
                    Kind::Mention,
                    format!("{NOTIFICATION_PREFIX}{}", n.id),
                    n.account.author(),
                    at,
                );
                item.text = text.to_string();
                item.parent_native_id = target.clone();
                item.post_native_id = target;
                item.url = n
                    .status
                    .as_ref()
                    .and_then(|s| s.url.clone().or(s.uri.clone()));
                item.ours = n.account.id == me;
                page.items.push(item);
            } else {
                page.activity.push(Activity {
                    platform: Platform::Mastodon,
                    account: self.cfg.name.clone(),
                    native_id: n.id,
                    kind,
                    author: n.account.author(),
                    at,
                    target,
                });
            }
            return;
        }
        let Some(status) = n.status else {
            return quarantine(page, format!("{} notification without a status", n.kind));
        };
        let kind = if n.kind == "quote" {
            Kind::Quote
        } else if status.visibility.as_deref() == Some("direct") {
            Kind::Dm
        } else if status.in_reply_to_account_id.as_deref() == Some(me) {
            Kind::Reply
        } else {
            Kind::Mention
        };
        // The notification's account is the full author record (the embedded status account may
        // be abridged); they are the same person for mentions and quotes.
        match self.status_item(status, kind, n.account.author(), me) {
            Ok(item) => page.items.push(item),
            Err(e) => quarantine(page, e),
        }
    }

    fn base_item(&self, kind: Kind, native_id: String, author: Author, at: Timestamp) -> NewItem {
        NewItem {
            platform: Platform::Mastodon,
            account: self.cfg.name.clone(),
            kind,
            native_id,
            parent_native_id: None,
            root_native_id: None,
            post_native_id: None,
            author,
            text: String::new(),
            title: None,
            lang: None,
            rating: None,
            created_at: at,
            url: None,
            status: Status::New,
            tags: Vec::new(),
            ours: false,
            source: None,
        }
    }

    fn status_item(
        &self,
        s: MStatus,
        kind: Kind,
        author: Author,
        me: &str,
    ) -> std::result::Result<NewItem, String> {
        let at = timestamp(&s.created_at, "status")?;
        let ours = author.id == me;
        let mut item = self.base_item(kind, s.id, author, at);
        item.parent_native_id = s.in_reply_to_id;
        item.post_native_id = s
            .quote
            .as_ref()
            .and_then(|q| q.pointer("/quoted_status/id"))
            .and_then(|v| v.as_str().map(str::to_string));
        item.text = html::to_text(s.content.as_deref().unwrap_or_default());
        item.title = s.spoiler_text.filter(|t| !t.is_empty());
        item.lang = s.language.filter(|l| !l.is_empty());
        item.url = s.url.or(s.uri);
        item.ours = ours;
        Ok(item)
    }

    /// `GET /api/v1/statuses/:id/context`. Mastodon 4.5 may add `Mastodon-Async-Refresh` while it
    /// still loads remote replies; we ignore it and return what is there (the next thread
    /// request picks up the rest).
    async fn fetch_thread(&self, item: &Item) -> Result<Vec<NewItem>> {
        let Some(id) = status_id(item) else {
            return Ok(Vec::new());
        };
        let me = self.my_id(None).await?;
        let resp = self
            .get(&format!("/api/v1/statuses/{}/context", enc(id)), &[])
            .await?;
        let fields = super::json_scan::object_fields(&resp.body).map_err(|e| {
            ConnectorError::Malformed(format!("context: not a JSON object: {}", e.0))
        })?;
        let mut out = Vec::new();
        for (key, value) in fields {
            if key != "ancestors" && key != "descendants" {
                continue;
            }
            let elems = super::json_scan::split_array(value)
                .map_err(|e| ConnectorError::Malformed(format!("context.{key}: {}", e.0)))?;
            for raw in elems {
                let parsed = serde_json::from_slice::<MStatus>(raw)
                    .map_err(|e| short(&e))
                    .and_then(|s| {
                        let author = s
                            .account
                            .as_ref()
                            .map(Account::author)
                            .ok_or_else(|| "status without account".to_string())?;
                        let kind = if s.in_reply_to_id.is_some() {
                            Kind::Reply
                        } else {
                            Kind::Comment
                        };
                        self.status_item(s, kind, author, &me)
                    });
                match parsed {
                    Ok(i) => out.push(i),
                    // A thread has no quarantine channel: skip the element, keep the rest.
                    Err(e) => tracing::warn!(reason = %e, "mastodon: thread status skipped"),
                }
            }
        }
        Ok(out)
    }

    /// A reply is never more public than the post it answers: answering a followers-only post
    /// in public would show a private conversation to everyone.
    async fn reply_visibility(&self, id: &str) -> Result<&'static str> {
        let url = self.url(&format!("/api/v1/statuses/{id}"));
        let resp = self
            .http
            .send(|c| c.get(&url).bearer_auth(&self.token), Retry::Safe)
            .await?;
        let resp = self.checked(resp)?;
        let v: serde_json::Value = resp.json()?;
        Ok(match v["visibility"].as_str() {
            Some("direct") => "direct",
            Some("private") => "private",
            Some("unlisted") => "unlisted",
            _ => "public",
        })
    }

    async fn send_reply(&self, item: &Item, text: &str, key: &str) -> Result<Sent> {
        let Some(id) = status_id(item) else {
            return Err(ConnectorError::Unsupported(
                "this is a notification (favourite, boost or follow), not a post to reply to"
                    .into(),
            ));
        };
        let mut status = text.to_string();
        let is_us = self.me.get().is_some_and(|me| *me == item.author.id);
        if let Some(acct) = item.author.handle.as_deref().filter(|a| !a.is_empty()) {
            // Mastodon only notifies people mentioned in the text, as its own clients do.
            if !is_us && !mentions(text, acct) {
                status = format!("@{} {text}", acct.trim_start_matches('@'));
            }
        }
        let visibility = if item.kind == Kind::Dm {
            "direct"
        } else {
            self.reply_visibility(id).await?
        };
        let body = serde_json::json!({
            "status": status,
            "in_reply_to_id": id,
            "visibility": visibility,
        });
        let url = self.url("/api/v1/statuses");
        // Safe to retry: the server remembers `Idempotency-Key` for an hour and returns the
        // first status instead of posting twice.
        let resp = self
            .http
            .send(
                |c| {
                    c.post(&url)
                        .bearer_auth(&self.token)
                        .header("Idempotency-Key", key)
                        .json(&body)
                },
                Retry::Safe,
            )
            .await?;
        let resp = self.checked(resp)?;
        #[derive(Deserialize)]
        struct Created {
            #[serde(deserialize_with = "de_id")]
            id: String,
            #[serde(default)]
            url: Option<String>,
            #[serde(default)]
            uri: Option<String>,
        }
        let c: Created = resp.json()?;
        Ok(Sent {
            native_id: c.id,
            url: c.url.or(c.uri),
        })
    }

    /// `POST /api/v1/statuses` for the outbox: public, threaded with `in_reply_to_id`, natively
    /// scheduled with `scheduled_at`. The `Idempotency-Key` makes every retry (ours on a 5xx or a
    /// timeout, or the scheduler's after a crash, within the hour the server remembers keys)
    /// return the first status instead of posting twice.
    async fn send_post(&self, post: &Outgoing) -> Result<Sent> {
        super::refuse_empty(&post.text)?;
        let mut body = serde_json::json!({
            "status": post.text,
            "visibility": "public",
        });
        if let Some(prev) = &post.reply_to {
            if prev.native_id.starts_with(SCHEDULED_PREFIX) {
                return Err(ConnectorError::Unsupported(
                    "Mastodon cannot thread a post under one that is still scheduled; publish \
                     the thread at once or schedule it in kith instead"
                        .into(),
                ));
            }
            body["in_reply_to_id"] = serde_json::json!(prev.native_id);
        }
        if let Some(at) = post.native_at {
            body["scheduled_at"] = serde_json::json!(at.to_rfc3339());
        }
        let url = self.url("/api/v1/statuses");
        let key = post.idempotency_key.as_str();
        // Safe to retry: the server dedups by `Idempotency-Key` (see `send_reply`).
        let resp = self
            .http
            .send(
                |c| {
                    c.post(&url)
                        .bearer_auth(&self.token)
                        .header("Idempotency-Key", key)
                        .json(&body)
                },
                Retry::Safe,
            )
            .await?;
        let resp = self.checked(resp)?;
        let v: serde_json::Value = resp
            .json()
            .map_err(|e| super::unread_answer("mastodon: publish", e))?;
        parse_created(&v).ok_or_else(|| {
            ConnectorError::Network(
                "mastodon: publish: the server answered without a status id; the post may have \
                 been published"
                    .into(),
            )
        })
    }

    /// Finds an earlier attempt of `post`: among the scheduled statuses when it was natively
    /// scheduled, then among the account's own statuses back to `since`.
    async fn find_post(&self, post: &Outgoing, since: Timestamp) -> Result<Lookup> {
        let want = comparable(&post.text);
        let reply_to = post.reply_to.as_ref().map(|s| s.native_id.as_str());
        let mut scheduled_unsure = false;
        if let Some(at) = post.native_at {
            match self.find_scheduled(&want, reply_to, at).await? {
                Lookup::Found(s) => return Ok(Lookup::Found(s)),
                Lookup::Absent => {}
                Lookup::Unknowable => scheduled_unsure = true,
            }
        }
        let found = self.find_status(&want, reply_to, since).await?;
        Ok(match found {
            Lookup::Absent if scheduled_unsure => Lookup::Unknowable,
            other => other,
        })
    }

    /// `GET /api/v1/accounts/:me/statuses`, newest first, paged with `max_id` until the statuses
    /// are older than `since` (minus the clock margin), at most `LOOKUP_PAGES` pages.
    async fn find_status(
        &self,
        want: &str,
        reply_to: Option<&str>,
        since: Timestamp,
    ) -> Result<Lookup> {
        let me = self.my_id(None).await?;
        let path = format!("/api/v1/accounts/{}/statuses", enc(&me));
        let floor = since.0.saturating_sub(CLOCK_SKEW_MS);
        // A status we could not read might have been the one: then "absent" is not certain.
        let mut unreadable = false;
        let mut max_id: Option<String> = None;
        for _ in 0..LOOKUP_PAGES {
            let mut query = vec![
                ("limit", LOOKUP_PAGE.to_string()),
                ("exclude_reblogs", "true".to_string()),
            ];
            if let Some(m) = &max_id {
                query.push(("max_id", m.clone()));
            }
            let resp = self.get(&path, &query).await?;
            let elems = super::json_scan::split_array(&resp.body).map_err(|e| {
                ConnectorError::Malformed(format!("statuses: not a JSON array: {}", e.0))
            })?;
            if elems.is_empty() {
                // The start of the account's history: nothing older exists.
                return Ok(if unreadable {
                    Lookup::Unknowable
                } else {
                    Lookup::Absent
                });
            }
            let mut reached_floor = false;
            for raw in &elems {
                let s = match serde_json::from_slice::<MStatus>(raw) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(reason = %short(&e), "mastodon: lookup: status unreadable");
                        unreadable = true;
                        continue;
                    }
                };
                let Some(at) = Timestamp::parse(&s.created_at) else {
                    unreadable = true;
                    continue;
                };
                if at.0 < floor {
                    reached_floor = true;
                    continue;
                }
                let text = html::to_text(s.content.as_deref().unwrap_or_default());
                if s.in_reply_to_id.as_deref() == reply_to && comparable(&text) == want {
                    return Ok(Lookup::Found(Sent {
                        native_id: s.id,
                        url: s.url.or(s.uri),
                    }));
                }
            }
            if reached_floor {
                return Ok(if unreadable {
                    Lookup::Unknowable
                } else {
                    Lookup::Absent
                });
            }
            let links = parse_links(resp.header("link"));
            let last = elems
                .last()
                .and_then(|e| serde_json::from_slice::<IdOnly>(e).ok())
                .map(|x| x.id);
            let next = links.next_max.or(last);
            if next.is_none() || next == max_id {
                // No way further back (or a server ignoring max_id): cannot say it is not there.
                break;
            }
            max_id = next;
        }
        Ok(Lookup::Unknowable)
    }

    /// `GET /api/v1/scheduled_statuses`: the post held for `at` with the same text and parent.
    async fn find_scheduled(
        &self,
        want: &str,
        reply_to: Option<&str>,
        at: Timestamp,
    ) -> Result<Lookup> {
        let mut max_id: Option<String> = None;
        for _ in 0..SCHEDULED_PAGES {
            let mut query = vec![("limit", LOOKUP_PAGE.to_string())];
            if let Some(m) = &max_id {
                query.push(("max_id", m.clone()));
            }
            let resp = self.get("/api/v1/scheduled_statuses", &query).await?;
            let list: Vec<serde_json::Value> = resp.json()?;
            for v in &list {
                let Some(id) = json_id(&v["id"]) else {
                    continue;
                };
                let when = v["scheduled_at"].as_str().and_then(Timestamp::parse);
                let parent = json_id(&v["params"]["in_reply_to_id"]);
                let text = v["params"]["text"].as_str().unwrap_or_default();
                if when.is_some_and(|w| (w.0 - at.0).abs() <= SCHEDULE_SLACK_MS)
                    && parent.as_deref() == reply_to
                    && comparable(text) == want
                {
                    return Ok(Lookup::Found(Sent {
                        native_id: format!("{SCHEDULED_PREFIX}{id}"),
                        url: None,
                    }));
                }
            }
            let next = parse_links(resp.header("link"))
                .next_max
                .or_else(|| list.last().and_then(|v| json_id(&v["id"])));
            if list.len() < LOOKUP_PAGE || next.is_none() || next == max_id {
                return Ok(Lookup::Absent);
            }
            max_id = next;
        }
        Ok(Lookup::Unknowable)
    }

    async fn do_act(&self, item: &Item, action: RemoteAction) -> Result<()> {
        match action {
            RemoteAction::Hide | RemoteAction::Delete => Err(ConnectorError::Unsupported(
                action_unavailable(Platform::Mastodon, action).unwrap_or_else(|| {
                    "Mastodon cannot hide or delete other people's posts".into()
                }),
            )),
            RemoteAction::Like | RemoteAction::Mute => {
                let Some(id) = status_id(item) else {
                    return Err(ConnectorError::Unsupported(
                        "this is a notification (favourite, boost or follow), not a post".into(),
                    ));
                };
                let verb = if action == RemoteAction::Like {
                    "favourite"
                } else {
                    "mute"
                };
                self.post_idempotent(&format!("/api/v1/statuses/{}/{verb}", enc(id)))
                    .await
                    .map(|_| ())
            }
            RemoteAction::Dismiss => {
                let nid = match item.native_id.strip_prefix(NOTIFICATION_PREFIX) {
                    Some(nid) => nid.to_string(),
                    None => self.find_notification(&item.native_id).await?,
                };
                self.post_idempotent(&format!("/api/v1/notifications/{}/dismiss", enc(&nid)))
                    .await
                    .map(|_| ())
            }
        }
    }

    /// The notification about status `sid` among the latest 80, preferring the mention or quote
    /// (the one that put it in the inbox) over favourites of the same status.
    async fn find_notification(&self, sid: &str) -> Result<String> {
        let resp = self
            .get("/api/v1/notifications", &[("limit", "80".to_string())])
            .await?;
        let elems = super::json_scan::split_array(&resp.body).map_err(|e| {
            ConnectorError::Malformed(format!("notifications: not a JSON array: {}", e.0))
        })?;
        #[derive(Deserialize)]
        struct Min {
            #[serde(deserialize_with = "de_id")]
            id: String,
            #[serde(rename = "type", default)]
            kind: String,
            #[serde(default)]
            status: Option<IdOnly>,
        }
        let found: Vec<Min> = elems
            .iter()
            .filter_map(|raw| serde_json::from_slice::<Min>(raw).ok())
            .filter(|m| m.status.as_ref().is_some_and(|s| s.id == sid))
            .collect();
        found
            .iter()
            .find(|m| m.kind == "mention" || m.kind == "quote")
            .or(found.first())
            .map(|m| m.id.clone())
            .ok_or_else(|| {
                ConnectorError::Refused(format!(
                    "no notification for status {sid} among the latest 80; it may already be dismissed"
                ))
            })
    }

    async fn instance_limit(&self) -> Result<usize> {
        if let Some(n) = self.limit.get() {
            return Ok(*n);
        }
        let default = Platform::Mastodon.capabilities().text_limit;
        let resp = match self.get("/api/v2/instance", &[]).await {
            Ok(r) => r,
            // Servers before Mastodon 4.0 have no v2 instance endpoint: use the default.
            Err(ConnectorError::Refused(_)) => return Ok(default),
            Err(e) => return Err(e),
        };
        let v: serde_json::Value = resp.json()?;
        let n = v
            .pointer("/configuration/statuses/max_characters")
            .and_then(|x| x.as_u64())
            .and_then(|x| usize::try_from(x).ok())
            .filter(|&x| x > 0)
            .unwrap_or(default);
        let _ = self.limit.set(n);
        Ok(n)
    }
}

/// The status id behind an item, or `None` for an activity stored as an item.
fn status_id(item: &Item) -> Option<&str> {
    if item.native_id.starts_with(NOTIFICATION_PREFIX) || item.native_id.is_empty() {
        None
    } else {
        Some(&item.native_id)
    }
}

/// Percent-encodes an id for one path segment (ids are opaque; never let one add a path or,
/// as `.`/`..`, climb out of it).
fn enc(id: &str) -> String {
    if id.chars().all(|c| c == '.') {
        return id.replace('.', "%252E");
    }
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

/// An id that may be a JSON string or number (forks differ); `None` for null or missing.
fn json_id(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What `POST /api/v1/statuses` created: a Status (`id`, `url`), or a ScheduledStatus (`id`,
/// `scheduled_at`, `params`) when `scheduled_at` was given.
fn parse_created(v: &serde_json::Value) -> Option<Sent> {
    let id = json_id(&v["id"])?;
    if v.get("params").is_some_and(|p| p.is_object()) && v.get("scheduled_at").is_some() {
        return Some(Sent {
            native_id: format!("{SCHEDULED_PREFIX}{id}"),
            url: None,
        });
    }
    let url = v["url"]
        .as_str()
        .or(v["uri"].as_str())
        .filter(|u| !u.is_empty())
        .map(String::from);
    Some(Sent { native_id: id, url })
}

/// A post's text in the form compared by `lookup`: NFC, whitespace collapsed and trimmed, and
/// remote mentions `@user@domain` shortened to `@user`, as Mastodon shows them in a status's
/// HTML (the plain source text is not in the listing).
fn comparable(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let collapsed = text
        .nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = String::with_capacity(collapsed.len());
    let mut rest = collapsed.as_str();
    while let Some(at) = rest.find('@') {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let boundary = out
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '@'));
        let tail = &from[1..];
        let user_len = tail
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let domain = tail[user_len..].strip_prefix('@').map(|d| {
            let len = d
                .find(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-'))
                .unwrap_or(d.len());
            let dom = d[..len].trim_end_matches('.');
            (dom, dom.len())
        });
        match domain {
            Some((dom, dom_len)) if boundary && user_len > 0 && dom.contains('.') => {
                out.push('@');
                out.push_str(&tail[..user_len]);
                rest = &tail[user_len + 1 + dom_len..];
            }
            _ => {
                out.push('@');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

impl Connector for Mastodon {
    fn platform(&self) -> Platform {
        Platform::Mastodon
    }
    fn rate_info(&self) -> super::http::RateInfo {
        self.http.rate()
    }
    fn whoami(&self) -> BoxFuture<'_, Result<Identity>> {
        Box::pin(self.identity())
    }
    fn fetch<'a>(&'a self, cursor: Option<&'a str>) -> BoxFuture<'a, Result<FetchPage>> {
        Box::pin(self.fetch_page(cursor))
    }
    fn thread<'a>(&'a self, item: &'a Item) -> BoxFuture<'a, Result<Vec<NewItem>>> {
        Box::pin(self.fetch_thread(item))
    }
    fn reply<'a>(
        &'a self,
        item: &'a Item,
        text: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(self.send_reply(item, text, key))
    }
    fn act<'a>(&'a self, item: &'a Item, action: RemoteAction) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.do_act(item, action))
    }
    fn text_limit(&self) -> BoxFuture<'_, Result<usize>> {
        Box::pin(self.instance_limit())
    }
    fn publish<'a>(&'a self, post: &'a Outgoing) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(self.send_post(post))
    }
    fn lookup<'a>(&'a self, post: &'a Outgoing, since: Timestamp) -> BoxFuture<'a, Result<Lookup>> {
        Box::pin(self.find_post(post, since))
    }
    fn reschedule<'a>(
        &'a self,
        remote_id: &'a str,
        at: Option<Timestamp>,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.move_scheduled(remote_id, at))
    }
}

impl Mastodon {
    /// `PUT /api/v1/scheduled_statuses/:id` with a new `scheduled_at`, or `DELETE` it. Both are
    /// idempotent, so retrying is safe. A 404 means it was published or removed meanwhile.
    async fn move_scheduled(&self, remote_id: &str, at: Option<Timestamp>) -> Result<()> {
        let id = remote_id.strip_prefix("scheduled:").unwrap_or(remote_id);
        let url = self.url(&format!("/api/v1/scheduled_statuses/{}", enc(id)));
        let resp = match at {
            Some(t) => {
                let body = serde_json::json!({ "scheduled_at": t.to_rfc3339() });
                self.http
                    .send(
                        |c| c.put(&url).bearer_auth(&self.token).json(&body),
                        Retry::Safe,
                    )
                    .await?
            }
            None => {
                self.http
                    .send(|c| c.delete(&url).bearer_auth(&self.token), Retry::Safe)
                    .await?
            }
        };
        if resp.status == 404 {
            return Err(ConnectorError::Refused(
                "the scheduled post is no longer on the server (published or deleted)".into(),
            ));
        }
        self.checked(resp).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_header_gives_both_marks() {
        let h = r#"<https://m.example/api/v1/notifications?max_id=100&types%5B%5D=mention>; rel="next", <https://m.example/api/v1/notifications?min_id=140&types[]=mention>; rel="prev""#;
        assert_eq!(
            parse_links(Some(h)),
            Links {
                prev_min: Some("140".into()),
                next_max: Some("100".into())
            }
        );
        assert_eq!(parse_links(None), Links::default());
        assert_eq!(parse_links(Some("garbage <")), Links::default());
        assert_eq!(
            parse_links(Some("</x?max_id=7>;rel=next")).next_max,
            Some("7".into())
        );
    }

    #[test]
    fn mention_detection_respects_handle_boundaries() {
        assert!(mentions("@lea@a.example merci", "lea@a.example"));
        assert!(mentions("Merci @Lea@A.example.", "lea@a.example"));
        assert!(!mentions("@lea merci", "lea@a.example"));
        assert!(!mentions("@leah hi", "lea"));
        assert!(!mentions("@lea.example hi", "lea"));
        assert!(mentions("hi @lea, thanks", "lea"));
        assert!(!mentions("mail x@lea", "lea"));
    }

    #[test]
    fn comparable_text_matches_what_mastodon_renders() {
        assert_eq!(comparable("  Hello\n\n  world \t!  "), "Hello world !");
        assert_eq!(
            comparable("Merci @lea@social.example.fr, à bientôt"),
            "Merci @lea, à bientôt"
        );
        assert_eq!(comparable("@lea@social.example.fr."), "@lea.");
        assert_eq!(comparable("mail x@a.example ok"), "mail x@a.example ok");
        assert_eq!(comparable("@lea@localhost hi"), "@lea@localhost hi");
        assert_eq!(comparable("@@ @"), "@@ @");
        // NFC: a precomposed and a combining "é" compare equal.
        assert_eq!(comparable("caf\u{e9}"), comparable("cafe\u{301}"));
        let html = "<p>Merci <span class=\"h-card\"><a href=\"https://social.example.fr/@lea\" class=\"u-url mention\">@<span>lea</span></a></span></p><p>Suite</p>";
        assert_eq!(
            comparable(&html::to_text(html)),
            comparable("Merci @lea@social.example.fr\n\nSuite")
        );
    }

    #[test]
    fn created_status_or_scheduled_status() {
        let s = serde_json::json!({"id": "109", "url": "https://m.example/@shop/109"});
        assert_eq!(
            parse_created(&s),
            Some(Sent {
                native_id: "109".into(),
                url: Some("https://m.example/@shop/109".into())
            })
        );
        let sch = serde_json::json!({"id": 7, "scheduled_at": "2030-01-01T00:00:00.000Z",
            "params": {"text": "x"}, "media_attachments": []});
        assert_eq!(
            parse_created(&sch),
            Some(Sent {
                native_id: "scheduled:7".into(),
                url: None
            })
        );
        assert_eq!(parse_created(&serde_json::json!({"url": "x"})), None);
    }

    #[test]
    fn ids_are_encoded_as_one_segment() {
        assert_eq!(enc("123"), "123");
        assert_eq!(enc("../x?y"), "..%2Fx%3Fy");
        assert_eq!(enc(".."), "%252E%252E");
    }
}
