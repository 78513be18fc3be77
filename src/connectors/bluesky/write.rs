//! Bluesky writes: replies and posts under record keys kith derives from idempotency keys, the
//! strong refs a reply needs, reading our own records back, and hiding a reply with a threadgate.

use super::{did_of, error_name, post_url, rkey, Bluesky, PostView, Session, POST, POST_GRAPHEMES};
use crate::connectors::http::Retry;
use crate::connectors::{refuse_empty, ConnectorError, Lookup, Outgoing, Result, Sent};
use crate::domain::{Item, Timestamp};
use serde_json::{json, Value};

/// A record key (TID syntax: 13 chars of base32-sortable, top bit clear) derived from `key`, so
/// the same key always names the same record.
pub fn tid_for(key: &str) -> String {
    const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // Keep it a plausible TID: a microsecond time in 2023–2040 plus a 10-bit clock id.
    let micros = 1_700_000_000_000_000u64 + (h >> 20) % 500_000_000_000_000;
    let v = ((micros << 10) | (h & 0x3ff)) & !(1u64 << 63);
    (0..13)
        .map(|i| ALPHABET[((v >> (60 - 5 * i)) & 31) as usize] as char)
        .collect()
}

/// Link facets for `text`: byte offsets (UTF-8) of every http(s) URL.
pub(super) fn link_facets(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(pos) = text[i..].find("http") {
        let start = i + pos;
        let rest = &text[start..];
        if !(rest.starts_with("https://") || rest.starts_with("http://")) {
            i = start + 4;
            continue;
        }
        let mut end = start + rest.find(char::is_whitespace).unwrap_or(rest.len());
        while end > start && text[..end].ends_with(['.', ',', '!', '?', ')', ';', ':']) {
            end -= 1;
        }
        out.push(json!({
            "index": {"byteStart": start, "byteEnd": end},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": &text[start..end]}]
        }));
        i = end.max(start + 1);
    }
    out
}

impl Bluesky {
    /// `{uri, cid}` of a post and of its thread root.
    pub(super) async fn refs(&self, uri: &str) -> Result<(Value, Value)> {
        let (resp, _) = self
            .get("app.bsky.feed.getPosts", &[("uris", uri.to_string())])
            .await?;
        let v: Value = resp.json()?;
        let post: PostView = v["posts"]
            .get(0)
            .cloned()
            .and_then(|p| serde_json::from_value(p).ok())
            .ok_or_else(|| ConnectorError::Refused(format!("post not found: {uri}")))?;
        let parent = json!({"uri": post.uri, "cid": post.cid});
        let root = match &post.record["reply"]["root"] {
            r if r["uri"].is_string() && r["cid"].is_string() => {
                json!({"uri": r["uri"], "cid": r["cid"]})
            }
            _ => parent.clone(),
        };
        Ok((parent, root))
    }

    /// Creates a record with a kith-chosen key; "already exists" means an earlier attempt got
    /// through, which is success.
    pub(super) async fn create(
        &self,
        collection: &str,
        key: &str,
        record: Value,
    ) -> Result<(String, Session)> {
        let rkey = tid_for(key);
        let s = self.current().await?;
        let body = json!({"repo": s.did, "collection": collection, "rkey": rkey, "record": record});
        let (resp, s) = self.post("com.atproto.repo.createRecord", &body).await?;
        let uri = format!("at://{}/{collection}/{rkey}", s.did);
        if resp.is_success() {
            let v: Value = resp.json().unwrap_or_default();
            let got = v["uri"].as_str().map(String::from).unwrap_or(uri);
            return Ok((got, s));
        }
        let msg = resp.error_message();
        if resp.status == 400 && msg.to_ascii_lowercase().contains("already exists") {
            return Ok((uri, s));
        }
        self.checked(resp, &s).map(|_| (uri, s.clone()))
    }

