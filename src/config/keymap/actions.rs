//! The keymap's vocabulary: where a binding applies (`Context`, one section of the keymap file
//! each) and what it does (`Action`). Every action has a catalog description
//! (`tui.action.<name>`, or `tui.action_in.<context>.<name>` where a context gives it its own
//! meaning); help, the command palette and the footers are made from these tables, so they never
//! drift from the real bindings.

/// Where a binding applies: one section of the keymap file each. A panel names the contexts it
/// is in, most specific first (the reply editor is `editor`, then `input`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    /// The main screen: sidebar, list and detail.
    Normal,
    /// The reply editor.
    Editor,
    /// Editing text anywhere: cursor moves and deletions (characters typed are inserted).
    Input,
    /// A one-line question at the bottom (search, tag, assign, note; the panels' questions).
    Prompt,
    /// A yes/no question.
    Confirm,
    Help,
    /// The command palette.
    Palette,
    /// The saved-reply picker.
    Picker,
    /// The filter form on a choice field.
    Filter,
    /// The filter form on a text field (tag, language, since).
    FilterText,
    /// The snooze choices.
    Snooze,
    /// The Accounts panel.
    Accounts,
    /// Banning an author: the reason and how long.
    Ban,
    /// The shift handoff summary.
    Handoff,
    /// The Members panel.
    Members,
    /// The week calendar.
    Calendar,
    /// The composer (every field).
    Composer,
    /// The composer's account list.
    ComposerTargets,
    /// The composer's last look before sending.
    ComposerConfirm,
    /// Picking items on the main screen for one action over all of them (beside `Normal`).
    Selection,
    /// The Rules panel.
    Rules,
}

impl Context {
    pub const ALL: [Context; 21] = [
        Context::Normal,
        Context::Editor,
        Context::Input,
        Context::Prompt,
        Context::Confirm,
        Context::Help,
        Context::Palette,
        Context::Picker,
        Context::Filter,
        Context::FilterText,
        Context::Snooze,
        Context::Accounts,
        Context::Ban,
        Context::Handoff,
        Context::Members,
        Context::Calendar,
        Context::Composer,
        Context::ComposerTargets,
        Context::ComposerConfirm,
        Context::Selection,
        Context::Rules,
    ];

