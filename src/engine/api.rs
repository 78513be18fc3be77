//! The engine's message types: what front ends ask (`Request`), what they get back (`Response`),
//! and facts the engine broadcasts (`Event`). Plain serde enums so the same messages can travel
//! in-process or over a socket.

use crate::connectors::http::RateInfo;
use crate::connectors::{AccountConfig, Identity, RemoteAction};
use crate::domain::account::SyncState;
use crate::domain::{Change, Item, ItemId, NewItem, Platform, Timestamp};
use serde::{Deserialize, Serialize};

pub use crate::domain::query::{Assignee, Filter, ListQuery, Overview, Page};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct IngestReport {
    pub added: u64,
    pub duplicates: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    Overview,
    List(ListQuery),
    Get(ItemId),
    /// The whole conversation around an item, oldest first, including our replies.
    Thread(ItemId),
    /// Apply a change. With `if_version`, refuse when the item has moved on since.
    Update {
        id: ItemId,
        change: Change,
        if_version: Option<u64>,
    },
    /// Send a reply. Stored first, then sent by the account's connector.
    Reply {
        id: ItemId,
        text: String,
        if_version: Option<u64>,
        /// The one private message to a commenter (Facebook, Instagram) instead of a public
        /// reply.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        private: bool,
    },
    /// Store items (import, demo, connectors). Idempotent per (account, native_id).
    Ingest {
        items: Vec<NewItem>,
        demo: bool,
    },
    /// Send a failed reply again, with its original idempotency key.
    RetryReply(ItemId),
    /// Like or moderate an item on its platform (recorded in the audit log before and after).
    Act {
        id: ItemId,
        action: RemoteAction,
        /// Refuse when the item has moved on since this version.
        #[serde(default)]
        if_version: Option<u64>,
    },
    /// Every account with its configuration and sync state.
    Accounts,
    /// Connect a new account; with `replace`, an account of the same name is replaced.
    /// `secret` is the value of a secret the user named by an environment variable, read by the
    /// command (the engine's own environment may lack it) and kept by the engine, 0600.
    AccountAdd {
        cfg: AccountConfig,
        replace: bool,
        #[serde(default)]
        secret: Option<crate::connectors::secrets::Secret>,
        /// The same for a second secret (VK's user token), when it was named by a variable.
        #[serde(default)]
        user_secret: Option<crate::connectors::secrets::Secret>,
    },
    AccountRemove(String),
    /// A person's answer to the captcha the account's platform asked for.
    AccountCaptcha {
        account: String,
        answer: String,
    },
    /// Check an account's credentials: who are we on that platform?
    AccountTest(String),
    /// Sync now: one account, or every connected one. Answers when the pass is over.
    Sync {
        account: Option<String>,
    },
    /// Take an item: assign it to the calling operator. Refused with `Claimed` when someone else
    /// has it, unless `force`.
    Claim {
        id: ItemId,
        force: bool,
    },
    /// The calling operator opened (or closed) a reply draft on an item; others see it live.
    Drafting {
        id: ItemId,
        active: bool,
    },
    /// Who is writing a reply where, right now.
    Presence,
    /// The operator as the engine knows them: name and role.
    WhoAmI,
    /// Operators known to the team: the roster in config, and those seen in the audit log.
    Operators,
    /// Quarantined input and, with `verify`, every index entry checked against the items.
    Doctor {
        verify: bool,
    },
    /// Copy the store into a fresh database that takes its place (progress as
    /// `Event::Progress { what: "compact" }`): the disk a much rewritten store wastes comes back.
    Compact,
    /// Audit entries, newest `limit` matching, oldest first.
    Audit(crate::domain::audit::AuditQuery),
    /// Walk the audit log's hash chain.
    AuditVerify,
    /// Leave a handoff note on an item (internal, never sent).
    AddNote {
        id: ItemId,
        text: String,
    },
    Notes(ItemId),
    /// Waiting items by when their answer is due, most overdue first.
    Due {
        filter: Filter,
        limit: usize,
    },
    /// Waiting items lowest rating first, oldest first within a rating (reviews to answer).
    WorstFirst {
        filter: Filter,
        limit: usize,
    },
    /// The shift handoff: what is open, claimed, waiting for a customer, overdue.
    Handoff,
    /// How many stored items (created since `since`) each inbox rule in force would touch,
    /// with examples.
    RulesTest {
        since: Option<crate::domain::Timestamp>,
    },
    /// The rules file, the rules in force and why the file is not in force, if it is not.
    RulesStatus,
    /// Read the rules file again now; answered with `RulesStatus`.
    RulesReload,
    /// A page of the member ranking (an index read).
    Members(crate::domain::ranking::RankQuery),
    /// Everything about a member's person; the member named by id or handle.
    MemberProfile {
        member: String,
        period: crate::domain::member::Period,
    },
    /// Link, unlink, tag, note or reward a member (named by id or handle).
    MemberEdit {
        member: String,
        edit: MemberEdit,
    },
    /// Accounts on different platforms that may be one person.
    MemberSuggestions {
        limit: usize,
    },
    /// Recompute every member counter and the ranking from the items.
    MembersRebuild,
    /// Apply about `max` waiting member counts (after a bulk load; reads apply them anyway).
    MembersSettle {
        max: u64,
    },
    /// Write a post for one or more accounts; with `queue`, it takes the next free queue slot.
    PostCreate {
        post: crate::domain::post::NewPost,
        queue: bool,
    },
    /// Posts on the calendar between two times (sent ones at their send time), or, without a
    /// range, the newest posts.
    Posts(PostQuery),
    PostGet(crate::domain::post::PostId),
    /// Cancel, move, rewrite, retry, resolve or duplicate a post.
    PostEdit {
        id: crate::domain::post::PostId,
        if_version: Option<u64>,
        edit: PostEdit,
    },
    /// Every item tag in use, with how many items carry it.
    Tags,
    /// Rename a tag on every item (any case); items carrying both end with `new` once.
    TagRename {
        old: String,
        new: String,
    },
    /// One action on many items, each under its version guard and audited with the bulk's id.
    Bulk(crate::domain::bulk::BulkRequest),
    /// Take back what a bulk changed, item by item (items changed since are skipped).
    UndoBulk(crate::domain::bulk::BulkId),
    /// The reply draft prepared for an item (by a bulk), if any.
    Draft(ItemId),
    /// Posts and replies waiting for an approver.
    Awaiting,
    /// An approver's answer on a reply waiting for approval (approved: it is sent).
    ReviewReply {
        reply: ItemId,
        verdict: crate::domain::approval::Verdict,
    },
    /// The team's saved views, then the asking operator's own (`(name, pattern)` from their
    /// config), each with its live count.
    Views {
        #[serde(default)]
        personal: Vec<(String, String)>,
    },
    /// Save a view for the team (replaces one of the same name in any case).
    ViewSave {
        name: String,
        pattern: String,
    },
    ViewDelete(String),
    /// Move a saved view one place up or down in the sidebar's order.
    ViewMove {
        name: String,
        dir: crate::domain::saved_view::Move,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PostQuery {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub limit: usize,
}

/// A person's decision about a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PostEdit {
    /// Do not send it (targets already out stay out).
    Cancel,
    /// Send it at another time.
    Move(Timestamp),
    /// New text for every target, or for one account's variant.
    Text {
        account: Option<String>,
        text: String,
    },
    /// Send targets that failed, are late, or whose fate is unknown (the person checked).
    Retry,
    /// The person found the post on the platform: mark an unknown target sent.
    MarkSent {
        account: Option<String>,
        url: Option<String>,
    },
    /// A new post with the same text and accounts at another time.
    Duplicate(Timestamp),
    /// An approver lets a post waiting for approval go (scheduled, or sent if due).
    Approve,
    /// An approver returns a post waiting for approval to its author as a draft.
    SendBack { comment: String },
}

/// A change to a member, as front ends ask for it (members named as users type them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberEdit {
    Link {
        other: String,
    },
    Unlink,
    Tag {
        tag: String,
        on: bool,
    },
    Note {
        text: String,
    },
    /// Refused when the person was rewarded before, unless `again`.
    Reward {
        what: String,
        again: bool,
    },
}