    /// `com.atproto.repo.getRecord` in our own repo: `Some({uri, cid, value})`, or `None` when
    /// the PDS says `RecordNotFound`. Other failures are errors.
    pub(super) async fn own_record(
        &self,
        collection: &str,
        rkey: &str,
    ) -> Result<Option<(Value, Session)>> {
        let s = self.current().await?;
        let query = [
            ("repo", s.did.clone()),
            ("collection", collection.to_string()),
            ("rkey", rkey.to_string()),
        ];
        let (resp, s) = self
            .xrpc(
                |c, host, bearer| {
                    c.get(format!("{host}/xrpc/com.atproto.repo.getRecord"))
                        .query(&query)
                        .header("authorization", bearer)
                },
                Retry::Safe,
            )
            .await?;
        if resp.status == 400 && error_name(&resp).as_deref() == Some("RecordNotFound") {
            return Ok(None);
        }
        let resp = self.checked(resp, &s)?;
        Ok(Some((resp.json()?, s)))
    }

    /// `{parent, root}` strong refs for a reply to `uri`. Our own posts (every earlier thread
    /// part) are read from the PDS, which knows a post the moment it is written; others' from
    /// the AppView (`refs`).
    pub(super) async fn reply_refs(&self, uri: &str) -> Result<(Value, Value)> {
        let s = self.current().await?;
        let collection = uri.split('/').nth(3).unwrap_or_default();
        if did_of(uri) != s.did || collection != POST {
            return self.refs(uri).await;
        }
        let Some((v, _)) = self.own_record(POST, rkey(uri)).await? else {
            return Err(ConnectorError::Refused(format!(
                "the previous part of the thread is gone: {uri}"
            )));
        };
        let cid = v["cid"]
            .as_str()
            .ok_or_else(|| ConnectorError::Malformed(format!("getRecord: no cid for {uri}")))?;
        let parent = json!({"uri": uri, "cid": cid});
        let root = match &v["value"]["reply"]["root"] {
            r if r["uri"].is_string() && r["cid"].is_string() => {
                json!({"uri": r["uri"], "cid": r["cid"]})
            }
            _ => parent.clone(),
        };
        Ok((parent, root))
    }

