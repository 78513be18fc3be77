//! Actions over the selection (`;` then an action key): the request to the engine, the question
//! first when it is more than 50 items, progress while it runs, the line that ends it
//! ("done 48, skipped 2 (changed by anna)"), and `u` taking the whole bulk back. Also the
//! saved-reply picker for drafts on every selected item, and a stored draft filling the reply
//! editor.

use super::app::{App, UndoStep};
use super::msg::{Effect, Tag};
use super::popups::picker::Picker;
use super::popups::Popup;
use crate::config::keymap::Action;
use crate::domain::bulk::{BulkAction, BulkId, BulkReport, BulkRequest};
use crate::domain::{Change, ItemId, Status};
use crate::engine::api::{Request, Response};
use crate::engine::EngineError;
use crate::i18n::{t, tf};
use crate::tui::keys::{Input, TextEdit};

/// More items than this are changed only after a yes.
pub const ASK_ABOVE: u64 = 50;

/// A bulk waiting for its yes.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingBulk {
    pub req: BulkRequest,
    pub verb: String,
    pub count: Option<u64>,
}

/// The catalog's word for what an action did ("done", "tagged"…).
pub fn verb(action: &BulkAction) -> String {
    let key = match action {
        BulkAction::Change(Change::SetStatus { status, .. }) => match status {
            Status::Done => "bulk.tui.verb.done",
            Status::New | Status::Open => "bulk.tui.verb.reopened",
            Status::Spam => "bulk.tui.verb.spam",
            Status::Hidden => "bulk.tui.verb.hidden",
            Status::Snoozed => "bulk.tui.verb.snoozed",
        },
        BulkAction::Change(Change::AddTag(_)) => "bulk.tui.verb.tagged",
        BulkAction::Change(Change::RemoveTag(_)) => "bulk.tui.verb.untagged",
        BulkAction::Change(Change::Assign(Some(_))) => "bulk.tui.verb.assigned",
        BulkAction::Change(Change::Assign(None)) => "bulk.tui.verb.released",
        BulkAction::Claim => "bulk.tui.verb.claimed",
        BulkAction::Like => "bulk.tui.verb.liked",
        BulkAction::Draft { .. } => "bulk.tui.verb.drafted",
        BulkAction::Rules | BulkAction::Change(Change::Triage(_)) => "bulk.tui.verb.ruled",
        BulkAction::SendDrafts => "bulk.tui.verb.sent",
    };
    t(key)
}

/// The selection takes `action`: at once, or after a yes when it is more than 50 items (or
/// everything in view, not counted yet).
pub fn start(app: &mut App, action: BulkAction) -> Vec<Effect> {
    app.selection.armed = false;
    let count = app.selection.count();
    let p = PendingBulk {
        verb: verb(&action),
        req: BulkRequest {
            target: app.selection.target(),
            action,
            dry_run: false,
            list: 0,
        },
        count,
    };
    // Replies cannot be taken back: sending drafts always asks.
    let sends = p.req.action == BulkAction::SendDrafts;
    if sends || count.is_none_or(|n| n > ASK_ABOVE) {
        app.popup = Some(Popup::ConfirmBulk(Box::new(p)));
        return Vec::new();
    }
    send(app, p)
}

fn send(app: &mut App, p: PendingBulk) -> Vec<Effect> {
    let total = p
        .count
        .map(super::select::thousands)
        .unwrap_or_else(|| "…".into());
    app.info(tf(
        "bulk.tui.running",
        &[("verb", &p.verb), ("done", &0), ("total", &total)],
    ));
    app.selection.running = Some(p.verb.clone());
    vec![Effect::Call(
        Tag::Bulk { verb: p.verb },
        Request::Bulk(p.req),
    )]
}

/// The answer to "Change N items?".
pub fn confirmed(app: &mut App, p: PendingBulk, input: Input) -> Vec<Effect> {
    match input {
        Input::Act(Action::Yes) => send(app, p),
        Input::Act(Action::No) => {
            app.info(t("bulk.tui.declined"));
            Vec::new()
        }
        _ => {
            app.popup = Some(Popup::ConfirmBulk(Box::new(p)));
            Vec::new()
        }
    }
}

/// `;r`: which saved reply becomes a draft on every selected item.
pub fn ask_draft(app: &mut App) -> Vec<Effect> {
    if app.cfg.replies.is_empty() {
        app.selection.armed = false;
        app.info(t("tui.picker.none"));
        return Vec::new();
    }
    app.popup = Some(Popup::BulkDraft(Picker::default()));
    Vec::new()
}

/// A key in the saved-reply picker for drafts.
pub fn draft_key(app: &mut App, mut p: Picker, input: Input) -> Vec<Effect> {
    let lang = app.list.current().and_then(|i| i.lang.clone());
    let matches = p.matches(&app.cfg.replies, lang.as_deref());
    match input {
        Input::Act(Action::Cancel) => {
            app.selection.armed = false;
            Vec::new()
        }
        Input::Act(Action::Submit) => {
            let chosen = matches
                .get(p.selected)
                .and_then(|i| app.cfg.replies.get(*i))
                .map(|r| r.text.clone());
            match chosen {
                Some(template) => start(app, BulkAction::Draft { template }),
                None => {
                    app.popup = Some(Popup::BulkDraft(p));
                    Vec::new()
                }
            }
        }
        Input::Act(Action::Down) => {
            p.selected = (p.selected + 1).min(matches.len().saturating_sub(1));
            app.popup = Some(Popup::BulkDraft(p));
            Vec::new()
        }
        Input::Act(Action::Up) => {
            p.selected = p.selected.saturating_sub(1);
            app.popup = Some(Popup::BulkDraft(p));
            Vec::new()
        }
        other => {
            let before = p.input.text.clone();
            p.input.take(other);
            if p.input.text != before {
                p.selected = 0;
            }
            app.popup = Some(Popup::BulkDraft(p));
            Vec::new()
        }
    }
}

