//! `update(&mut App, Msg) -> Vec<Effect>`: the one place UI state changes. Pure: no I/O, no
//! terminal; requests come back as effects for the loop to run.

use super::actions::{self, run_action};
use super::app::{App, Pane, Prompt};
use super::keys::{dispatch, Input};
use super::msg::{Cmd, Effect, Msg, Out, Tag};
pub use super::nav::{after_move, list_request, load_thread, reload_list, window_cap};
use super::popups::{self, Popup};
use super::responses;
use crate::config::keymap::Action;
use crate::engine::api::Request;
use crate::i18n::{t, tf};
use crate::tui::keys::TextEdit;
use crossterm::event::{KeyEvent, KeyEventKind, MouseEvent, MouseEventKind};

/// Requests that fill the first screen.
pub fn start(app: &mut App) -> Vec<Effect> {
    let mut fx = vec![
        Effect::Call(Tag::Overview, Request::Overview),
        Effect::Call(Tag::Accounts, Request::Accounts),
    ];
    fx.extend(super::team::hello());
    fx.extend(reload_list(app, None, false));
    fx
}

pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(k) if k.kind == KeyEventKind::Release => Vec::new(),
        Msg::Key(k) => {
            app.dirty = true;
            app.note = None;
            key(app, &k)
        }
        Msg::Mouse(m) => mouse(app, &m),
        Msg::Paste(s) => {
            app.dirty = true;
            paste(app, &s)
        }
        Msg::Resize(w, h) => {
            app.dirty = true;
            app.size = (w, h);
            after_move(app)
        }
        Msg::Done(p, r) => {
            app.dirty = true;
            responses::done(app, p, r)
        }
        Msg::Engine(e) => {
            app.dirty = true;
            responses::event(app, e)
        }
        Msg::Lagged => {
            app.dirty = true;
            responses::resync(app)
        }
        Msg::PicturesRead { adding, read } => {
            app.dirty = true;
            match app.composer_mut() {
                Some((c, cx)) => super::compose::media::read_back(c, cx, adding, read),
                None => Vec::new(),
            }
        }
        Msg::FileEdited(r) => {
            app.dirty = true;
            match app.rules_mut() {
                Some((p, cx)) => super::rules::edited(Some(p), cx, r),
                None => super::rules::edited(None, &mut app.cx, r),
            }
        }
        Msg::Edited(r) => {
            app.dirty = true;
            match app.composer_mut() {
                Some((c, cx)) => super::compose::edited(Some(c), cx, r),
                None => super::compose::edited(None, &mut app.cx, r),
            }
        }
    }
}

fn key(app: &mut App, k: &KeyEvent) -> Vec<Effect> {
    let armed = app.selection.armed;
    let fx = key_in(app, k);
    // `;` holds for one action: its prompt or popup, if it has one, and no longer.
    if armed && app.popup.is_none() && app.prompt.is_none() {
        app.selection.armed = false;
    }
    fx
}

fn key_in(app: &mut App, k: &KeyEvent) -> Vec<Effect> {
    let (ctxs, typing) = app.key_contexts();
    let input = dispatch(&app.cx.cfg.keymap, &ctxs, typing, &mut app.chords, k);
    if input == Input::Pending {
        return Vec::new();
    }
    // Help for whatever has the keyboard, from anywhere; it goes back there when closed.
    if input == Input::Act(Action::Help) && !matches!(app.popup, Some(Popup::Help { .. })) {
        if let Some(under) = app.popup.take() {
            app.behind.push(under);
        }
        app.popup = Some(Popup::Help { scroll: 0, ctxs });
        return Vec::new();
    }
    if app.popup.is_some() {
        return popup_key(app, input);
    }
    if app.prompt.is_some() {
        return prompt_key(app, input);
    }
    match input {
        Input::Act(Action::Back) if app.selection.armed => {
            super::select::escape(app);
            Vec::new()
        }
        Input::Act(a) if app.selection.armed && !super::select::for_selection(a) => {
            app.selection.armed = false;
            app.error(&t("bulk.tui.not_for_selection"));
            Vec::new()
        }
        Input::Act(a) => run_action(app, a),
        _ => Vec::new(),
    }
}

