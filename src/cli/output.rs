//! How items look on stdout: JSON lines for scripts, sanitized columns for people.

use crate::domain::{Item, Kind, Outgoing, Status, Timestamp};
use crate::i18n::{t, tf};
use crate::text::{pad_to_width, sanitize_identity, sanitize_line, truncate_to_width, width};
use serde::Serialize;
use std::io::Write;

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
    pub priority: u8,
    /// The inbox rules that touched it.
    pub rules: &'a [String],
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
        priority: i.priority,
        rules: &i.rules,
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
        Outgoing::AwaitingApproval => "awaiting_approval".into(),
        Outgoing::SentBack { by, comment } => format!("sent_back: {by}: {comment}"),
    }
}

pub fn json_line(i: &Item) -> String {
    json_text(&item_json(i))
}

/// "5m", "3h", "2d" — how long ago, in the catalog's language.
pub fn age(t: Timestamp, now: Timestamp) -> String {
    let mins = ((now.0 - t.0) / 60_000).max(0);
    let (key, n) = match mins {
        0..=59 => ("tui.age.m", mins),
        60..=1439 => ("tui.age.h", mins / 60),
        _ => ("tui.age.d", mins / 1440),
    };
    tf(key, &[("n", &n)])
}

fn kind_word(k: Kind) -> String {
    t(&format!("tui.kind.{}", k.as_str()))
}

fn status_word(s: Status) -> String {
    t(&format!("tui.status.{}", s.as_str()))
}

/// Column widths of a listing: the widest word each column can hold in the catalog's language
/// (so `упоминание` and `в работе` are never cut or run into the next column).
struct Cols {
    kind: usize,
    status: usize,
    age: usize,
}

fn cols() -> Cols {
    let widest = |words: Vec<String>| words.iter().map(|w| width(w)).max().unwrap_or(0);
    Cols {
        kind: widest(Kind::ALL.iter().map(|k| kind_word(*k)).collect()),
        status: widest(Status::ALL.iter().map(|s| status_word(*s)).collect()),
        // "59m", "23h", and days up to 9999.
        age: widest(vec![
            tf("tui.age.m", &[("n", &99)]),
            tf("tui.age.h", &[("n", &99)]),
            tf("tui.age.d", &[("n", &9999)]),
        ]),
    }
}

pub fn stars(r: Option<u8>) -> String {
    match r {
        Some(n) => "★".repeat(n.min(5) as usize) + &"☆".repeat(5 - n.min(5) as usize),
        None => String::new(),
    }
}

/// One row for people: every outside string sanitized, columns by display width, words from
/// the catalog.
pub fn row(i: &Item, now: Timestamp, width: usize) -> String {
    let c = cols();
    let author = sanitize_identity(i.author.label(), 40).text;
    let text = sanitize_line(&i.text, 400).text;
    let head = format!(
        "{}  {} {} {} {} {} ",
        i.id,
        pad_to_width(&i.platform_short(), 4),
        pad_to_width(&kind_word(i.kind), c.kind),
        pad_to_width(&status_word(i.status), c.status),
        pad_to_width(&age(i.created_at, now), c.age),
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

/// JSON text for scripts: serde_json's, with C1 controls, DEL and bidi controls also written as
/// `\uXXXX` escapes (serde_json escapes only C0). Decodes to exactly the same value, and a
/// terminal showing it raw meets no control character.
pub fn json_text<T: Serialize + ?Sized>(v: &T) -> String {
    let s = serde_json::to_string(v)
        .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string());
    // Outside strings JSON is ASCII, so every such character is inside a string literal.
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\u{7f}'..='\u{9f}') || crate::text::is_bidi(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Standard output for the CLI: when it is a terminal every line goes through
/// [`crate::text::sanitize_terminal`], so no outside text (a CSV cell, a URL, an error from a
/// platform) can reach the terminal as a control sequence; piped, the bytes pass unchanged.
pub struct Stdout<W: Write> {
    inner: W,
    tty: bool,
    line: Vec<u8>,
}

impl<W: Write> Stdout<W> {
    pub fn new(inner: W, tty: bool) -> Self {
        Stdout {
            inner,
            tty,
            line: Vec::new(),
        }
    }

    fn emit(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(bytes);
        self.inner
            .write_all(crate::text::sanitize_terminal(&text).as_bytes())
    }
}

impl<W: Write> Write for Stdout<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.tty {
            return self.inner.write(buf);
        }
        self.line.extend_from_slice(buf);
        if let Some(end) = self.line.iter().rposition(|b| *b == b'\n') {
            let rest = self.line.split_off(end + 1);
            let done = std::mem::replace(&mut self.line, rest);
            self.emit(&done)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.line.is_empty() {
            let done = std::mem::take(&mut self.line);
            self.emit(&done)?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for Stdout<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// Calls `req` and, while it runs, prints the engine's progress events for it on stderr with
/// the catalog line `key` (`{done}`, `{total}`, `{pct}`, `{left}` seconds). Events are read in
/// this task, first, so none that came before the answer is lost.
pub async fn call_with_progress(
    b: &dyn crate::engine::Backend,
    req: crate::engine::api::Request,
    key: &str,
) -> Result<crate::engine::api::Response, crate::engine::EngineError> {
    use crate::engine::api::Event;
    let started = std::time::Instant::now();
    let mut events = b.subscribe();
    let show = |e: Event| {
        if let Event::Progress { done, total, .. } = e {
            let secs = started.elapsed().as_secs_f64();
            let left = if done > 0 && total > done {
                secs * (total - done) as f64 / done as f64
            } else {
                0.0
            };
            eprintln!(
                "{}",
                crate::i18n::tf(
                    key,
                    &[
                        ("done", &done),
                        ("total", &total),
                        ("pct", &(done * 100 / total.max(1))),
                        ("left", &format!("{left:.0}")),
                    ]
                )
            );
        }
    };
    let call = b.call(req);
    tokio::pin!(call);
    let mut open = true;
    let res = loop {
        tokio::select! {
            biased;
            e = events.recv(), if open => match e {
                Ok(e) => show(e),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => open = false,
            },
            r = &mut call => break r,
        }
    };
    while let Ok(e) = events.try_recv() {
        show(e);
    }
    res
}