/// `u` after a bulk: the whole bulk back.
pub fn undo(app: &mut App, id: BulkId) -> Vec<Effect> {
    let verb = t("bulk.tui.verb.undone");
    app.info(tf(
        "bulk.tui.running",
        &[("verb", &verb), ("done", &0), ("total", &"…")],
    ));
    app.selection.running = Some(verb);
    vec![Effect::Call(Tag::UndoBulk, Request::UndoBulk(id))]
}

/// The engine moved on with a bulk this front end started.
pub fn progress(app: &mut App, operator: &str, done: u64, total: u64, skipped: u64) {
    let Some(verb) = app.selection.running.clone() else {
        return;
    };
    if operator != app.cfg.operator {
        return;
    }
    let mut line = tf(
        "bulk.tui.running",
        &[
            ("verb", &verb),
            ("done", &super::select::thousands(done)),
            ("total", &super::select::thousands(total)),
        ],
    );
    if skipped > 0 {
        line.push_str(&tf("bulk.tui.skipped_so_far", &[("count", &skipped)]));
    }
    app.info(line);
}

/// "done 48, skipped 2 (changed by anna)".
pub fn result_line(verb: &str, r: &BulkReport) -> String {
    let mut s = tf(
        "bulk.tui.result",
        &[
            ("verb", &verb),
            ("count", &super::select::thousands(r.changed)),
        ],
    );
    if r.unchanged > 0 {
        s.push_str(&tf(
            "bulk.tui.already",
            &[("count", &super::select::thousands(r.unchanged))],
        ));
    }
    if !r.skipped.is_empty() {
        let by = r.changed_by();
        let why = if by.is_empty() {
            // Reasons other than someone else's change: the first one says what kind.
            r.skipped
                .first()
                .map(|s| crate::text::sanitize_line(&s.why.to_string(), 80).text)
                .unwrap_or_default()
        } else {
            let names: Vec<String> = by
                .iter()
                .map(|b| crate::text::sanitize_identity(b, 30).text)
                .collect();
            tf("bulk.tui.changed_by", &[("who", &names.join(", "))])
        };
        s.push_str(&tf(
            "bulk.tui.skipped",
            &[("count", &r.skipped.len()), ("why", &why)],
        ));
    }
    if let Some(why) = &r.stopped {
        s.push_str(&tf("bulk.tui.stopped", &[("why", why)]));
    }
    s
}

/// Answers to the requests above.
pub fn done(app: &mut App, tag: Tag, r: Result<Response, EngineError>) -> Vec<Effect> {
    match (tag, r) {
        (Tag::BulkCount { gen }, Ok(Response::Bulk(rep))) => {
            super::select::counted(app, gen, rep.matched);
            Vec::new()
        }
        (Tag::Bulk { verb }, Ok(Response::Bulk(rep))) => {
            app.selection.running = None;
            app.selection.clear();
            if rep.changed > 0 {
                app.undo.push(UndoStep::Bulk(rep.id));
            }
            app.info(result_line(&verb, &rep));
            refresh(app)
        }
        (Tag::UndoBulk, Ok(Response::Bulk(rep))) => {
            app.selection.running = None;
            app.info(result_line(&t("bulk.tui.verb.undone"), &rep));
            refresh(app)
        }
        (Tag::StoredDraft(id), Ok(Response::Draft(Some(d)))) => {
            if let Some(Popup::Reply(form)) = app.popup.as_mut() {
                if form.item.id == id && form.editor.is_empty() {
                    // A rule's draft leaves `{operator}` for whoever sends it.
                    form.editor
                        .insert(&d.text.replace("{operator}", &app.cx.cfg.operator));
                }
            }
            Vec::new()
        }
        (Tag::StoredDraft(_), _) => Vec::new(),
        (_, Err(e)) => {
            app.selection.running = None;
            app.error(&e.to_string());
            Vec::new()
        }
        (_, Ok(_)) => Vec::new(),
    }
}

/// The list and counts after a bulk.
fn refresh(app: &mut App) -> Vec<Effect> {
    let keep = app.list.selected_id();
    let mut fx = vec![Effect::Call(Tag::Overview, Request::Overview)];
    fx.extend(super::nav::reload_list(app, keep, false));
    fx
}

/// Opening the reply editor on an item: ask for a draft a bulk prepared for it.
pub fn fetch_draft(id: ItemId) -> Effect {
    Effect::Call(Tag::StoredDraft(id), Request::Draft(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bulk::BulkSkip;
    use crate::i18n::{ph, Phrase};

    fn skip(n: u64, by: Option<&str>) -> BulkSkip {
        BulkSkip {
            id: ItemId(n),
            by: by.map(String::from),
            why: ph("bulk.has_draft", &[]),
        }
    }

    #[test]
    fn the_closing_line_names_who_changed_skipped_items_and_where_a_bulk_stopped() {
        let mut r = BulkReport::new(BulkId(1), false);
        r.changed = 48;
        assert_eq!(result_line("done", &r), "done 48");
        r.skipped = vec![
            skip(1, Some("anna")),
            skip(2, Some("anna")),
            skip(3, Some("bob")),
        ];
        assert_eq!(
            result_line("done", &r),
            "done 48, skipped 3 (changed by anna, bob)"
        );
        r.skipped = vec![skip(1, None)];
        r.unchanged = 2;
        r.stopped = Some(Phrase::raw("disk full"));
        assert_eq!(
            result_line("done", &r),
            "done 48, 2 already so, skipped 1 (has a draft already (kept)); stopped: disk full (the rest is untouched)"
        );
    }
}