fn prompt_key(app: &mut App, input: Input) -> Vec<Effect> {
    let Some((kind, _)) = app.prompt.as_ref() else {
        return Vec::new();
    };
    let kind = *kind;
    match input {
        Input::Act(Action::Cancel) => {
            app.prompt = None;
            app.pattern_error = None;
            if kind == Prompt::Search && app.search != app.search_before {
                app.search = app.search_before.clone();
                return reload_list(app, None, false);
            }
            Vec::new()
        }
        Input::Act(Action::Submit) if matches!(kind, Prompt::Search | Prompt::Limit) => {
            super::limit::submit(app, kind)
        }
        Input::Act(Action::Submit) => {
            let text = app.prompt.take().map(|(_, i)| i.text).unwrap_or_default();
            match kind {
                Prompt::Search | Prompt::Limit => Vec::new(),
                Prompt::Tag => actions::tag(app, &text),
                Prompt::Assign => super::assign::chosen(app, &text),
                Prompt::Note => super::shift::add_note(app, &text),
            }
        }
        Input::Act(Action::Complete) if kind == Prompt::Assign => {
            super::assign::complete(app);
            Vec::new()
        }
        Input::Act(Action::Complete) if kind == Prompt::Tag => {
            super::tags::complete_prompt(app);
            Vec::new()
        }
        other => {
            if matches!(kind, Prompt::Assign | Prompt::Tag) {
                // Typing starts a new completion from what is typed now.
                app.completion = None;
            }
            let Some((_, line)) = app.prompt.as_mut() else {
                return Vec::new();
            };
            let before = line.text.clone();
            line.take(other);
            if line.text != before {
                return super::limit::typed(app, kind);
            }
            Vec::new()
        }
    }
}

