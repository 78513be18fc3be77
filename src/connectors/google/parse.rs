//! Business Profile payloads into kith's shapes: a reviews list split into its elements (each
//! read on its own, so one broken review is quarantined and the rest kept), and one review into
//! its items: the review, an edit of it, and our existing answer.

use super::Google;
use crate::connectors::{json_scan, ConnectorError, Result};
use crate::domain::{Kind, NewItem, Platform, Timestamp};
use serde::Deserialize;

/// Who wrote a review whose author Google does not show.
pub(super) const ANONYMOUS: &str = "google:anonymous";
/// An `updateTime` this much after `createTime` means the text was changed.
const EDIT_SLACK_MS: i64 = 1000;

/// A reviews list: the raw elements, the next page, and the location's summary.
#[derive(Debug, Default)]
pub(super) struct List {
    pub(super) reviews: Vec<Vec<u8>>,
    pub(super) next: Option<String>,
    pub(super) average: Option<f64>,
    pub(super) total: Option<u64>,
}

pub(super) fn list(body: &[u8]) -> Result<List> {
    let bad = |e: String| ConnectorError::Malformed(format!("google: reviews: {e}"));
    let fields = json_scan::object_fields(body).map_err(|e| bad(e.0))?;
    let mut out = List::default();
    for (k, v) in fields {
        match k.as_str() {
            "reviews" => {
                out.reviews = json_scan::split_array(v)
                    .map_err(|e| bad(e.0))?
                    .into_iter()
                    .map(<[u8]>::to_vec)
                    .collect()
            }
            "nextPageToken" => {
                out.next = serde_json::from_slice::<Option<String>>(v)
                    .ok()
                    .flatten()
                    .filter(|t| !t.is_empty())
            }
            "averageRating" => out.average = serde_json::from_slice(v).ok(),
            "totalReviewCount" => out.total = serde_json::from_slice(v).ok(),
            _ => {}
        }
    }
    Ok(out)
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reviewer {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    is_anonymous: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reply {
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    update_time: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Review {
    name: String,
    #[serde(default)]
    star_rating: Option<String>,
    #[serde(default)]
    reviewer: Reviewer,
    #[serde(default)]
    comment: Option<String>,
    create_time: String,
    #[serde(default)]
    update_time: Option<String>,
    #[serde(default)]
    review_reply: Option<Reply>,
}

/// A review as read: its item (the first version kith keeps), when it was last changed, and
/// our answer to it, if any.
#[derive(Debug)]
pub(super) struct Parsed {
    pub(super) review: NewItem,
    pub(super) updated: Timestamp,
    pub(super) reply: Option<NewItem>,
}

impl Parsed {
    /// Changed since it was written. An `updateTime` that is our answer's own (Google may
    /// move a review's time when it is answered) is not an edit.
    pub(super) fn edited(&self) -> bool {
        let moved = self.updated.0 - self.review.created_at.0 > EDIT_SLACK_MS;
        let by_answer = self
            .reply
            .as_ref()
            .is_some_and(|r| r.created_at.0 >= self.updated.0 - EDIT_SLACK_MS);
        moved && !by_answer
    }

    /// The review as changed at `updated`: its own item (the store keeps the first copy of a
    /// native id), under the review, tagged `edited`.
    pub(super) fn edit(&self) -> NewItem {
        let mut e = self.review.clone();
        e.native_id = format!("{}@{}", self.review.native_id, self.updated.to_rfc3339());
        e.parent_native_id = Some(self.review.native_id.clone());
        e.root_native_id = Some(self.review.native_id.clone());
        e.created_at = self.updated;
        e.tags.push("edited".into());
        e
    }
}

/// `STAR_RATING_UNSPECIFIED` (or anything else) is no rating.
fn stars(s: Option<&str>) -> Option<u8> {
    match s? {
        "ONE" => Some(1),
        "TWO" => Some(2),
        "THREE" => Some(3),
        "FOUR" => Some(4),
        "FIVE" => Some(5),
        _ => None,
    }
}

/// `accounts/{a}/locations/{l}/reviews/{id}`, every part plain: the name goes back into
/// request paths, so nothing in it may climb out of them.
pub(super) fn valid_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    parts.len() == 6
        && parts[0] == "accounts"
        && parts[2] == "locations"
        && parts[4] == "reviews"
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Our answer's native id: one per version (`updateTime`), the same from a sync and from the
/// `PUT` that wrote it, so the two meet in the store.
pub(super) fn reply_id(review: &str, updated: Option<Timestamp>) -> String {
    match updated {
        Some(t) => format!("{review}/reply@{}", t.to_rfc3339()),
        None => format!("{review}/reply"),
    }
}

impl Google {
    pub(super) fn parse_review(&self, raw: &[u8]) -> std::result::Result<Parsed, String> {
        let r: Review = serde_json::from_slice(raw).map_err(|e| {
            format!(
                "review: {}",
                e.to_string().chars().take(200).collect::<String>()
            )
        })?;
        if !valid_name(&r.name) {
            return Err(format!(
                "review: unexpected name {:?}",
                r.name.chars().take(120).collect::<String>()
            ));
        }
        let created = Timestamp::parse(&r.create_time)
            .ok_or_else(|| format!("review {}: bad createTime {:?}", r.name, r.create_time))?;
        let updated = match r.update_time.as_deref() {
            Some(u) => Timestamp::parse(u)
                .ok_or_else(|| format!("review {}: bad updateTime {u:?}", r.name))?,
            None => created,
        };
        let shown = r
            .reviewer
            .display_name
            .filter(|n| !n.trim().is_empty() && !r.reviewer.is_anonymous);
        let mut review = NewItem::comment(
            Platform::Google,
            &self.cfg.name,
            &r.name,
            shown.as_deref().map_or(ANONYMOUS, |n| n),
            r.comment.as_deref().unwrap_or(""),
            created,
        );
        review.kind = Kind::Review;
        review.rating = stars(r.star_rating.as_deref());
        review.author.name = shown.clone();
        // Google names no reviewer id: the shown name is the best handle there is.
        review.author.id = match &shown {
            Some(n) => format!("google:{n}"),
            None => ANONYMOUS.to_string(),
        };
        let reply = r.review_reply.and_then(|rep| {
            let text = rep.comment.filter(|c| !c.is_empty())?;
            let at = rep.update_time.as_deref().and_then(Timestamp::parse);
            let mut item = NewItem::comment(
                Platform::Google,
                &self.cfg.name,
                &reply_id(&r.name, at),
                &self.me(),
                &text,
                at.unwrap_or(updated),
            );
            item.kind = Kind::Reply;
            item.ours = true;
            item.parent_native_id = Some(r.name.clone());
            item.root_native_id = Some(r.name.clone());
            Some(item)
        });
        Ok(Parsed {
            review,
            updated,
            reply,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_could_leave_the_path_are_refused() {
        assert!(valid_name(
            "accounts/1234567/locations/7654321/reviews/AbFvOqnEx"
        ));
        assert!(valid_name("accounts/1/locations/2/reviews/A-b_c"));
        for bad in [
            "accounts/1/locations/2/reviews/..",
            "accounts/1/locations/2/reviews/a?b",
            "accounts/1/locations/2/reviews/a/reply",
            "accounts/1/locations/2/reviews/",
            "accounts/1/locations/2/reviews/a%2F..",
            "locations/2/reviews/a",
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
        assert_eq!(stars(Some("STAR_RATING_UNSPECIFIED")), None);
        assert_eq!(stars(Some("FOUR")), Some(4));
    }
}
