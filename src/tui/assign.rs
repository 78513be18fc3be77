//! Assigning an item (`@`): the team's names (from the engine) offered as you type, Tab
//! completing them; a name the team has never seen is asked about before it is used.

use super::app::{App, Prompt};
use super::input::LineInput;
use super::msg::{Effect, Tag};
use super::popups::Popup;
use crate::domain::ItemId;
use crate::engine::api::Request;
use crate::i18n::t;

pub use super::app::Completion;

/// `@`: ask whom to assign the selected item to; the engine says who is on the team.
pub fn ask(app: &mut App) -> Vec<Effect> {
    if app.list.current().is_none() {
        app.info(t("tui.msg.no_selection"));
        return Vec::new();
    }
    app.prompt = Some((Prompt::Assign, LineInput::default()));
    app.completion = None;
    vec![Effect::Call(Tag::Operators, Request::Operators)]
}

/// Known names matching `typed`: those starting with it first, then those containing it (any
/// case); every name when nothing is typed.
pub fn matches<'a>(known: &'a [String], typed: &str) -> Vec<&'a str> {
    let typed = typed.trim().to_lowercase();
    let (mut first, mut then) = (Vec::new(), Vec::new());
    for n in known {
        let l = n.to_lowercase();
        if l.starts_with(&typed) {
            first.push(n.as_str());
        } else if l.contains(&typed) {
            then.push(n.as_str());
        }
    }
    first.extend(then);
    first
}

/// Tab in the assign prompt: the next matching name.
pub fn complete(app: &mut App) {
    let Some((Prompt::Assign, input)) = app.prompt.as_mut() else {
        return;
    };
    let c = app.completion.get_or_insert_with(|| Completion {
        typed: input.text.clone(),
        next: 0,
    });
    let found = matches(&app.cx.operators, &c.typed);
    if found.is_empty() {
        return;
    }
    let pick = found[c.next % found.len()];
    c.next = (c.next + 1) % found.len();
    *input = LineInput::with(pick);
}

/// Enter in the assign prompt: a known name is assigned at once (spelt as the team spells
/// it); another name is asked about.
pub fn chosen(app: &mut App, typed: &str) -> Vec<Effect> {
    let name = typed.trim();
    app.completion = None;
    if name.is_empty() || name.chars().any(char::is_control) {
        return Vec::new();
    }
    let known = app
        .operators
        .iter()
        .find(|n| *n == name)
        .or_else(|| {
            let same: Vec<&String> = app
                .operators
                .iter()
                .filter(|n| n.to_lowercase() == name.to_lowercase())
                .collect();
            (same.len() == 1).then(|| same[0])
        })
        .cloned();
    if app.selection.armed {
        if let Some(n) = known {
            return bulk_assign(app, n);
        }
    }
    let Some(item) = app.list.current() else {
        app.info(t("tui.msg.no_selection"));
        return Vec::new();
    };
    let (id, version) = (item.id, item.version);
    match known {
        Some(n) => super::team::assign_item(id, version, Some(n)),
        None => {
            app.popup = Some(Popup::AssignUnknown {
                id,
                version,
                name: name.to_string(),
            });
            Vec::new()
        }
    }
}

/// The answer to "NAME is not on the team. Assign anyway?": yes assigns; no goes back to the
/// prompt with the name, to correct it.
pub fn confirm(app: &mut App, id: ItemId, version: u64, name: String, yes: bool) -> Vec<Effect> {
    app.popup = None;
    if yes && app.selection.armed {
        return bulk_assign(app, name);
    }
    if yes {
        return super::team::assign_item(id, version, Some(name));
    }
    app.prompt = Some((Prompt::Assign, LineInput::with(&name)));
    Vec::new()
}

/// `;@`: every selected item to one operator.
fn bulk_assign(app: &mut App, name: String) -> Vec<Effect> {
    let change = crate::domain::Change::Assign(Some(name));
    super::bulk::start(app, crate::domain::bulk::BulkAction::Change(change))
}
