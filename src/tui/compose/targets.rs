//! The composer's account list: moving over it, ticking accounts, giving one its own wording;
//! accounts on platforms kith cannot publish to are shown but never ticked.

use super::{Composer, Field};
use crate::config::keymap::Action;
use crate::domain::Platform;
use crate::i18n::tf;
use crate::text::sanitize_line;
use crate::tui::cx::Cx;
use crate::tui::views::platform_name;

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

/// An action of the keymap's `composer_targets` context, on the account list.
pub fn act(cx: &mut Cx, c: &mut Composer, a: Action) {
    let n = cx.accounts.len();
    match a {
        Action::Down => c.cursor = (c.cursor + 1).min(n.saturating_sub(1)),
        Action::Up => c.cursor = c.cursor.saturating_sub(1),
        Action::Top => c.cursor = 0,
        Action::Bottom => c.cursor = n.saturating_sub(1),
        // This account's own wording (again: back to the common text).
        Action::Variant if c.editing.is_none() => {
            let Some((name, p)) = cx.accounts.get(c.cursor).cloned() else {
                return;
            };
            if let Some(why) = why_not(&name, p) {
                cx.error(&why);
                return;
            }
            if !c.targets.contains(&name) {
                c.targets.push(name.clone());
            }
            let next = (c.variant_of.as_deref() != Some(name.as_str())).then(|| name.clone());
            c.switch_to(next);
            c.focus = Field::Text;
        }
        Action::Toggle => {
            let Some((name, p)) = cx.accounts.get(c.cursor).cloned() else {
                return;
            };
            match c.targets.iter().position(|x| *x == name) {
                Some(i) => {
                    c.targets.remove(i);
                }
                None => match why_not(&name, p) {
                    Some(why) => cx.error(&why),
                    None => c.targets.push(name),
                },
            }
        }
        _ => {}
    }
}
