//! Answering Google reviews: `PUT {review}/reply` creates or replaces the review's one answer,
//! so a retry can never double it; `DELETE {review}/reply` takes our answer back. Nothing
//! else can be done to a review.

use super::parse::{reply_id, valid_name};
use super::{review_of, Google};
use crate::connectors::http::Retry;
use crate::connectors::{refuse_empty, ConnectorError, RemoteAction, Result, Sent};
use crate::domain::{Item, Platform, Timestamp};
use serde::Deserialize;

/// Google refuses longer answers; counted in UTF-8 bytes, refused before any request.
pub(super) const MAX_BYTES: usize = 4096;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Written {
    #[serde(default)]
    update_time: Option<String>,
}

impl Google {
    /// The review `item` belongs to, when its name is one kith may put in a path.
    fn target(&self, item: &Item) -> Result<String> {
        let name = review_of(item);
        if !valid_name(&name) {
            return Err(ConnectorError::Refused(format!(
                "google: {:?} is not a review kith can answer",
                name.chars().take(120).collect::<String>()
            )));
        }
        Ok(name)
    }

    pub(super) async fn send_reply(&self, item: &Item, text: &str) -> Result<Sent> {
        refuse_empty(text)?;
        if text.len() > MAX_BYTES {
            return Err(ConnectorError::Refused(format!(
                "google: the answer has {} bytes; Google takes at most {MAX_BYTES}",
                text.len()
            )));
        }
        let review = self.target(item)?;
        let body = serde_json::json!({ "comment": text });
        // Create or replace: the same PUT twice leaves one answer, so it is retried freely.
        let resp = self
            .call(
                reqwest::Method::PUT,
                &format!("{review}/reply"),
                &[],
                Some(&body),
                Retry::Safe,
            )
            .await?;
        let at = resp
            .json::<Written>()
            .ok()
            .and_then(|w| w.update_time)
            .and_then(|t| Timestamp::parse(&t));
        Ok(Sent {
            native_id: reply_id(&review, at),
            url: None,
        })
    }

    pub(super) async fn do_act(&self, item: &Item, action: RemoteAction) -> Result<()> {
        if let Some(why) = action.refusal_for(item) {
            return Err(ConnectorError::Unsupported(why.to_string()));
        }
        match action {
            RemoteAction::Delete => {
                let review = self.target(item)?;
                // Deleting what is already gone leaves the same: safe to repeat.
                match self
                    .call(
                        reqwest::Method::DELETE,
                        &format!("{review}/reply"),
                        &[],
                        None,
                        Retry::Safe,
                    )
                    .await
                {
                    Ok(_) => Ok(()),
                    Err(ConnectorError::Refused(m)) if m.contains("NOT_FOUND") => Ok(()),
                    Err(e) => Err(e),
                }
            }
            other => Err(ConnectorError::Unsupported(format!(
                "{}: {} is not possible",
                Platform::Google,
                other.as_str()
            ))),
        }
    }
}
