//! An account's state in one word, as the Accounts panel, `kith account list` and `kith doctor`
//! show it: what the engine knows (connected, needs re-authentication, syncing, waiting out a
//! rate limit, failing, never synced), worded by whoever shows it.

use super::api::AccountView;
use crate::domain::Timestamp;
use crate::i18n::{ph, Phrase};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    /// The bundled demo workspace's account (no connection).
    Demo,
    /// Items imported from files only (no connection).
    Imported,
    NeedsReauth,
    /// A pass under way, with the items it stored so far.
    Syncing(u64),
    /// Waiting out a rate limit for this many seconds.
    RateWait(i64),
    /// The last pass failed (the error is shown beside).
    Failing,
    NeverSynced,
    Ok,
}

impl AccountView {
    /// The account's state at `now`, most pressing first.
    pub fn state_at(&self, now: Timestamp) -> AccountState {
        if !self.connected {
            return if self.demo {
                AccountState::Demo
            } else {
                AccountState::Imported
            };
        }
        if self.state.needs_reauth {
            return AccountState::NeedsReauth;
        }
        if self.runtime.syncing {
            return AccountState::Syncing(self.runtime.pass_added);
        }
        if let Some(until) = self.runtime.rate_wait_until.filter(|u| *u > now) {
            return AccountState::RateWait(((until.0 - now.0) / 1000).max(1));
        }
        if self.state.last_error.is_some() {
            return AccountState::Failing;
        }
        if self.state.last_stored.is_none() && self.runtime.last_poll.is_none() {
            return AccountState::NeverSynced;
        }
        AccountState::Ok
    }
}

impl AccountState {
    pub fn phrase(self) -> Phrase {
        match self {
            AccountState::Demo => ph("tui.accounts.demo", &[]),
            AccountState::Imported => ph("tui.accounts.imported", &[]),
            AccountState::NeedsReauth => ph("tui.accounts.reauth", &[]),
            AccountState::Syncing(n) => ph("tui.accounts.syncing", &[("n", &n)]),
            AccountState::RateWait(secs) => ph("tui.accounts.rate_wait", &[("secs", &secs)]),
            AccountState::Failing => ph("tui.accounts.error", &[]),
            AccountState::NeverSynced => ph("tui.accounts.never", &[]),
            AccountState::Ok => ph("tui.accounts.ok", &[]),
        }
    }
}
