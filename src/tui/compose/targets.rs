//! The composer's account list: moving over it, ticking accounts, giving one its own wording;
//! accounts on platforms kith cannot publish to are shown but never ticked.

use super::{Composer, Field};
use crate::domain::Platform;
use crate::i18n::tf;
use crate::text::sanitize_line;
use crate::tui::app::App;
use crate::tui::views::platform_name;
use crossterm::event::{KeyCode, KeyEvent};

/// Why nothing can be posted to `account`, or `None` when its platform publishes.
pub fn why_not(account: &str, p: Platform) -> Option<String> {
    if p.capabilities().publish {
        return None;
    }
    Some(tf(
        "err.post_state.cannot_publish",
        &[
            ("account", &sanitize_line(account, 64).text),
            ("platform", &platform_name(p)),
        ],
    ))
}

/// A key while the account list has the focus.
pub fn key(app: &mut App, c: &mut Composer, k: &KeyEvent) {
    let n = app.accounts.len();
    match k.code {
        KeyCode::Down | KeyCode::Char('j') => c.cursor = (c.cursor + 1).min(n.saturating_sub(1)),
        KeyCode::Up | KeyCode::Char('k') => c.cursor = c.cursor.saturating_sub(1),
        KeyCode::Home | KeyCode::Char('g') => c.cursor = 0,
        KeyCode::End | KeyCode::Char('G') => c.cursor = n.saturating_sub(1),
        // This account's own wording (again: back to the common text).
        KeyCode::Char('v') if c.editing.is_none() => {
            let Some((name, p)) = app.accounts.get(c.cursor).cloned() else {
                return;
            };
            if let Some(why) = why_not(&name, p) {
                app.error(&why);
                return;
            }
            if !c.targets.contains(&name) {
                c.targets.push(name.clone());
            }
            let next = (c.variant_of.as_deref() != Some(name.as_str())).then(|| name.clone());
            c.switch_to(next);
            c.focus = Field::Text;
        }
        KeyCode::Char(' ') | KeyCode::Enter => {
            let Some((name, p)) = app.accounts.get(c.cursor).cloned() else {
                return;
            };
            match c.targets.iter().position(|x| *x == name) {
                Some(i) => {
                    c.targets.remove(i);
                }
                None => match why_not(&name, p) {
                    Some(why) => app.error(&why),
                    None => c.targets.push(name),
                },
            }
        }
        _ => {}
    }
}
