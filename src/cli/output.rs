//! How items look on stdout: JSON lines for scripts, sanitized columns for people.

use crate::domain::{Item, Outgoing, Timestamp};
use crate::text::{pad_to_width, sanitize_identity, sanitize_line, truncate_to_width};
use serde::Serialize;

#[derive(Serialize)]
pub struct AuthorJson<'a> {
    pub id: &'a str,
    pub handle: Option<&'a str>,
    pub name: Option<&'a str>,
    pub followers: Option<u64>,
}

#[derive(Serialize)]
pub struct ItemJson<'a> {
    pub id: String,
    pub platform: &'a str,
    pub account: &'a str,
    pub kind: &'a str,
    pub native_id: &'a str,
    pub parent_native_id: Option<&'a str>,
    pub root_native_id: Option<&'a str>,
    pub author: AuthorJson<'a>,
    pub text: &'a str,
    pub title: Option<&'a str>,
    pub rating: Option<u8>,
    pub lang: Option<&'a str>,
    pub created_at: String,
    pub received_at: String,
    pub url: Option<&'a str>,
    pub status: &'a str,
    pub snoozed_until: Option<String>,
    pub assignee: Option<&'a str>,
    pub tags: &'a [String],
    pub version: u64,
    pub ours: bool,
    pub send_state: Option<String>,
    pub operator: Option<&'a str>,
}

pub fn item_json(i: &Item) -> ItemJson<'_> {
    ItemJson {
        id: i.id.to_string(),
        platform: i.platform_name(),
        account: &i.account,
        kind: i.kind.as_str(),
        native_id: &i.native_id,
        parent_native_id: i.parent_native_id.as_deref(),
        root_native_id: i.root_native_id.as_deref(),
        author: AuthorJson {
            id: &i.author.id,
            handle: i.author.handle.as_deref(),
            name: i.author.name.as_deref(),
            followers: i.author.followers,
        },
        text: &i.text,
        title: i.title.as_deref(),
        rating: i.rating,
        lang: i.lang.as_deref(),
        created_at: i.created_at.to_rfc3339(),
        received_at: i.received_at.to_rfc3339(),
        url: i.url.as_deref(),
        status: i.status.as_str(),
        snoozed_until: i.snoozed_until.map(|t| t.to_rfc3339()),
        assignee: i.assignee.as_deref(),
        tags: &i.tags,
        version: i.version,
        ours: i.is_ours(),
        send_state: i.outgoing.as_ref().map(send_state),
        operator: i.operator.as_deref(),
    }
}

pub fn send_state(o: &Outgoing) -> String {
    match o {
        Outgoing::Sending => "sending".into(),
        Outgoing::Sent { .. } => "sent".into(),
        Outgoing::Failed { reason } => format!("failed: {}", crate::i18n::shown(reason)),
    }
}

pub fn json_line(i: &Item) -> String {
    serde_json::to_string(&item_json(i)).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// "5m", "3h", "2d" — how long ago.
pub fn age(t: Timestamp, now: Timestamp) -> String {
    let mins = ((now.0 - t.0) / 60_000).max(0);
    match mins {
        0..=59 => format!("{mins}m"),
        60..=1439 => format!("{}h", mins / 60),
        _ => format!("{}d", mins / 1440),
    }
}

pub fn stars(r: Option<u8>) -> String {
    match r {
        Some(n) => "★".repeat(n.min(5) as usize) + &"☆".repeat(5 - n.min(5) as usize),
        None => String::new(),
    }
}

/// One row for people: every outside string sanitized, columns by display width.
pub fn row(i: &Item, now: Timestamp, width: usize) -> String {
    let author = sanitize_identity(i.author.label(), 40).text;
    let text = sanitize_line(&i.text, 400).text;
    let head = format!(
        "{}  {} {} {} {} {} ",
        i.id,
        pad_to_width(&i.platform_short(), 4),
        pad_to_width(i.kind.as_str(), 7),
        pad_to_width(i.status.as_str(), 7),
        pad_to_width(&age(i.created_at, now), 4),
        pad_to_width(&author, 18),
    );
    let rest = width.saturating_sub(crate::text::width(&head));
    let body = if i.rating.is_some() {
        format!("{} {text}", stars(i.rating))
    } else {
        text
    };
    format!("{head}{}", truncate_to_width(&body, rest))
}
