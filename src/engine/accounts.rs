//! Accounts in the engine: the list with live state, adding, removing, testing credentials.

use super::api::{AccountView, Event, Response};
use super::sync::{describe, remote};
use super::{Engine, EngineError};
use crate::connectors;
use crate::domain::Timestamp;
use crate::i18n::ph;
use std::sync::Arc;

impl Engine {
    pub(super) fn account_views(&self) -> Result<Vec<AccountView>, EngineError> {
        let overview = self.store.overview()?;
        let mut out: Vec<AccountView> = Vec::new();
        let (runtime, notices) = {
            let accounts = self.accounts_lock();
            let notices: std::collections::HashMap<String, Vec<crate::i18n::Phrase>> = accounts
                .connectors
                .iter()
                .map(|(name, c)| (name.clone(), c.notices()))
                .collect();
            (accounts.runtime.clone(), notices)
        };
        for cfg in self.store.connections()? {
            let items = account_items(&overview, &cfg.name);
            let mut runtime = runtime.get(&cfg.name).cloned().unwrap_or_default();
            runtime.notices = notices.get(&cfg.name).cloned().unwrap_or_default();
            out.push(AccountView {
                human_agent: cfg.human_agent,
                platform: cfg.platform,
                connected: true,
                demo: false,
                base_url: Some(cfg.base_url.clone()),
                secret_source: Some(cfg.secret.describe()),
                handle: cfg.handle.clone(),
                interval_secs: Some(cfg.interval_secs),
                items,
                state: self.store.sync_state(&cfg.name)?,
                runtime,
                name: cfg.name,
            });
        }
        for acc in self.store.accounts()? {
            if out.iter().any(|v| v.name == acc.name) {
                continue;
            }
            out.push(AccountView {
                items: account_items(&overview, &acc.name),
                name: acc.name,
                platform: acc.platform,
                connected: false,
                demo: acc.demo,
                base_url: None,
                secret_source: None,
                handle: None,
                interval_secs: None,
                state: Default::default(),
                runtime: Default::default(),
                human_agent: false,
            });
        }
        out.sort_by(|a, b| (!a.connected, &a.name).cmp(&(!b.connected, &b.name)));
        Ok(out)
    }

    pub(super) fn add_account(
        &self,
        op: &str,
        cfg: connectors::AccountConfig,
        replace: bool,
        secrets: [Option<connectors::secrets::Secret>; 2],
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        if cfg.name.trim().is_empty() || cfg.name.chars().any(|c| c.is_control()) {
            return Err(EngineError::Invalid(ph("err.account_name", &[])));
        }
        if !replace && self.store.connection(&cfg.name)?.is_some() {
            return Err(EngineError::Invalid(ph(
                "err.account_exists",
                &[("account", &crate::text::sanitize_line(&cfg.name, 64).text)],
            )));
        }
        if !cfg.platform.capabilities().connect {
            return Err(EngineError::Invalid(ph(
                "err.platform_not_connectable",
                &[("platform", &cfg.platform)],
            )));
        }
        match url::Url::parse(&cfg.base_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => {
                return Err(EngineError::Invalid(ph(
                    "err.base_url",
                    &[("url", &crate::text::sanitize_line(&cfg.base_url, 200).text)],
                )))
            }
        }
        // The secrets go to disk (0600) before the account that names them: an account never
        // exists without the secrets it was added with.
        let [secret, user_secret] = secrets;
        let second = connectors::secrets::second_secret_name(&cfg.name);
        self.keep_secret(&cfg.name, Some(&cfg.secret), secret)?;
        self.keep_secret(&second, cfg.user_secret.as_ref(), user_secret)?;
        self.store.save_connection(&cfg, op, now)?;
        self.accounts_lock().connectors.remove(&cfg.name);
        self.emit(Event::AccountsChanged);
        self.sync_wake.notify_one();
        Ok(Response::Done)
    }