    /// Publishes one post (or thread part) with the record key derived from its idempotency key.
    pub(super) async fn publish_post(&self, post: &Outgoing) -> Result<Sent> {
        if post.native_at.is_some() {
            return Err(ConnectorError::Unsupported(
                "Bluesky has no scheduled posts; leave the time to kith, which publishes at the \
                 due time itself"
                    .into(),
            ));
        }
        // Pictures may go without words (the text is then empty, which the lexicon allows).
        if post.media.is_empty() {
            refuse_empty(&post.text)?;
        }
        if let Some((n, limit, bytes)) = crate::text::over_limit(
            &post.text,
            crate::domain::platform::CountRule::Bluesky,
            POST_GRAPHEMES,
        ) {
            let unit = if bytes { "bytes" } else { "graphemes" };
            return Err(ConnectorError::Refused(format!(
                "the post is {n} {unit} long; Bluesky allows {limit}"
            )));
        }
        let mut record = json!({
            "$type": POST,
            "text": post.text,
            "createdAt": Timestamp::now().to_rfc3339(),
        });
        let facets = link_facets(&post.text);
        if !facets.is_empty() {
            record["facets"] = Value::Array(facets);
        }
        if let Some(prev) = &post.reply_to {
            let (parent, root) = self.reply_refs(&prev.native_id).await?;
            record["reply"] = json!({"root": root, "parent": parent});
        }
        // The only embed kith writes: no link card or quote to combine with.
        if !post.media.is_empty() {
            record["embed"] = self.images_embed(&post.media).await?;
        }
        let key = post.idempotency_key.as_str();
        match self.create(POST, key, record).await {
            Ok((uri, s)) => Ok(Sent {
                url: Some(post_url(&s.handle, &uri)),
                native_id: uri,
            }),
            Err(e @ ConnectorError::Network(_)) => {
                // A 5xx may be the PDS refusing a record that an earlier attempt already wrote
                // (a duplicate key is a bare 500 there), or a write whose answer got lost. The
                // record under our key tells; if it is not there (or the check fails) the
                // outcome stays unknown.
                match self.find_own(key).await {
                    Ok(Lookup::Found(sent)) => Ok(sent),
                    _ => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The post whose record key derives from `key`, read from our own repo.
    pub(super) async fn find_own(&self, key: &str) -> Result<Lookup> {
        let rk = tid_for(key);
        Ok(match self.own_record(POST, &rk).await? {
            Some((v, s)) => {
                let uri = v["uri"]
                    .as_str()
                    .map(String::from)
                    .unwrap_or_else(|| format!("at://{}/{POST}/{rk}", s.did));
                Lookup::Found(Sent {
                    url: Some(post_url(&s.handle, &uri)),
                    native_id: uri,
                })
            }
            None => Lookup::Absent,
        })
    }

    pub(super) async fn hide(&self, item: &Item) -> Result<()> {
        let s = self.current().await?;
        let root = item
            .root_native_id
            .clone()
            .or_else(|| item.parent_native_id.clone())
            .unwrap_or_else(|| item.native_id.clone());
        if did_of(&root) != s.did || root == item.native_id {
            return Err(ConnectorError::Unsupported(
                "Bluesky can hide a reply only in a thread that starts with our own post".into(),
            ));
        }
        let gate_key = rkey(&root).to_string();
        let (resp, s) = self
            .xrpc(
                |c, host, bearer| {
                    c.get(format!("{host}/xrpc/com.atproto.repo.getRecord"))
                        .query(&[
                            ("repo", s.did.as_str()),
                            ("collection", "app.bsky.feed.threadgate"),
                            ("rkey", gate_key.as_str()),
                        ])
                        .header("authorization", bearer)
                },
                Retry::Safe,
            )
            .await?;
        let mut gate = if resp.is_success() {
            resp.json::<Value>()?["value"].clone()
        } else if error_name(&resp).as_deref() == Some("RecordNotFound") || resp.status == 404 {
            json!({"$type": "app.bsky.feed.threadgate", "post": root,
                   "createdAt": Timestamp::now().to_rfc3339()})
        } else {
            return self.checked(resp, &s).map(|_| ());
        };
        let mut hidden: Vec<Value> = gate["hiddenReplies"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if !hidden
            .iter()
            .any(|h| h.as_str() == Some(item.native_id.as_str()))
        {
            if hidden.len() >= 300 {
                return Err(ConnectorError::Refused(
                    "this thread already hides 300 replies, Bluesky's maximum".into(),
                ));
            }
            hidden.push(json!(item.native_id));
        }
        gate["hiddenReplies"] = Value::Array(hidden);
        let body = json!({"repo": s.did, "collection": "app.bsky.feed.threadgate",
                          "rkey": gate_key, "record": gate});
        let (resp, s) = self.post("com.atproto.repo.putRecord", &body).await?;
        self.checked(resp, &s).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_keys_are_stable_tids() {
        let a = tid_for("01JABCDEF");
        assert_eq!(a, tid_for("01JABCDEF"));
        assert_ne!(a, tid_for("01JABCDEG"));
        assert_eq!(a.len(), 13);
        assert!("234567abcdefghij".contains(a.chars().next().unwrap()));
        assert!(a
            .chars()
            .all(|c| "234567abcdefghijklmnopqrstuvwxyz".contains(c)));
    }

    #[test]
    fn facets_use_utf8_byte_offsets() {
        let text = "Смотрите 👉 https://lumo.example/новинки. Спасибо";
        let f = link_facets(text);
        assert_eq!(f.len(), 1);
        let start = f[0]["index"]["byteStart"].as_u64().unwrap() as usize;
        let end = f[0]["index"]["byteEnd"].as_u64().unwrap() as usize;
        assert_eq!(&text[start..end], "https://lumo.example/новинки");
        assert_eq!(start, "Смотрите 👉 ".len());
        assert!(link_facets("no links, http only").is_empty());
    }
}
