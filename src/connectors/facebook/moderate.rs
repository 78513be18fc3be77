//! Facebook moderation and likes: hide and unhide a comment (hidden ones stay visible to their
//! author and friends), delete, like as the Page. Messages cannot be hidden, liked or deleted.

use super::Facebook;
use crate::connectors::graph::Verb;
use crate::connectors::http::Retry;
use crate::connectors::{ConnectorError, RemoteAction, Result};
use crate::domain::{Item, Kind, Platform};

impl Facebook {
    pub(super) async fn do_act(&self, item: &Item, action: RemoteAction) -> Result<()> {
        if let Some(why) = action.refusal(Platform::Facebook) {
            return Err(ConnectorError::Unsupported(why.to_string()));
        }
        if item.kind == Kind::Dm {
            return Err(ConnectorError::Unsupported(crate::i18n::t(
                "why.facebook_message",
            )));
        }
        let id = item.native_id.as_str();
        let (verb, path, form): (Verb, String, Vec<(&str, String)>) = match action {
            RemoteAction::Hide => (Verb::Post, id.into(), vec![("is_hidden", "true".into())]),
            RemoteAction::Restore => (Verb::Post, id.into(), vec![("is_hidden", "false".into())]),
            RemoteAction::Delete => (Verb::Delete, id.into(), Vec::new()),
            RemoteAction::Like => (Verb::Post, format!("{id}/likes"), Vec::new()),
            other => {
                return Err(ConnectorError::Unsupported(format!(
                    "Facebook: {} is not something kith can do here",
                    other.key()
                )))
            }
        };
        // Setting a state, liking and deleting are safe to repeat.
        self.call(verb, &path, &[], &form, Retry::Safe).await?;
        Ok(())
    }
}