fn popup_key(app: &mut App, input: Input) -> Vec<Effect> {
    let Some(popup) = app.popup.take() else {
        return Vec::new();
    };
    match popup {
        Popup::Help { scroll, ctxs } => {
            let scroll = match input {
                Input::Act(Action::Close) => return close_top(app),
                Input::Act(Action::Down) => scroll + 1,
                Input::Act(Action::Up) => scroll.saturating_sub(1),
                Input::Act(Action::PageDown) => scroll + 10,
                Input::Act(Action::PageUp) => scroll.saturating_sub(10),
                Input::Act(Action::Top) => 0,
                Input::Act(Action::Bottom) => usize::MAX / 2,
                _ => scroll,
            };
            app.popup = Some(Popup::Help { scroll, ctxs });
            Vec::new()
        }
        Popup::Palette(mut p) => match input {
            Input::Act(Action::Cancel) => Vec::new(),
            // A typed command by its name (a hint for one leaves Enter to the actions).
            Input::Act(Action::Submit)
                if p.command()
                    .is_some_and(|c| !matches!(c, popups::commands::Typed::Hint(_))) =>
            {
                use popups::commands::{Command, Typed};
                match p.command() {
                    Some(Typed::Ready(Command::TagRename { old, new })) => {
                        super::tags::rename(app, &old, &new)
                    }
                    Some(Typed::Ready(Command::Save { name })) => {
                        super::saved_views::save(app, &name)
                    }
                    Some(Typed::Ready(Command::Unsave { name })) => {
                        super::saved_views::unsave(app, &name)
                    }
                    Some(Typed::Ready(Command::ViewMove { name, dir })) => {
                        super::saved_views::move_view(app, &name, dir)
                    }
                    // Not ready: the palette stays, its text kept, the usage said.
                    Some(Typed::Usage(key) | Typed::Hint(key)) => {
                        app.error(&t(key));
                        app.popup = Some(Popup::Palette(p));
                        Vec::new()
                    }
                    None => Vec::new(),
                }
            }
            Input::Act(Action::Submit) => match p.matches().get(p.selected) {
                Some(a) => run_action(app, *a),
                None => Vec::new(),
            },
            Input::Act(Action::Down) => {
                p.selected = (p.selected + 1).min(p.matches().len().saturating_sub(1));
                app.popup = Some(Popup::Palette(p));
                Vec::new()
            }
            Input::Act(Action::Up) => {
                p.selected = p.selected.saturating_sub(1);
                app.popup = Some(Popup::Palette(p));
                Vec::new()
            }
            other => {
                let before = p.input.text.clone();
                p.input.take(other);
                if p.input.text != before {
                    p.selected = 0;
                }
                app.popup = Some(Popup::Palette(p));
                Vec::new()
            }
        },
        Popup::Filter(mut f) => match f.act(input, app.now, &app.cx.tags) {
            popups::filter::Outcome::Stay => {
                app.popup = Some(Popup::Filter(f));
                Vec::new()
            }
            popups::filter::Outcome::Cancel => Vec::new(),
            popups::filter::Outcome::Apply(v) => {
                app.user_filter = v;
                reload_list(app, None, false)
            }
        },
        Popup::Snooze(mut s) => match s.act(input, app.now) {
            popups::snooze::Outcome::Stay => {
                app.popup = Some(Popup::Snooze(s));
                Vec::new()
            }
            popups::snooze::Outcome::Cancel => Vec::new(),
            popups::snooze::Outcome::Until(t) => actions::snooze_until(app, t),
        },
        Popup::Reply(mut form) => {
            let out = super::reply::key(&mut form, &mut app.cx, input);
            app.popup = Some(Popup::Reply(form));
            apply(app, out)
        }
        // Any key closes the summary.
        Popup::Handoff(_) => Vec::new(),
        Popup::Members(mut p) => {
            let out = super::members::key(&mut p, &mut app.cx, input);
            app.popup = Some(Popup::Members(p));
            apply(app, out)
        }
        Popup::Compose(mut c) => {
            let out = super::compose::key(&mut c, &mut app.cx, input);
            app.popup = Some(Popup::Compose(c));
            apply(app, out)
        }
        Popup::Calendar(mut p) => {
            let out = super::calendar::key(&mut p, &mut app.cx, input);
            app.popup = Some(Popup::Calendar(p));
            apply(app, out)
        }
        Popup::Rules(mut p) => {
            let out = super::rules::key(&mut p, &mut app.cx, input);
            app.popup = Some(Popup::Rules(p));
            apply(app, out)
        }
        Popup::AssignUnknown { id, version, name } => match input {
            Input::Act(Action::Yes) => super::assign::confirm(app, id, version, name, true),
            Input::Act(Action::No) => super::assign::confirm(app, id, version, name, false),
            _ => {
                app.popup = Some(Popup::AssignUnknown { id, version, name });
                Vec::new()
            }
        },
        Popup::ConfirmBulk(p) => super::bulk::confirmed(app, *p, input),
        Popup::BulkDraft(p) => super::bulk::draft_key(app, p, input),
        Popup::Takeover { id, by } => match input {
            Input::Act(Action::Yes) => super::team::takeover(app, id, true),
            Input::Act(Action::No) => super::team::takeover(app, id, false),
            _ => {
                app.popup = Some(Popup::Takeover { id, by });
                Vec::new()
            }
        },
        Popup::Ban(mut form) => {
            let Input::Act(a) = input else {
                app.popup = Some(Popup::Ban(form));
                return Vec::new();
            };
            match form.act(a) {
                popups::ban::Outcome::Stay => {
                    app.popup = Some(Popup::Ban(form));
                    Vec::new()
                }
                popups::ban::Outcome::Cancel => Vec::new(),
                popups::ban::Outcome::Ban(terms) => actions::send_act(
                    app,
                    form.id,
                    form.version,
                    crate::domain::remote::RemoteAction::Ban(terms),
                ),
            }
        }
        Popup::Accounts(mut panel) => {
            use popups::accounts::Outcome;
            if let Some((account, mut line)) = panel.captcha.take() {
                let fx = match input {
                    Input::Act(Action::Cancel) => Vec::new(),
                    Input::Act(Action::Submit) if !line.text.trim().is_empty() => {
                        app.info(t("tui.msg.sending"));
                        vec![Effect::Call(
                            Tag::Captcha(account.clone()),
                            Request::AccountCaptcha {
                                account,
                                answer: line.text.trim().to_string(),
                            },
                        )]
                    }
                    other => {
                        line.take(other);
                        panel.captcha = Some((account, line));
                        Vec::new()
                    }
                };
                app.popup = Some(Popup::Accounts(panel));
                return fx;
            }
            let Input::Act(a) = input else {
                app.popup = Some(Popup::Accounts(panel));
                return Vec::new();
            };
            let out = panel.act(a);
            let fx = match &out {
                Outcome::Close => return Vec::new(),
                Outcome::Stay => Vec::new(),
                Outcome::Say(why) => {
                    app.info(why.clone());
                    Vec::new()
                }
                Outcome::Reload => vec![Effect::Call(Tag::Accounts, Request::Accounts)],
                Outcome::Sync(name) => {
                    app.info(tf(
                        "tui.msg.syncing",
                        &[("account", &crate::text::sanitize_line(name, 64).text)],
                    ));
                    vec![Effect::Call(
                        Tag::Sync(name.clone()),
                        Request::Sync {
                            account: Some(name.clone()),
                        },
                    )]
                }
                Outcome::AskCaptcha(name) => {
                    panel.captcha = Some((name.clone(), Default::default()));
                    Vec::new()
                }
                Outcome::Test(name) => vec![Effect::Call(
                    Tag::AccountTest(name.clone()),
                    Request::AccountTest(name.clone()),
                )],
            };
            app.popup = Some(Popup::Accounts(panel));
            fx
        }
    }
}

