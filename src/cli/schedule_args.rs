//! `kith schedule`'s flags and subcommands (clap): the outbox and its approvals.

use clap::Subcommand;

/// `kith schedule`: the outbox.
#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {
    #[command(subcommand)]
    pub cmd: Option<ScheduleCmd>,
    #[arg(long, global = true)]
    pub json: bool,
    /// The week ahead as a calendar (posts per day and account).
    #[arg(long)]
    pub week: bool,
    /// Only posts waiting for a person (unknown, late, failed).
    #[arg(long)]
    pub attention: bool,
    /// Only posts and replies waiting for an approver.
    #[arg(long, conflicts_with_all = ["week", "attention"])]
    pub awaiting: bool,
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCmd {
    /// A post with every target's state and its attempt log.
    Show { post_id: String },
    /// Do not send it (what went out stays out).
    Cancel {
        post_id: String,
        #[arg(long, value_name = "V")]
        if_version: Option<u64>,
    },
    /// Send it at another time.
    Move {
        post_id: String,
        when: String,
        #[arg(long, value_name = "V")]
        if_version: Option<u64>,
    },
    /// New text (for every account, or one account's variant).
    Edit {
        post_id: String,
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        #[arg(long, value_name = "FILE", conflicts_with = "text")]
        file: Option<std::path::PathBuf>,
        text: Option<String>,
        #[arg(long, value_name = "V")]
        if_version: Option<u64>,
    },
    /// Send what failed, is late, or is unknown (after you checked the account).
    Retry { post_id: String },
    /// You found it on the platform: mark an unknown target sent.
    MarkSent {
        post_id: String,
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        #[arg(long)]
        url: Option<String>,
    },
    /// A copy at another time.
    Duplicate { post_id: String, when: String },
    /// Approve a post (`p12`) or a reply (its item id) waiting for approval.
    Approve { post_id: String },
    /// Return a post or reply waiting for approval to its author, with a comment.
    SendBack {
        post_id: String,
        #[arg(long)]
        comment: String,
    },
}