    /// The keymap file's section name.
    pub fn name(self) -> &'static str {
        match self {
            Context::Normal => "normal",
            Context::Editor => "editor",
            Context::Input => "input",
            Context::Prompt => "prompt",
            Context::Confirm => "confirm",
            Context::Help => "help",
            Context::Palette => "palette",
            Context::Picker => "picker",
            Context::Filter => "filter",
            Context::FilterText => "filter_text",
            Context::Snooze => "snooze",
            Context::Accounts => "accounts",
            Context::Ban => "ban",
            Context::Handoff => "handoff",
            Context::Members => "members",
            Context::Calendar => "calendar",
            Context::Composer => "composer",
            Context::ComposerTargets => "composer_targets",
            Context::ComposerConfirm => "composer_confirm",
            Context::Selection => "selection",
            Context::Rules => "rules",
        }
    }

    /// What a footer shows for this context, in order (help shows every action).
    pub fn footer(self) -> &'static [Action] {
        use Action::*;
        match self {
            Context::Normal => &[Help, Palette, Search, Filter, Reply, Done, Undo, Quit],
            Context::Members => &[
                Open,
                NextPeriod,
                Leaders,
                PlatformFilter,
                TagFilter,
                MemberItems,
                AddTag,
                MemberNote,
                Reward,
                Link,
                Unlink,
                Export,
                Help,
                Close,
            ],
            Context::Calendar => &[
                Open,
                MovePost,
                EditPost,
                DuplicatePost,
                CancelPost,
                RetryPost,
                NextWeek,
                Today,
                Help,
                Close,
            ],
            Context::Composer => &[
                NextField,
                Confirm,
                ToggleSplit,
                ToggleNative,
                ExternalEditor,
                Help,
                Close,
            ],
            Context::Filter => &[NextField, NextValue, ClearField, Submit, Reset, Cancel],
            Context::Ban => &[Submit, Right, Down, Cancel, Help],
            Context::FilterText => &[NextField, Submit, Reset, Cancel],
            // The private-reply key is shown with its state in the editor, where it applies.
            Context::Editor => &[Send, Cancel, SavedReplies, Help],
            other => other.actions(),
        }
    }

    /// The actions a binding in this context may name, in the order help lists them.
    pub fn actions(self) -> &'static [Action] {
        use Action::*;
        match self {
            Context::Normal => &[
                Reply,
                Done,
                Snooze,
                Tag,
                Undo,
                Search,
                Limit,
                Filter,
                Open,
                Back,
                Down,
                Up,
                PageDown,
                PageUp,
                HalfPageDown,
                HalfPageUp,
                Top,
                Bottom,
                NextPane,
                PrevPane,
                NextView,
                PrevView,
                Reopen,
                Spam,
                Hide,
                CopyLink,
                Like,
                HideRemote,
                DeleteRemote,
                RestoreRemote,
                RejectRemote,
                BanAuthor,
                Mute,
                Dismiss,
                RetryReply,
                Claim,
                Release,
                Assign,
                Note,
                Handoff,
                Members,
                Compose,
                Calendar,
                Accounts,
                Rules,
                Refresh,
                Palette,
                Help,
                Quit,
            ],
            Context::Editor => &[Send, Cancel, SavedReplies, PrivateReply, Help],
            Context::Input => &[
                CursorLeft,
                CursorRight,
                CursorUp,
                CursorDown,
                LineStart,
                LineEnd,
                DeleteBack,
                DeleteForward,
                DeleteToStart,
                Newline,
                Indent,
            ],
            Context::Prompt => &[Submit, Cancel, Complete, Help],
            Context::Confirm => &[Yes, No],
            Context::Help => &[Down, Up, PageDown, PageUp, Top, Bottom, Close],
            Context::Palette => &[Submit, Down, Up, Cancel],
            Context::Picker => &[Submit, Down, Up, Cancel],
            Context::Filter => &[
                NextValue, PrevValue, NextField, PrevField, ClearField, Reset, Submit, Cancel, Help,
            ],
            Context::FilterText => &[NextField, PrevField, Complete, Reset, Submit, Cancel, Help],
            Context::Snooze => &[Submit, Down, Up, Cancel, Help],
            Context::Accounts => &[
                SyncNow,
                TestAccount,
                AnswerCaptcha,
                Reload,
                Down,
                Up,
                Help,
                Close,
            ],
            Context::Ban => &[Submit, Left, Right, Down, Up, Cancel, Help],
            Context::Handoff => &[Close, Help],
            Context::Members => &[
                Open,
                NextPeriod,
                Period7d,
                Period30d,
                Period90d,
                PeriodAll,
                Leaders,
                PlatformFilter,
                TagFilter,
                AddTag,
                RemoveTag,
                MemberNote,
                Reward,
                RewardAgain,
                Link,
                Unlink,
                MemberItems,
                Export,
                Down,
                Up,
                PageDown,
                PageUp,
                Top,
                Bottom,
                Help,
                Close,
            ],
            Context::Calendar => &[
                Open,
                MovePost,
                EditPost,
                DuplicatePost,
                CancelPost,
                RetryPost,
                ApprovePost,
                SendBackPost,
                AwaitingOnly,
                Left,
                Right,
                Down,
                Up,
                PrevWeek,
                NextWeek,
                Today,
                Help,
                Close,
            ],
            Context::Composer => &[
                Confirm,
                NextField,
                PrevField,
                ToggleSplit,
                ToggleNative,
                ExternalEditor,
                Help,
                Close,
            ],
            Context::ComposerTargets => &[Toggle, Variant, Down, Up, Top, Bottom],
            Context::ComposerConfirm => &[Send, Queue, Cancel],
            Context::Selection => &[ToggleSelect, SelectRange, SelectAll, ApplyToSelection],
            Context::Rules => &[EditRules, Reload, Down, Up, Top, Bottom, Help, Close],
        }
    }
}

macro_rules! actions {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// A user intent. The names are the keymap's vocabulary.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }
        }
    };
}

