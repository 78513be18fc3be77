//! Request routing: which handler answers each `Request`, and on which threads (platform calls
//! on the async threads, store work on the blocking pool). Requests that are one store call are
//! answered here.

use super::api::{self, Event, IngestReport, Request, Response};
use super::{Engine, EngineError};
use crate::domain::{ItemId, NewItem, Timestamp};
use std::sync::Arc;

impl Engine {
    pub(super) async fn dispatch(
        self: &Arc<Self>,
        op: &str,
        req: Request,
    ) -> Result<Response, EngineError> {
        match req {
            Request::AccountTest(name) => self.test_account(&name).await,
            Request::Sync { account } => self.sync_request(account).await,
            Request::Act {
                id,
                action,
                if_version,
            } => self.act(op, id, action, if_version).await,
            // Moving or cancelling a post the platform scheduled is a platform call first.
            Request::PostEdit {
                id,
                if_version,
                edit: edit @ (api::PostEdit::Cancel | api::PostEdit::Move(_)),
            } if self.has_native(id) => self.post_edit_native(op, id, if_version, edit).await,
            other => {
                let me = Arc::clone(self);
                let op = op.to_string();
                match tokio::task::spawn_blocking(move || me.handle(&op, other)).await {
                    Ok(r) => r,
                    Err(_) => Err(EngineError::Stopped),
                }
            }
        }
    }

    /// Handles one request synchronously (store I/O). `InProcess` runs this off the async threads.
    pub fn handle(self: &Arc<Self>, op: &str, req: Request) -> Result<Response, EngineError> {
        let now = Timestamp::now();
        match req {
            Request::Overview => Ok(Response::Overview(self.store.overview()?)),
            Request::List(q) => self.list(op, &q),
            Request::Get(id) => self
                .store
                .get(id)?
                .map(|i| Response::Item(Box::new(i)))
                .ok_or(EngineError::NotFound(id)),
            Request::Thread(id) => self.open_thread(id),
            Request::Update {
                id,
                change,
                if_version,
            } => self.update(op, id, change, if_version, now),
            Request::Reply {
                id,
                text,
                if_version,
                private,
            } => self.reply(op, id, text, if_version, private, now),
            Request::Ingest { items, demo } => self.ingest(op, &items, demo, now),
            Request::RetryReply(id) => self.retry_reply(op, id, now),
            Request::Accounts => Ok(Response::Accounts(self.account_views()?)),
            Request::AccountAdd {
                cfg,
                replace,
                secret,
                user_secret,
            } => self.add_account(op, cfg, replace, [secret, user_secret], now),
            Request::AccountRemove(name) => self.remove_account(op, &name, now),
            Request::AccountCaptcha { account, answer } => self.answer_captcha(&account, &answer),
            Request::Claim { id, force } => self.claim(op, id, force, now),
            Request::Drafting { id, active } => Ok(self.drafting(op, id, active)),
            Request::Presence => Ok(self.presence()),
            Request::WhoAmI => Ok(self.whoami(op)),
            Request::Operators => self.operators(op),
            Request::Doctor { verify } => self.doctor(verify),
            Request::Compact => self.compact(),
            Request::Audit(q) => Ok(Response::Audit(self.store.audit_query(&q)?)),
            Request::AuditVerify => Ok(Response::AuditVerified(self.store.verify_audit()?)),
            Request::AddNote { id, text } => self.add_note(op, id, &text, now),
            Request::Notes(id) => Ok(Response::Notes(self.store.notes(id)?)),
            Request::Due { filter, limit } => self.due(op, &filter, limit),
            Request::WorstFirst { filter, limit } => self.worst_first(op, &filter, limit),
            Request::RulesTest { since } => self.rules_test(since),
            Request::RulesStatus => Ok(self.rules_status()),
            Request::RulesReload => self.rules_reload(),
            Request::Handoff => self.handoff(now),
            Request::Members(q) => self.members_top(&q, now),
            Request::MemberProfile { member, period } => self.member_profile(&member, period, now),
            Request::MemberEdit { member, edit } => self.member_edit(op, &member, edit, now),
            Request::MemberSuggestions { limit } => Ok(Response::Suggestions(
                self.store.link_suggestions(limit.clamp(1, 1000))?,
            )),
            Request::MembersRebuild => self.members_rebuild(now),
            Request::MembersSettle { max } => self.members_settle(max, now),
            Request::PostCreate { post, queue } => self.post_create(op, post, queue, self.now()),
            Request::Posts(q) => self.posts_query(&q),
            Request::PostGet(id) => self.post_get(id),
            Request::PostEdit {
                id,
                if_version,
                edit,
            } => self.post_edit(op, id, if_version, edit, self.now()),
            Request::Tags => Ok(Response::Tags(self.store.tag_counts()?)),
            Request::TagRename { old, new } => self.rename_tag(op, &old, &new),
            Request::Bulk(b) => self.bulk(op, b, now),
            Request::UndoBulk(id) => self.undo_bulk(op, id, now),
            Request::Draft(id) => self.stored_draft(id),
            Request::Awaiting => self.awaiting(),
            Request::ReviewReply { reply, verdict } => self.review_reply(op, reply, verdict, now),
            Request::Views { personal } => self.views(op, &personal),
            Request::ViewSave { name, pattern } => self.view_save(op, &name, &pattern, now),
            Request::ViewDelete(name) => self.view_delete(op, &name, now),
            Request::ViewMove { name, dir } => self.view_move(op, &name, dir, now),
            r @ (Request::AccountTest(_) | Request::Sync { .. } | Request::Act { .. }) => {
                // Platform calls belong in `call`; a blocking caller of `handle` waits for them.
                let rt = tokio::runtime::Handle::try_current().map_err(|_| EngineError::Stopped)?;
                rt.block_on(self.call_as(op, r))
            }
        }
    }

    /// A thread as stored; the platform is asked for newer replies in the background.
    fn open_thread(self: &Arc<Self>, id: ItemId) -> Result<Response, EngineError> {
        let t = self.store.thread(id)?;
        let Some(item) = t.iter().find(|i| i.id == id).cloned() else {
            return Err(EngineError::NotFound(id));
        };
        self.refresh_thread(item);
        Ok(Response::Thread(t))
    }

    fn ingest(
        &self,
        op: &str,
        items: &[NewItem],
        demo: bool,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        let (added, duplicates) = self.store.ingest(items, demo, op, now)?;
        if added > 0 {
            self.emit(Event::ItemsAdded(added));
        }
        Ok(Response::Ingested(IngestReport { added, duplicates }))
    }

    fn doctor(&self, verify: bool) -> Result<Response, EngineError> {
        Ok(Response::Doctor(api::DoctorReport {
            quarantined: self.store.quarantined(100)?,
            problems: if verify {
                Some(self.store.check()?)
            } else {
                None
            },
        }))
    }

    fn compact(&self) -> Result<Response, EngineError> {
        let c = self.store.compact(&mut |done, total| {
            self.emit(Event::Progress {
                what: "compact".into(),
                done,
                total,
            });
        })?;
        Ok(Response::Compacted {
            keys: c.keys,
            before: c.before,
            after: c.after,
        })
    }

    fn members_settle(&self, max: u64, now: Timestamp) -> Result<Response, EngineError> {
        let (done, _) = self.store.settle_members(max, now)?;
        if done > 0 {
            self.emit(Event::MembersChanged);
        }
        Ok(Response::Settled {
            done,
            left: self.store.members_unsettled()? + self.store.members_unranked()?,
        })
    }
}
