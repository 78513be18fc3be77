//! An OAuth bearer token kept fresh for a Google API connector: a bare access token (used until
//! it stops working), or the token set the device flow kept, refreshed a minute before it
//! expires or once after a 401, the refreshed set kept 0600 and preferred over the secret.

use super::http::Http;
use super::oauth::{self, TokenSet};
use super::secrets::SessionFile;
use super::{ConnectorError, Result};
use crate::domain::Timestamp;
use std::sync::RwLock;

/// The credentials in use.
#[derive(Clone)]
enum Token {
    Bare(String),
    Set(TokenSet),
}

pub struct Bearer {
    token: tokio::sync::Mutex<Token>,
    /// The OAuth client the token set belongs to (`None` for a bare token).
    client_id: Option<String>,
    file: SessionFile,
    auth_url: String,
    /// Names the platform in messages (`google`).
    what: &'static str,
}

impl Bearer {
    /// `secret` is a bare access token or a token set's JSON; a set refreshed since (kept in
    /// `file`, for the same client) wins. Every secret is added to `http`'s redaction list.
    pub fn new(
        secret: &str,
        file: SessionFile,
        auth_url: &str,
        what: &'static str,
        http: &mut Http,
    ) -> Bearer {
        let token = match serde_json::from_str::<TokenSet>(secret.trim()) {
            Ok(given) => {
                let kept = file
                    .load::<TokenSet>()
                    .filter(|k| k.client.id == given.client.id && k.expires_at > given.expires_at);
                Token::Set(kept.unwrap_or(given))
            }
            Err(_) => Token::Bare(secret.trim().to_string()),
        };
        match &token {
            Token::Set(s) => {
                http.add_secret(&s.access_token);
                http.add_secret(&s.client.secret);
                if let Some(r) = &s.refresh_token {
                    http.add_secret(r);
                }
            }
            Token::Bare(t) => http.add_secret(t),
        }
        let client_id = match &token {
            Token::Set(s) => Some(s.client.id.clone()),
            Token::Bare(_) => None,
        };
        Bearer {
            token: tokio::sync::Mutex::new(token),
            client_id,
            file,
            auth_url: auth_url.to_string(),
            what,
        }
    }

    /// The OAuth client the tokens come from (quota is counted per client), if known.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// The access token to send now: refreshed first when it is about to expire, or when
    /// `stale` (the one a 401 refused) is still the current one. A refreshed token joins the
    /// redaction list of `http`.
    pub async fn access(&self, http: &RwLock<Http>, stale: Option<&str>) -> Result<String> {
        let mut tok = self.token.lock().await;
        let now = Timestamp::now();
        let set = match &*tok {
            Token::Bare(_) if stale.is_some() => {
                return Err(ConnectorError::Auth(format!(
                    "{}: the access token was refused and cannot be refreshed: connect the \
                     account again (kith account add … --replace)",
                    self.what
                )));
            }
            Token::Bare(t) => return Ok(t.clone()),
            Token::Set(s) => s,
        };
        let refused = stale == Some(set.access_token.as_str());
        if !refused && !set.expiring(now) {
            return Ok(set.access_token.clone());
        }
        let client = http.read().map(|h| h.clone()).map_err(|_| {
            ConnectorError::Network(format!("{}: client state poisoned", self.what))
        })?;
        let fresh = oauth::refresh(&client, &self.auth_url, set, now).await?;
        if let Ok(mut h) = http.write() {
            h.add_secret(&fresh.access_token);
            if let Some(r) = &fresh.refresh_token {
                h.add_secret(r);
            }
        }
        if let Err(e) = self.file.save(&fresh) {
            tracing::warn!("{}: refreshed token not kept: {e}", self.what);
        }
        let access = fresh.access_token.clone();
        *tok = Token::Set(fresh);
        Ok(access)
    }
}