impl Request {
    /// Whether the request changes anything (refused for read-only operators).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Request::Update { .. }
                | Request::Reply { .. }
                | Request::Ingest { .. }
                | Request::RetryReply(_)
                | Request::Act { .. }
                | Request::AccountAdd { .. }
                | Request::AccountRemove(_)
                | Request::AccountCaptcha { .. }
                | Request::Claim { .. }
                | Request::Drafting { active: true, .. }
                | Request::AddNote { .. }
                | Request::MemberEdit { .. }
                | Request::MembersRebuild
                | Request::Compact
                | Request::PostCreate { .. }
                | Request::PostEdit { .. }
                | Request::TagRename { .. }
                | Request::UndoBulk(_)
                | Request::ReviewReply { .. }
                | Request::ViewSave { .. }
                | Request::ViewDelete(_)
                | Request::ViewMove { .. }
        ) || matches!(self, Request::Bulk(b) if !b.dry_run)
    }
}

/// What one inbox rule would have touched among the stored items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleTest {
    pub name: String,
    /// The pattern as written.
    pub when: String,
    /// The actions as written.
    pub then: Vec<String>,
    pub count: u64,
    /// Counting stopped at the cap: there are more.
    pub more: bool,
    /// The newest few it matches.
    pub examples: Vec<Item>,
}

