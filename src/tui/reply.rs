//! The reply editor as a panel: the draft, the saved-reply picker, and sending. It takes its own
//! form and the shared `Cx`; closing with text in it hands the draft back to the inbox.

use super::cx::Cx;
use super::keys::Input;
use super::msg::{Cmd, Effect, Out, Tag};
use super::popups::picker::Picker;
use super::popups::ReplyForm;
use crate::config::keymap::Action;
use crate::domain::ItemId;
use crate::engine::api::Request;
use crate::i18n::{t, tf};
use crate::tui::keys::TextEdit;

/// The engine hears that this operator opened (or closed) a reply on an item; others see it.
pub fn drafting(id: ItemId, active: bool) -> Effect {
    Effect::Call(Tag::Quiet, Request::Drafting { id, active })
}

/// A key in the reply editor (the keymap's `editor` and `input` contexts) or its saved-reply
/// picker (`picker`).
pub fn key(form: &mut ReplyForm, cx: &mut Cx, input: Input) -> Out {
    if let Some(mut picker) = form.picker.take() {
        let lang = form.item.lang.clone();
        let matches = picker.matches(&cx.cfg.replies, lang.as_deref());
        match input {
            Input::Act(Action::Cancel) => {}
            Input::Act(Action::Submit) => {
                if let Some(r) = matches
                    .get(picker.selected)
                    .and_then(|i| cx.cfg.replies.get(*i))
                {
                    let text =
                        crate::config::replies::expand(&r.text, &form.item, &cx.cfg.operator);
                    form.editor.insert(&text);
                }
            }
            Input::Act(Action::Down) => {
                picker.selected = (picker.selected + 1).min(matches.len().saturating_sub(1));
                form.picker = Some(picker);
            }
            Input::Act(Action::Up) => {
                picker.selected = picker.selected.saturating_sub(1);
                form.picker = Some(picker);
            }
            other => {
                let before = picker.input.text.clone();
                picker.input.take(other);
                if picker.input.text != before {
                    picker.selected = 0;
                }
                form.picker = Some(picker);
            }
        }
        return Out::default();
    }
    match input {
        Input::Act(Action::Cancel) => {
            let id = form.item.id;
            let mut out = Out::fx(vec![drafting(id, false)]).with(Cmd::Close);
            if !form.editor.is_empty() {
                cx.info(t("tui.msg.draft_kept"));
                let editor = std::mem::take(&mut form.editor);
                out = out.with(Cmd::KeepDraft(id, Box::new(editor), form.private));
            }
            out
        }
        Input::Act(Action::SavedReplies) => {
            form.picker = Some(Picker::default());
            Out::default()
        }
        Input::Act(Action::PrivateReply) => {
            toggle_private(form, cx);
            Out::default()
        }
        Input::Act(Action::Send) => send(form, cx),
        other => {
            form.editor.take(other);
            Out::default()
        }
    }
}

/// Sends the reply when it fits; the draft goes back to the inbox until the engine stores it.
fn send(form: &mut ReplyForm, cx: &mut Cx) -> Out {
    let text = form.editor.text();
    let caps = form.item.platform.capabilities();
    let limit = cx.text_limit(&form.item);
    let n = crate::text::count_for(&text, caps.count_rule);
    let over = crate::text::over_limit(&text, caps.count_rule, limit);
    if form.editor.is_empty() || over.is_some() {
        let (key, n, limit) = match over {
            _ if form.editor.is_empty() => ("tui.msg.reply_empty", n, limit),
            Some((count, lim, true)) => ("tui.msg.reply_too_many_bytes", count, lim),
            _ => ("tui.msg.reply_too_long", n, limit),
        };
        cx.error(&tf(key, &[("count", &n), ("limit", &limit)]));
        return Out::default();
    }
    let (id, version) = (form.item.id, form.item.version);
    cx.info(t("tui.msg.sending"));
    let editor = std::mem::take(&mut form.editor);
    Out::fx(vec![
        Effect::Call(
            Tag::Reply { id },
            Request::Reply {
                id,
                text,
                if_version: Some(version),
                private: form.private,
            },
        ),
        drafting(id, false),
    ])
    .with(Cmd::Close)
    // The draft stays until the engine has stored the reply.
    .with(Cmd::KeepDraft(id, Box::new(editor), form.private))
}

/// Turns the private reply on or off where the item may get one; says why not elsewhere.
fn toggle_private(form: &mut ReplyForm, cx: &mut Cx) {
    let item = &form.item;
    let refusal = if !item.private_reply_allowed() {
        Some(tf(
            "graph_msg.private_only",
            &[("platform", &item.platform)],
        ))
    } else if item.private_replied() {
        Some(tf(
            "graph_msg.private_once",
            &[("platform", &item.platform)],
        ))
    } else {
        None
    };
    match refusal {
        Some(why) if !form.private => cx.error(&why),
        _ => {
            form.private = !form.private;
            cx.info(t(if form.private {
                "graph_msg.private_on"
            } else {
                "graph_msg.private_off"
            }));
        }
    }
}