    /// Keeps the secret an account names as kept (`Kept` with its value), or drops an earlier
    /// kept copy when it names another place (a file stays where it is).
    fn keep_secret(
        &self,
        name: &str,
        source: Option<&connectors::secrets::SecretSource>,
        value: Option<connectors::secrets::Secret>,
    ) -> Result<(), EngineError> {
        let kept = connectors::secrets::KeptSecret::for_account(self.store.dir(), name);
        match (source, value) {
            (Some(connectors::secrets::SecretSource::Kept { .. }), Some(secret)) => {
                kept.save(&secret).map_err(|e| {
                    EngineError::Invalid(ph(
                        "err.secret_keep",
                        &[
                            ("dir", &self.store.dir().join("secrets").display()),
                            ("error", &e),
                        ],
                    ))
                })
            }
            (Some(connectors::secrets::SecretSource::Kept { from }), None) => Err(
                EngineError::Invalid(ph("err.secret_missing", &[("from", from)])),
            ),
            _ => {
                kept.remove();
                Ok(())
            }
        }
    }

    /// Hands a person's captcha answer to the account's connector; the next request carries it.
    pub(super) fn answer_captcha(&self, name: &str, answer: &str) -> Result<Response, EngineError> {
        let answer = answer.trim();
        let connector = self.connector(name)?;
        if answer.is_empty() || !connector.answer_captcha(answer) {
            return Err(EngineError::Invalid(ph(
                "err.no_captcha",
                &[("account", &crate::text::sanitize_line(name, 64).text)],
            )));
        }
        self.runtime_mut(name, |r| r.captcha = None);
        self.emit(Event::AccountsChanged);
        Ok(Response::Done)
    }

    pub(super) fn remove_account(
        &self,
        op: &str,
        name: &str,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        if !self.store.remove_connection(name, op, now)? {
            return Err(EngineError::Invalid(ph(
                "err.no_account",
                &[("account", &crate::text::sanitize_line(name, 64).text)],
            )));
        }
        {
            let mut a = self.accounts_lock();
            a.connectors.remove(name);
            a.runtime.remove(name);
        }
        connectors::secrets::SessionFile::for_account(self.store.dir(), name).remove();
        connectors::secrets::KeptSecret::for_account(self.store.dir(), name).remove();
        let second = connectors::secrets::second_secret_name(name);
        connectors::secrets::KeptSecret::for_account(self.store.dir(), &second).remove();
        self.emit(Event::AccountsChanged);
        Ok(Response::Done)
    }

    /// Checks credentials; a success clears "needs re-authentication".
    pub(super) async fn test_account(
        self: &Arc<Self>,
        name: &str,
    ) -> Result<Response, EngineError> {
        // A fresh connector: the operator may just have fixed the token.
        self.accounts_lock().connectors.remove(name);
        let c = match self.connector(name) {
            Ok(c) => c,
            Err(e) => {
                if let EngineError::Remote {
                    message,
                    needs_reauth,
                } = &e
                {
                    self.record_error(name, Some(message.clone()), *needs_reauth)
                        .await;
                }
                return Err(e);
            }
        };
        match c.whoami().await {
            Ok(id) => {
                self.record_error(name, None, false).await;
                if let Ok(limit) = c.text_limit().await {
                    self.runtime_mut(name, |r| r.text_limit = Some(limit));
                }
                Ok(Response::Identity(id))
            }
            Err(e) => {
                self.record_error(name, Some(describe(name, &e)), e.is_auth())
                    .await;
                Err(remote(name, &e))
            }
        }
    }

    pub(super) async fn record_error(
        self: &Arc<Self>,
        name: &str,
        error: Option<crate::i18n::Phrase>,
        reauth: bool,
    ) {
        let store = Arc::clone(&self.store);
        let n = name.to_string();
        let r = tokio::task::spawn_blocking(move || {
            store.set_sync_error(&n, error, reauth, Timestamp::now())
        })
        .await;
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!("recording sync state failed: {e}"),
            Err(e) => super::joined::log_join_error("recording sync state failed", &e),
        }
        self.emit(Event::AccountsChanged);
    }
}

fn account_items(o: &super::api::Overview, name: &str) -> u64 {
    o.by_account
        .iter()
        .find(|(n, _, _)| n == name)
        .map(|(_, _, c)| *c)
        .unwrap_or(0)
}
