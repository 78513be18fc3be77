//! The one message enum the UI loop consumes, and the effects `update` asks the loop to run.

use crate::domain::ItemId;
use crate::engine::api::{Event, Request, Response};
use crate::engine::EngineError;
use crossterm::event::{KeyEvent, MouseEvent};

/// Everything that can change UI state: terminal input, engine results, engine events.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    Resize(u16, u16),
    /// The result of a request an effect started.
    Done(Tag, Result<Response, EngineError>),
    /// A fact the engine broadcast.
    Engine(Event),
    /// The event stream fell behind; reload what is shown.
    Lagged,
    /// The composer's text came back from `$EDITOR` (or why it did not).
    Edited(Result<String, String>),
    /// Pictures read off the loop (`Effect::ReadPictures`): what each file is, its thumbnail.
    PicturesRead {
        adding: bool,
        read: Vec<super::compose::media::Attached>,
    },
    /// `$EDITOR` closed on a file (`Effect::EditFile`): whether the file is there to read (an
    /// example it was started from and left as it was is taken away), or why it could not run.
    FileEdited(Result<bool, String>),
}

/// Where a request's result goes when it comes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tag {
    Overview,
    /// A list page for request generation `gen`.
    Page {
        gen: u64,
        dir: PageDir,
    },
    Thread {
        gen: u64,
        id: ItemId,
    },
    /// The shown item's handoff notes.
    Notes {
        gen: u64,
        id: ItemId,
    },
    /// A note just written.
    NoteAdded(ItemId),
    /// The shift handoff summary.
    Handoff,
    Update {
        id: ItemId,
        undoable: bool,
        label: String,
    },
    Reply {
        id: ItemId,
    },
    /// A fresh copy of one row (after an event).
    Row(ItemId),
    /// A reply changed state (ours or another operator's): the reply's id and the item it
    /// answers.
    ReplyState {
        reply: ItemId,
        item: ItemId,
    },
    /// The item another operator (`by`) answered, to say whom they answered.
    RepliedTo {
        by: String,
    },
    /// The accounts list for the Accounts panel.
    Accounts,
    /// A like or moderation action sent to the platform.
    Act {
        id: ItemId,
        action: crate::domain::remote::RemoteAction,
    },
    /// A sync pass asked for from the Accounts panel.
    Sync(String),
    /// A credentials check asked for from the Accounts panel.
    AccountTest(String),
    /// A captcha answer typed in the Accounts panel.
    Captcha(String),
    /// Taking an item (`Claimed` asks whether to take it over).
    Claim(ItemId),
    WhoAmI,
    /// The team's names, for the assign prompt.
    Operators,
    Presence,
    /// The member ranking for panel request `gen`.
    Members {
        gen: u64,
    },
    MemberProfile {
        gen: u64,
        person: crate::domain::member::MemberId,
    },
    /// A member change; `done` is the catalog key said on success, `reward` a reward that may
    /// be refused as a repeat.
    MemberEdit {
        done: &'static str,
        reward: Option<String>,
    },
    /// Nothing to show on success (a draft announcement); errors still show.
    Quiet,
    /// A post written in the composer.
    PostCreate,
    /// A change to a post from the calendar (or the composer editing one); `done` is the catalog
    /// key said on success.
    PostEdit {
        done: &'static str,
    },
    /// The calendar's week for panel request `gen`.
    Posts {
        gen: u64,
    },
    /// The tags in use, for completion.
    Tags,
    /// A tag renamed from the palette.
    TagRename {
        old: String,
        new: String,
    },
    /// An action over the selection (`verb`: what it did, for the line that ends it).
    Bulk {
        verb: String,
    },
    /// How many items "everything in view" is, for selection `gen`.
    BulkCount {
        gen: u64,
    },
    /// A bulk taken back.
    UndoBulk,
    /// The draft a bulk prepared for an item, for the reply editor just opened.
    StoredDraft(ItemId),
    /// What waits for an approver (the status bar's count, the calendar's awaiting list).
    Awaiting,
    /// An approver's answer on a reply; `done` is the catalog key said on success.
    ReviewReply {
        done: &'static str,
    },
    /// The saved views with their counts, for the sidebar.
    Views,
    /// A view saved from the palette.
    ViewSave {
        name: String,
    },
    ViewDelete {
        name: String,
    },
    ViewMove {
        name: String,
    },
    /// Where the rules stand, for the Rules panel's request `gen`; `reloaded`: the file was
    /// read again (the panel says how it went).
    RulesStatus {
        gen: u64,
        reloaded: bool,
    },
    /// What each rule matches among the stored items, for the Rules panel's request `gen`.
    RulesTest {
        gen: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageDir {
    /// Replace the window; keep `keep` selected when it is still there, else select the first
    /// row (or the last when `last`).
    Reset {
        keep: Option<ItemId>,
        last: bool,
    },
    Below,
    Above,
}

/// Work `update` asks the loop to do; the loop never blocks on it. Effects live only until the
/// loop spawns them, so the size difference between variants costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Call(Tag, Request),
    /// Put this (validated) URL on the clipboard with OSC 52.
    Copy(String),
    /// Write the composer's draft (`None`: remove it), temp file + rename, in order.
    SaveDraft {
        path: std::path::PathBuf,
        json: Option<String>,
    },
    /// Hand the terminal to `$EDITOR` on this text; the answer comes back as `Msg::Edited`.
    ExternalEdit(String),
    /// Start the engine again after it was stopped on purpose.
    ResumeEngine,
    /// Read pictures off the loop (a file may be 50 MB, a thumbnail is a decode); the answer
    /// comes back as `Msg::PicturesRead`. `adding`: the operator just attached the first one.
    ReadPictures {
        media: Vec<crate::domain::media::NewMedia>,
        adding: bool,
    },
    /// Hand the terminal to `$EDITOR` on this file, written from `seed` first when it does not
    /// exist; the answer comes back as `Msg::FileEdited`.
    EditFile {
        path: std::path::PathBuf,
        seed: Option<String>,
    },
}

/// What a panel hands back to the root: requests to run, and what it asks of the root (close it,
/// open another panel, show something in the inbox). Panels never reach into each other.
#[derive(Debug, Default)]
pub struct Out {
    pub fx: Vec<Effect>,
    pub cmds: Vec<Cmd>,
}

impl Out {
    pub fn fx(fx: Vec<Effect>) -> Out {
        Out {
            fx,
            cmds: Vec::new(),
        }
    }

    pub fn cmd(cmd: Cmd) -> Out {
        Out {
            fx: Vec::new(),
            cmds: vec![cmd],
        }
    }

    pub fn with(mut self, cmd: Cmd) -> Out {
        self.cmds.push(cmd);
        self
    }
}

impl From<Vec<Effect>> for Out {
    fn from(fx: Vec<Effect>) -> Out {
        Out::fx(fx)
    }
}

/// What a panel asks of the root.
#[derive(Debug, Clone)]
pub enum Cmd {
    /// Take the panel off the screen; what was under it comes back.
    Close,
    /// The inbox filtered to one person's items (from Members).
    ShowMemberItems {
        ids: Vec<crate::domain::member::MemberId>,
        label: String,
    },
    /// Edit a scheduled post's text in the composer, over the calendar (from the calendar).
    EditPost(Box<crate::domain::post::Post>),
    /// Run a main-screen action (from the palette).
    Run(crate::config::keymap::Action),
    /// Keep a reply draft for the item (the reply editor closed with text in it), and whether
    /// it was marked as a private reply.
    KeepDraft(ItemId, Box<super::editor::Editor>, bool),
}