/// Does what a panel asked of the root, and returns its requests with those the root adds.
fn apply(app: &mut App, out: Out) -> Vec<Effect> {
    let mut fx = out.fx;
    for cmd in out.cmds {
        match cmd {
            Cmd::Close => fx.extend(close_top(app)),
            Cmd::ShowMemberItems { ids, label } => {
                app.behind.clear();
                fx.extend(actions::show_member_items(app, ids, label));
            }
            Cmd::EditPost(post) => {
                if let Some(under) = app.popup.take() {
                    app.behind.push(under);
                }
                app.popup = Some(Popup::Compose(super::compose::open_edit(&app.cx, &post)));
            }
            Cmd::Run(a) => fx.extend(run_action(app, a)),
            Cmd::KeepDraft(id, editor, private) => {
                app.drafts.insert(id, *editor);
                if private {
                    app.private_drafts.insert(id);
                } else {
                    app.private_drafts.remove(&id);
                }
            }
        }
    }
    fx
}

/// Takes the panel on top off the screen; what waited under it comes back (a composer keeps
/// its draft for next time; the calendar it edited a post of shows the week again).
fn close_top(app: &mut App) -> Vec<Effect> {
    let top = app.popup.take();
    app.popup = app.behind.pop();
    if let Some(Popup::Compose(c)) = top {
        if let Some(draft) = super::compose::closed(c, &mut app.cx) {
            app.compose_draft = Some(draft);
        }
        if let Some(Popup::Calendar(cal)) = app.popup.as_mut() {
            return super::calendar::reload(cal);
        }
    }
    Vec::new()
}

fn paste(app: &mut App, s: &str) -> Vec<Effect> {
    if let Some(Popup::Compose(c)) = app.popup.as_mut() {
        use super::compose::Field;
        let before = c.draft();
        match c.focus {
            Field::When => c.when.insert(s),
            Field::Media => c.media_line.input.insert(s),
            _ => c.editor.insert(s),
        }
        if c.draft() != before {
            let c = c.clone();
            return super::compose::saved(app, &c);
        }
        return Vec::new();
    }
    if let Some(Popup::Reply(form)) = app.popup.as_mut() {
        match form.picker.as_mut() {
            Some(p) => p.input.insert(s),
            None => form.editor.insert(s),
        }
    } else if let Some(Popup::Palette(p)) = app.popup.as_mut() {
        p.input.insert(s);
    } else if let Some((_, input)) = app.prompt.as_mut() {
        input.insert(s);
    }
    Vec::new()
}

fn mouse(app: &mut App, m: &MouseEvent) -> Vec<Effect> {
    if app.popup.is_some() {
        return Vec::new();
    }
    let areas = super::layout::areas(
        ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1),
        app.zoom,
    );
    let over = |r: ratatui::layout::Rect| {
        m.column >= r.x && m.column < r.x + r.width && m.row >= r.y && m.row < r.y + r.height
    };
    let in_detail = over(areas.detail);
    match m.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let down = m.kind == MouseEventKind::ScrollDown;
            app.dirty = true;
            if in_detail {
                app.thread.scroll = if down {
                    app.thread.scroll + 3
                } else {
                    app.thread.scroll.saturating_sub(3)
                };
                Vec::new()
            } else {
                app.list.move_by(if down { 3 } else { -3 });
                after_move(app)
            }
        }
        MouseEventKind::Down(_) if over(areas.list) && m.row >= areas.list.y + 2 => {
            app.dirty = true;
            app.focus = Pane::List;
            let row = app.list.offset + (m.row - areas.list.y - 2) as usize;
            if row < app.list.rows.len() {
                app.list.selected = row;
            }
            after_move(app)
        }
        MouseEventKind::Down(_) if over(areas.sidebar) => {
            app.dirty = true;
            app.focus = Pane::Sidebar;
            match super::render::sidebar::view_at(
                app,
                m.row.saturating_sub(areas.sidebar.y + 1) as usize,
            ) {
                Some(i) => actions::set_view(app, i),
                None => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// Runs an action by name (for tests and the palette).
pub fn action(app: &mut App, a: Action) -> Vec<Effect> {
    app.dirty = true;
    run_action(app, a)
}
