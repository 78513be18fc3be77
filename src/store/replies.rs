//! Our replies in the store: the reply stored under the item it answers (state `Sending`, or
//! kept for an approver) and the item marked done in one batch, then what the platform said.

use super::batch::Batch;
use super::keys;
use super::write::describe_state;
use super::{Result, Store};
use crate::domain::messaging::{PRIVATE_REPLIED_TAG, PRIVATE_TAG};
use crate::domain::{Item, ItemId, Kind, Outgoing, Status, Timestamp};

/// A reply an operator wrote, before the connector sends it.
#[derive(Debug, Clone)]
pub struct ReplyDraft {
    pub text: String,
    pub operator: String,
    pub if_version: Option<u64>,
    /// The one private message to a commenter: the reply carries `private-reply`, the comment
    /// `private-replied`, written in the reply's batch so a second one is refused.
    pub private: bool,
    /// Kept for an approver instead of sent (approvals): stored so in the same batch, so no
    /// restart ever sends it.
    pub awaiting: bool,
}

impl Store {
    /// Stores our reply (state `Sending`) under the item and marks the item done, in one batch.
    pub fn add_reply(
        &self,
        id: ItemId,
        draft: &ReplyDraft,
        now: Timestamp,
    ) -> Result<ReplyOutcome> {
        let mut state = self.lock_writer();
        let Some(before) = self.get(id)? else {
            return Ok(ReplyOutcome::NotFound);
        };
        if let Some(v) = draft.if_version {
            if v != before.version {
                return Ok(ReplyOutcome::Conflict(Box::new(before)));
            }
        }
        // Checked under the writer lock: two operators cannot both send the one private reply.
        if draft.private && before.private_replied() {
            return Ok(ReplyOutcome::AlreadyPrivate(Box::new(before)));
        }
        let native_id = format!("kith-reply-{}-{}", now.0, before.version);
        let mut rid = ItemId::derive(now.0, &before.account, &native_id);
        while self.item_exists(rid)? {
            rid = rid.probe_next();
        }
        let reply = Item {
            id: rid,
            platform: before.platform,
            account: before.account.clone(),
            kind: Kind::Reply,
            native_id: native_id.clone(),
            parent_native_id: Some(before.native_id.clone()),
            root_native_id: Some(
                before
                    .root_native_id
                    .clone()
                    .unwrap_or_else(|| before.native_id.clone()),
            ),
            post_native_id: before.post_native_id.clone(),
            author: crate::domain::Author {
                id: before.account.clone(),
                handle: None,
                name: Some(before.account.clone()),
                followers: None,
            },
            text: draft.text.clone(),
            title: None,
            lang: None,
            rating: None,
            created_at: now,
            received_at: now,
            url: None,
            status: Status::Done,
            snoozed_until: None,
            assignee: None,
            tags: if draft.private {
                vec![PRIVATE_TAG.to_string()]
            } else {
                Vec::new()
            },
            priority: 0,
            version: 1,
            outgoing: Some(if draft.awaiting {
                Outgoing::AwaitingApproval
            } else {
                Outgoing::Sending
            }),
            operator: Some(draft.operator.clone()),
            source: None,
            rules: Vec::new(),
        };
        let mut after = before.clone();
        after.status = Status::Done;
        after.snoozed_until = None;
        after.version += 1;
        if draft.private {
            after.tags.push(PRIVATE_REPLIED_TAG.to_string());
        }
        let mut p = Batch::new(self);
        p.put_item(&reply)?;
        p.put_native(&reply.account, &native_id, rid);
        p.batch.insert(&keys::pending_reply(rid)[..], &[][..]);
        p.index(None, &reply);
        p.index(Some(&before), &after);
        p.put_item(&after)?;
        // The reply is on its way: a draft prepared for the item has served.
        p.batch.remove(&keys::draft(id)[..]);
        Self::count_item(&mut p, &before, -1);
        Self::count_item(&mut p, &after, 1);
        self.recount_spam(&mut p, &before, &after)?;
        let what = match (draft.private, draft.awaiting) {
            (true, true) => format!("private reply {rid} awaiting_approval"),
            (true, false) => format!("private reply {rid}"),
            (false, true) => format!("reply {rid} awaiting_approval"),
            (false, false) => format!("reply {rid}"),
        };
        p.audit("reply", Some(id), Some(describe_state(&before)), Some(what));
        p.commit(&mut state, &draft.operator, now)?;
        Ok(ReplyOutcome::Stored {
            reply: Box::new(reply),
            item: Box::new(after),
        })
    }

    /// Records what happened to a reply we sent. `platform_id` is the id the platform gave it:
    /// indexed so the same post fetched back in a thread is recognised, not stored twice.
    pub fn set_outgoing(
        &self,
        reply_id: ItemId,
        outgoing: Outgoing,
        url: Option<String>,
        platform_id: Option<&str>,
        operator: &str,
        now: Timestamp,
    ) -> Result<Option<Item>> {
        let mut state = self.lock_writer();
        let Some(mut reply) = self.get(reply_id)? else {
            return Ok(None);
        };
        let detail = format!("{outgoing:?}");
        let settled = !matches!(outgoing, Outgoing::Sending | Outgoing::AwaitingApproval);
        reply.outgoing = Some(outgoing);
        if url.is_some() {
            reply.url = url;
        }
        reply.version += 1;
        let mut p = Batch::new(self);
        p.put_item(&reply)?;
        if settled {
            p.batch.remove(&keys::pending_reply(reply_id)[..]);
        } else {
            // Sending again (a retry): resumed at the next start if we stop before the verdict.
            p.batch.insert(&keys::pending_reply(reply_id)[..], &[][..]);
        }
        if let Some(native) = platform_id.filter(|n| *n != reply.native_id) {
            p.batch.insert(
                keys::native(&reply.account, native),
                &reply_id.to_bytes()[..],
            );
        }
        p.audit("reply-state", Some(reply_id), None, Some(detail));
        p.commit(&mut state, operator, now)?;
        Ok(Some(reply))
    }
}

/// What `Store::add_reply` did.
pub enum ReplyOutcome {
    Stored {
        reply: Box<Item>,
        item: Box<Item>,
    },
    Conflict(Box<Item>),
    /// A private reply to a comment that already had its one.
    AlreadyPrivate(Box<Item>),
    NotFound,
}