/// Where operators have reply drafts open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Presence {
    pub drafting: Vec<(ItemId, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    pub name: String,
    pub read_only: bool,
    /// The team's answer-time targets, so every front end colours clocks the same way.
    #[serde(default)]
    pub targets: crate::domain::clock::Targets,
    /// May approve or send back what waits for approval.
    #[serde(default)]
    pub approver: bool,
    /// What they write waits for an approver.
    #[serde(default)]
    pub needs_approval: bool,
}

/// What waits for an approver: posts, and replies with the item each answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Awaiting {
    pub posts: Vec<crate::domain::post::Post>,
    pub replies: Vec<AwaitingReply>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwaitingReply {
    pub reply: Item,
    /// The item it answers (None when it is gone).
    pub parent: Option<Item>,
}

/// The shift handoff summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Handoff {
    /// Waiting for an answer (new or open).
    pub open: u64,
    pub unassigned: u64,
    /// Waiting items per operator who has them.
    pub claimed: Vec<(String, u64)>,
    /// Snoozed: waiting for the customer (or for a time).
    pub snoozed: u64,
    /// Past their answer-time target.
    pub overdue: u64,
    /// More than half their target gone.
    pub due_soon: u64,
    /// True when the counts of overdue / due soon stopped at the scan budget (they are at least).
    pub partial: bool,
    /// The most overdue items, most overdue first.
    pub oldest: Vec<Item>,
    pub notes_last_24h: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoctorReport {
    pub quarantined: Vec<crate::domain::audit::Quarantined>,
    /// Problems found by `verify` (None when not asked).
    pub problems: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    Overview(Overview),
    RulesTest(Vec<RuleTest>),
    RulesStatus(Box<super::rules_status::RulesStatus>),
    Page(Page),
    Item(Box<Item>),
    Thread(Vec<Item>),
    /// An update result: the item after the change and the change that would undo it.
    Updated {
        item: Box<Item>,
        undo: Change,
    },
    Replied {
        reply: Box<Item>,
        item: Box<Item>,
    },
    Ingested(IngestReport),
    Acted {
        item: Box<Item>,
        action: RemoteAction,
    },
    Accounts(Vec<AccountView>),
    Identity(Identity),
    Synced(Vec<SyncReport>),
    Presence(Presence),
    Operator(Operator),
    /// Operator names, sorted.
    Operators(Vec<String>),
    Doctor(DoctorReport),
    /// A compaction: keys copied, bytes on disk before and after.
    Compacted {
        keys: u64,
        before: u64,
        after: u64,
    },
    Audit(Vec<crate::domain::audit::AuditEntry>),
    Notes(Vec<crate::domain::note::Note>),
    Handoff(Box<Handoff>),
    AuditVerified(crate::domain::audit::AuditReport),
    Ranking(Box<crate::domain::ranking::Ranking>),
    Profile(Box<crate::domain::ranking::Profile>),
    Suggestions(Vec<crate::domain::ranking::Suggestion>),
    /// Members rebuilt: how many.
    Rebuilt(u64),
    /// Member counts applied, and still waiting.
    Settled {
        done: u64,
        left: u64,
    },
    Post(Box<crate::domain::post::Post>),
    Posts(Vec<crate::domain::post::Post>),
    /// What a bulk (or its undo) did.
    Bulk(Box<crate::domain::bulk::BulkReport>),
    Draft(Option<crate::domain::bulk::StoredDraft>),
    Awaiting(Box<Awaiting>),
    Done,
    /// Tags in use, by name.
    Tags(Vec<crate::domain::tag::TagCount>),
    /// A tag renamed: items changed, and of those, items that had both names.
    TagRenamed {
        items: u64,
        merged: u64,
    },
    /// Saved views with their live counts, in the sidebar's order.
    Views(Vec<crate::domain::saved_view::ViewRow>),
    /// A view saved; `replaced`: one of the same name was there.
    ViewSaved {
        replaced: bool,
    },
    /// A view moved (false: it was at the edge already).
    ViewMoved(bool),
}

