//! Mastodon payloads into kith's shapes: notifications and statuses into `NewItem` and
//! `Activity`, ids and counts as forks send them, and the `Link` header's paging marks.

use super::{html, Mastodon, NOTIFICATION_PREFIX};
use crate::connectors::{Activity, ActivityKind, FetchPage, Malformed};
use crate::domain::{Author, Kind, NewItem, Platform, Status, Timestamp};
use serde::{Deserialize, Deserializer};

/// Ids are strings in Mastodon; some forks send numbers. Accept both.
pub(super) fn de_id<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
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
pub(super) struct Account {
    #[serde(deserialize_with = "de_id")]
    pub(super) id: String,
    #[serde(default)]
    pub(super) acct: Option<String>,
    #[serde(default)]
    pub(super) username: Option<String>,
    #[serde(default)]
    pub(super) display_name: Option<String>,
    #[serde(default, deserialize_with = "de_count")]
    followers_count: Option<u64>,
}

impl Account {
    pub(super) fn author(&self) -> Author {
        Author {
            id: self.id.clone(),
            handle: self.acct.clone().or_else(|| self.username.clone()),
            name: self.display_name.clone().filter(|n| !n.is_empty()),
            followers: self.followers_count,
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct MStatus {
    #[serde(deserialize_with = "de_id")]
    pub(super) id: String,
    pub(super) created_at: String,
    #[serde(default, deserialize_with = "de_opt_id")]
    pub(super) in_reply_to_id: Option<String>,
    #[serde(default, deserialize_with = "de_opt_id")]
    in_reply_to_account_id: Option<String>,
    #[serde(default)]
    visibility: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    spoiler_text: Option<String>,
    #[serde(default)]
    pub(super) url: Option<String>,
    #[serde(default)]
    pub(super) uri: Option<String>,
    #[serde(default)]
    pub(super) content: Option<String>,
    #[serde(default)]
    pub(super) account: Option<Account>,
    /// Mastodon 4.5 quotes: `{state, quoted_status: {id...}}`; only the id is used.
    #[serde(default)]
    quote: Option<serde_json::Value>,
    /// Kept as it came: only `lookup` reads it (the ids of our own pictures).
    #[serde(default)]
    pub(super) media_attachments: serde_json::Value,
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
pub(super) struct IdOnly {
    #[serde(deserialize_with = "de_id")]
    pub(super) id: String,
}

/// `min_id` of `rel="prev"` and `max_id` of `rel="next"` from a `Link` header.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Links {
    pub(super) prev_min: Option<String>,
    pub(super) next_max: Option<String>,
}

pub(super) fn parse_links(header: Option<&str>) -> Links {
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

pub(super) fn short(e: &serde_json::Error) -> String {
    let s = e.to_string();
    s.chars().take(200).collect()
}

impl Mastodon {
    /// Turns one raw notification into an item, an activity, a quarantined element, or nothing
    /// (types we did not ask for).
    pub(super) fn map_notification(&self, raw: &[u8], me: &str, page: &mut FetchPage) {
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

    pub(super) fn status_item(
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
}
