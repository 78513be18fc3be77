//! The Accounts panel: every account with its sync state; sync or test one from the keyboard.

use crate::config::keymap::Action;
use crate::engine::api::AccountView;
use crate::i18n::tf;
use crate::text::sanitize_line;
use crate::tui::input::LineInput;
use crate::tui::views::platform_name;

#[derive(Debug, Clone, Default)]
pub struct AccountsPanel {
    pub rows: Vec<AccountView>,
    pub selected: usize,
    pub loaded: bool,
    /// The answer to an account's captcha being typed.
    pub captcha: Option<(String, LineInput)>,
}

/// What a key in the panel asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Stay,
    Close,
    Sync(String),
    Test(String),
    /// Type the answer to this account's captcha.
    AskCaptcha(String),
    Reload,
    /// Nothing to do for this account: why (a demo or imported account has no connection).
    Say(String),
}

/// Why `s` (sync) or `t` (test) does nothing for an account without a connection.
pub fn not_connected(a: &AccountView, test: bool) -> String {
    let account = sanitize_line(&a.name, 64).text;
    let key = match (a.demo, test, a.platform.capabilities().connect) {
        (true, false, _) => "tui.accounts.why.demo_sync",
        (true, true, _) => "tui.accounts.why.demo_test",
        (false, _, true) => "tui.accounts.why.imported_connectable",
        (false, _, false) => "tui.accounts.why.imported",
    };
    tf(
        key,
        &[
            ("account", &account),
            ("platform", &platform_name(a.platform)),
        ],
    )
}

impl AccountsPanel {
    pub fn current(&self) -> Option<&AccountView> {
        self.rows.get(self.selected)
    }

    pub fn set_rows(&mut self, rows: Vec<AccountView>) {
        let keep = self.current().map(|r| r.name.clone());
        self.rows = rows;
        self.loaded = true;
        self.selected = keep
            .and_then(|k| self.rows.iter().position(|r| r.name == k))
            .unwrap_or(0)
            .min(self.rows.len().saturating_sub(1));
    }

    /// An action of the keymap's `accounts` context.
    pub fn act(&mut self, a: Action) -> Outcome {
        match a {
            Action::Close => Outcome::Close,
            Action::Down => {
                self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1));
                Outcome::Stay
            }
            Action::Up => {
                self.selected = self.selected.saturating_sub(1);
                Outcome::Stay
            }
            Action::SyncNow => match self.current() {
                Some(r) if r.connected => Outcome::Sync(r.name.clone()),
                Some(r) => Outcome::Say(not_connected(r, false)),
                None => Outcome::Stay,
            },
            Action::TestAccount => match self.current() {
                Some(r) if r.connected => Outcome::Test(r.name.clone()),
                Some(r) => Outcome::Say(not_connected(r, true)),
                None => Outcome::Stay,
            },
            Action::AnswerCaptcha => match self.current() {
                Some(r) if r.runtime.captcha.is_some() => Outcome::AskCaptcha(r.name.clone()),
                Some(r) => Outcome::Say(tf(
                    "err.no_captcha",
                    &[("account", &sanitize_line(&r.name, 64).text)],
                )),
                None => Outcome::Stay,
            },
            Action::Reload => Outcome::Reload,
            _ => Outcome::Stay,
        }
    }
}