/// An account as the Accounts view and `kith account list` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub name: String,
    pub platform: Platform,
    /// Connected through an API (false: demo or imported items only).
    pub connected: bool,
    pub demo: bool,
    pub base_url: Option<String>,
    /// Where the secret comes from (`env:VAR`, `file:PATH`), never the secret.
    pub secret_source: Option<String>,
    pub handle: Option<String>,
    pub interval_secs: Option<u64>,
    /// Items stored for this account (inbox items).
    pub items: u64,
    pub state: SyncState,
    /// Live state of this engine run.
    pub runtime: AccountRuntime,
    /// Facebook, Instagram: messages are answered for 7 days with the Human Agent tag.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub human_agent: bool,
}

/// What the engine knows about an account since it started (not stored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRuntime {
    pub syncing: bool,
    /// Requests made and items stored by the pass under way.
    #[serde(default)]
    pub pass_requests: u64,
    #[serde(default)]
    pub pass_added: u64,
    pub last_poll: Option<Timestamp>,
    pub next_poll: Option<Timestamp>,
    pub rate: RateInfo,
    /// Set while a rate limit keeps us waiting.
    pub rate_wait_until: Option<Timestamp>,
    pub text_limit: Option<usize>,
    /// The platform asks for a captcha (VK): the picture's address, until a person answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captcha: Option<String>,
    /// The account is waiting on the platform's push (a long poll) right now.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub listening: bool,
    /// What the account cannot do with its present permissions (Instagram messages without
    /// `instagram_manage_messages`), as its connector last found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<crate::i18n::Phrase>,
}

/// The outcome of one sync pass over one account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    pub account: String,
    pub requests: u64,
    pub pages_stored: u64,
    pub added: u64,
    pub duplicates: u64,
    pub activity: u64,
    pub malformed: u64,
    /// The error that ended the pass (worded by the front end).
    pub error: Option<crate::i18n::Phrase>,
    pub needs_reauth: bool,
    /// The pass ended on a rate limit: the platform takes requests again at this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_wait_until: Option<Timestamp>,
}

/// Facts the engine broadcasts to every attached front end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// These items changed (status, tags, replies...). Front ends refresh rows they show.
    ItemsChanged(Vec<ItemId>),
    /// New items were stored; counts changed.
    ItemsAdded(u64),
    /// A reply we sent changed state (sending → sent/failed).
    ReplyState { item: ItemId, reply: ItemId },
    /// An account was added or removed, or its sync state changed.
    AccountsChanged,
    /// A thread was fetched from its platform and has new posts.
    ThreadFetched(ItemId),
    /// A sync pass moved on: requests made and items stored so far.
    SyncProgress {
        account: String,
        requests: u64,
        added: u64,
    },
    /// Members were linked, tagged, noted, rewarded or rebuilt.
    MembersChanged,
    /// Long work moving on (`what`: "members"): items read of the total.
    Progress { what: String, done: u64, total: u64 },
    /// A bulk (or its undo) moving on: items handled of the total, changed and skipped so far.
    BulkProgress {
        bulk: crate::domain::bulk::BulkId,
        operator: String,
        done: u64,
        total: u64,
        changed: u64,
        skipped: u64,
    },
    /// Operators with a reply draft open on an item changed (empty: nobody).
    Presence {
        item: ItemId,
        operators: Vec<String>,
    },
    /// An item's handoff notes changed.
    NotesChanged(ItemId),
    /// A post was written, changed, or moved on in the outbox.
    PostChanged(crate::domain::post::PostId),
    /// A saved view was saved, deleted or moved: front ends ask for the views again.
    ViewsChanged,
    /// Made by the socket client, never by the engine: the engine went away (`false`) or is
    /// back (`true`). Front ends keep their screen and drafts meanwhile.
    Connection(bool),
    /// Made by the socket client: the engine was stopped on purpose (`kith serve --stop`, a
    /// signal). It is not started again until the front end asks (`Backend::resume`).
    EngineStopped,
    /// Something an operator should read (worded by the front end): engine settings reloaded,
    /// a config file with an error kept out, the disk full or free again.
    Notice {
        phrase: crate::i18n::Phrase,
        error: bool,
    },
}