actions! {
    Down = "down",
    Up = "up",
    Left = "left",
    Right = "right",
    PageDown = "page_down",
    PageUp = "page_up",
    HalfPageDown = "half_page_down",
    HalfPageUp = "half_page_up",
    Top = "top",
    Bottom = "bottom",
    Open = "open",
    Back = "back",
    Close = "close",
    NextPane = "next_pane",
    PrevPane = "prev_pane",
    NextView = "next_view",
    PrevView = "prev_view",
    Search = "search",
    Limit = "limit",
    Filter = "filter",
    Done = "done",
    Reopen = "reopen",
    Snooze = "snooze",
    Tag = "tag",
    Spam = "spam",
    Hide = "hide",
    Undo = "undo",
    Reply = "reply",
    CopyLink = "copy_link",
    Like = "like",
    HideRemote = "hide_remote",
    DeleteRemote = "delete_remote",
    RestoreRemote = "restore_remote",
    RejectRemote = "reject_remote",
    BanAuthor = "ban_author",
    AnswerCaptcha = "answer_captcha",
    Mute = "mute",
    Dismiss = "dismiss",
    Accounts = "accounts",
    RetryReply = "retry_reply",
    Claim = "claim",
    Release = "release",
    Assign = "assign",
    Note = "note",
    Handoff = "handoff",
    Members = "members",
    Compose = "compose",
    Calendar = "calendar",
    Refresh = "refresh",
    Help = "help",
    Palette = "palette",
    Quit = "quit",
    Send = "send",
    Cancel = "cancel",
    SavedReplies = "saved_replies",
    PrivateReply = "private_reply",
    CursorLeft = "cursor_left",
    CursorRight = "cursor_right",
    CursorUp = "cursor_up",
    CursorDown = "cursor_down",
    LineStart = "line_start",
    LineEnd = "line_end",
    DeleteBack = "delete_back",
    DeleteForward = "delete_forward",
    DeleteToStart = "delete_to_start",
    Newline = "newline",
    Indent = "indent",
    Submit = "submit",
    Complete = "complete",
    Yes = "yes",
    No = "no",
    NextField = "next_field",
    PrevField = "prev_field",
    NextValue = "next_value",
    PrevValue = "prev_value",
    ClearField = "clear_field",
    Reset = "reset",
    SyncNow = "sync_now",
    TestAccount = "test_account",
    Reload = "reload",
    NextPeriod = "next_period",
    Period7d = "period_7d",
    Period30d = "period_30d",
    Period90d = "period_90d",
    PeriodAll = "period_all",
    Leaders = "leaders",
    PlatformFilter = "platform_filter",
    TagFilter = "tag_filter",
    AddTag = "add_tag",
    RemoveTag = "remove_tag",
    MemberNote = "member_note",
    Reward = "reward",
    RewardAgain = "reward_again",
    Link = "link",
    Unlink = "unlink",
    MemberItems = "member_items",
    Export = "export",
    MovePost = "move_post",
    EditPost = "edit_post",
    DuplicatePost = "duplicate_post",
    CancelPost = "cancel_post",
    RetryPost = "retry_post",
    ApprovePost = "approve_post",
    SendBackPost = "send_back_post",
    AwaitingOnly = "awaiting_only",
    PrevWeek = "prev_week",
    NextWeek = "next_week",
    Today = "today",
    Confirm = "confirm",
    ToggleSplit = "toggle_split",
    ToggleNative = "toggle_native",
    ExternalEditor = "external_editor",
    Toggle = "toggle",
    Variant = "variant",
    Queue = "queue",
    ToggleSelect = "toggle_select",
    SelectRange = "select_range",
    SelectAll = "select_all",
    ApplyToSelection = "apply_to_selection",
    Rules = "rules",
    EditRules = "edit_rules",
}

impl Action {
    pub fn from_name(s: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == s)
    }

    /// Whether a binding in `ctx` may name this action.
    pub fn allowed_in(self, ctx: Context) -> bool {
        ctx.actions().contains(&self)
    }

    /// Catalog key of the one-line description shown in help, footers and the palette: the
    /// context's own when it has one (`tui.action_in.members.open`), else the action's.
    pub fn desc_key(self, ctx: Context) -> (String, String) {
        (
            format!("tui.action_in.{}.{}", ctx.name(), self.name()),
            format!("tui.action.{}", self.name()),
        )
    }
}
