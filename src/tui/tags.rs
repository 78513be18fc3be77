//! Tags in the TUI: the tags in use (with counts, from the engine) offered wherever a tag is
//! typed (the `t` prompt, the filter's tag field), Tab or ctrl-n completing them; and
//! `:tag-rename OLD NEW` from the command palette.

use super::app::{App, Prompt};
use super::input::LineInput;
use super::msg::{Effect, Tag};
use super::tag_complete::complete;
use crate::domain::tag;
use crate::engine::api::{Request, Response};
use crate::engine::EngineError;
use crate::i18n::tf;
use crate::text::sanitize_line;

/// Asks the engine for the tags in use (answered into `Cx::tags`).
pub fn load() -> Effect {
    Effect::Call(Tag::Tags, Request::Tags)
}

/// `t`: the tag prompt on the selected item, with the tags in use offered.
pub fn ask(app: &mut App) -> Vec<Effect> {
    if app.list.current().is_none() {
        app.info(crate::i18n::t("tui.msg.no_selection"));
        return Vec::new();
    }
    app.prompt = Some((Prompt::Tag, LineInput::default()));
    app.completion = None;
    vec![load()]
}

/// Tab in the `t` prompt.
pub fn complete_prompt(app: &mut App) {
    let Some((Prompt::Tag, input)) = app.prompt.as_mut() else {
        return;
    };
    complete(&app.cx.tags, &mut app.completion, input);
}

/// `:tag-rename OLD NEW` from the palette: every item's tag renamed (merged when NEW exists).
pub fn rename(app: &mut App, old: &str, new: &str) -> Vec<Effect> {
    for name in [old, new] {
        if !tag::valid(name) {
            app.error(&tf(
                "tags.err.name",
                &[
                    ("tag", &sanitize_line(name, 60).text),
                    ("max", &tag::MAX_CHARS),
                ],
            ));
            return Vec::new();
        }
    }
    app.info(tf(
        "tags.tui.renaming",
        &[
            ("old", &sanitize_line(old, 40).text),
            ("new", &sanitize_line(new, 40).text),
        ],
    ));
    vec![Effect::Call(
        Tag::TagRename {
            old: old.trim().to_string(),
            new: new.trim().to_string(),
        },
        Request::TagRename {
            old: old.trim().to_string(),
            new: new.trim().to_string(),
        },
    )]
}

/// The engine's answers to `Tags` and `TagRename`.
pub fn done(app: &mut App, p: Tag, r: Result<Response, EngineError>) -> Vec<Effect> {
    match (p, r) {
        (Tag::Tags, Ok(Response::Tags(tags))) => {
            app.cx.tags = tags;
            Vec::new()
        }
        (Tag::TagRename { old, new }, Ok(Response::TagRenamed { items, merged })) => {
            app.info(tf(
                "tags.tui.renamed",
                &[
                    ("old", &sanitize_line(&old, 40).text),
                    ("new", &sanitize_line(&new, 40).text),
                    ("count", &items),
                    ("merged", &merged),
                ],
            ));
            // A list filtered by the old name now shows nothing: filter by the new one.
            if app
                .user_filter
                .tag
                .as_deref()
                .is_some_and(|t| tag::same(t, &old))
            {
                app.user_filter.tag = Some(new);
            }
            let mut fx = vec![load()];
            fx.extend(super::nav::reload_list(app, None, false));
            fx
        }
        (_, Err(e)) => {
            app.error(&e.to_string());
            Vec::new()
        }
        (_, Ok(_)) => Vec::new(),
    }
}
