//! Replies to the panels' requests (members, the calendar and the composer, accounts), handed
//! to the panel that asked, wherever it is on the stack.

use super::super::app::App;
use super::super::msg::{Effect, Tag};
use super::super::popups::Popup;
use super::accounts_reload;
use crate::engine::api::{Request, Response};
use crate::engine::EngineError;
use crate::i18n::tf;
use crate::text::sanitize_line;

/// The Members panel's ranking, profiles and changes.
pub(super) fn members(app: &mut App, p: Tag, r: Result<Response, EngineError>) -> Vec<Effect> {
    match (p, r) {
        (Tag::Members { gen }, Ok(Response::Ranking(r))) => match app.members_mut() {
            Some((p, _)) => super::super::members::ranking_loaded(p, gen, *r),
            None => Vec::new(),
        },
        (Tag::Members { gen }, Err(e)) => {
            if let Some((p, _)) = app.members_mut() {
                super::super::members::failed(p, gen);
            }
            app.error(&e.to_string());
            Vec::new()
        }
        (Tag::MemberProfile { gen, person }, Ok(Response::Profile(prof))) => {
            if let Some((p, _)) = app.members_mut() {
                super::super::members::profile_loaded(p, gen, person, *prof);
            }
            Vec::new()
        }
        (Tag::MemberEdit { done, .. }, Ok(Response::Done)) => match app.members_mut() {
            Some((p, cx)) => super::super::members::edited(p, cx, done),
            None => Vec::new(),
        },
        (Tag::MemberEdit { reward, .. }, Err(e)) => {
            let repeat = reward.filter(|_| matches!(e, EngineError::Rewarded(_)));
            match app.members_mut() {
                Some((p, cx)) => {
                    super::super::members::edit_failed(Some(p), cx, repeat, &e.to_string())
                }
                None => {
                    super::super::members::edit_failed(None, &mut app.cx, repeat, &e.to_string())
                }
            }
            Vec::new()
        }
        (_, Err(e)) => {
            app.error(&e.to_string());
            Vec::new()
        }
        (_, Ok(_)) => Vec::new(),
    }
}

/// The composer's posts and the calendar's week.
pub(super) fn posts(app: &mut App, p: Tag, r: Result<Response, EngineError>) -> Vec<Effect> {
    match (p, r) {
        (Tag::PostCreate, Ok(Response::Post(p))) => {
            // The composer closes and its draft is gone.
            if matches!(app.popup, Some(Popup::Compose(_))) {
                app.popup = app.behind.pop();
            }
            app.compose_draft = None;
            let mut fx = super::super::compose::created(&mut app.cx, &p);
            if let Some((cal, _)) = app.calendar_mut() {
                fx.extend(super::super::calendar::reload(cal));
            }
            fx
        }
        (Tag::PostEdit { done }, Ok(Response::Post(p))) => {
            // An edit from the composer goes back to the calendar under it.
            if matches!(&app.popup, Some(Popup::Compose(c)) if c.editing.is_some()) {
                app.popup = app.behind.pop();
            }
            match app.calendar_mut() {
                Some((cal, cx)) => super::super::calendar::edited(Some(cal), cx, done, &p),
                None => super::super::calendar::edited(None, &mut app.cx, done, &p),
            }
        }
        (Tag::PostCreate | Tag::PostEdit { .. }, Err(e)) => {
            match app.composer_mut() {
                Some((c, cx)) => super::super::compose::refused(Some(c), cx, &e.to_string()),
                None => super::super::compose::refused(None, &mut app.cx, &e.to_string()),
            }
            Vec::new()
        }
        (Tag::Posts { gen }, Ok(Response::Posts(posts))) => {
            if let Some((cal, cx)) = app.calendar_mut() {
                super::super::calendar::loaded(cal, cx, gen, posts);
            }
            Vec::new()
        }
        (Tag::Posts { gen }, Err(e)) => {
            if let Some((cal, _)) = app.calendar_mut() {
                super::super::calendar::failed(cal, gen);
            }
            app.error(&e.to_string());
            Vec::new()
        }
        (_, Err(e)) => {
            app.error(&e.to_string());
            Vec::new()
        }
        (_, Ok(_)) => Vec::new(),
    }
}

/// The accounts list, syncs and credential checks.
pub(super) fn accounts(app: &mut App, p: Tag, r: Result<Response, EngineError>) -> Vec<Effect> {
    match (p, r) {
        (Tag::Accounts, Ok(Response::Accounts(rows))) => {
            app.accounts = rows.iter().map(|a| (a.name.clone(), a.platform)).collect();
            app.human_agent = rows
                .iter()
                .filter(|a| a.human_agent)
                .map(|a| a.name.clone())
                .collect();
            app.limits = rows
                .iter()
                .filter_map(|a| a.runtime.text_limit.map(|l| (a.name.clone(), l)))
                .collect();
            if let Some(Popup::Accounts(panel)) = app.popup.as_mut() {
                panel.set_rows(rows);
            }
            Vec::new()
        }
        (Tag::Sync(_), Ok(Response::Synced(reports))) => {
            for r in reports {
                match &r.error {
                    Some(e) => app.error(&e.to_string()),
                    None => app.info(tf(
                        "tui.msg.synced",
                        &[
                            ("account", &sanitize_line(&r.account, 64).text),
                            ("added", &r.added),
                            ("activity", &r.activity),
                            ("requests", &r.requests),
                        ],
                    )),
                }
            }
            accounts_reload(app)
        }
        (Tag::AccountTest(name), Ok(Response::Identity(id))) => {
            app.info(tf(
                "tui.msg.account_ok",
                &[
                    ("account", &sanitize_line(&name, 64).text),
                    ("handle", &sanitize_line(&id.handle, 64).text),
                ],
            ));
            accounts_reload(app)
        }
        // Taken: a pass right away carries the answer (and shows whether VK is satisfied).
        (Tag::Captcha(name), Ok(_)) => {
            app.info(tf(
                "cli.captcha_taken",
                &[("account", &sanitize_line(&name, 64).text)],
            ));
            vec![Effect::Call(
                Tag::Sync(name.clone()),
                Request::Sync {
                    account: Some(name),
                },
            )]
        }
        (Tag::AccountTest(_) | Tag::Sync(_) | Tag::Captcha(_), Err(e)) => {
            app.error(&e.to_string());
            accounts_reload(app)
        }
        (_, Err(e)) => {
            app.error(&e.to_string());
            Vec::new()
        }
        (_, Ok(_)) => Vec::new(),
    }
}
