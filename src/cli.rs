//! Command-line definitions. Every TUI action has a CLI form; listings take `--json`.

mod account;
mod approvals;
mod args;
mod audit;
mod bulk;
pub mod commands;
mod demo;
mod doctor;
mod import;
mod inbox;
mod items;
mod members;
mod oauth;
mod output;
mod posts;
mod reply;
mod rules;
mod schedule_args;
mod serve;
mod shift;
mod sync;
mod tags;
mod team;
mod views;

pub use bulk::BulkArgs;
pub use commands::run;
pub use rules::RulesCmd;
pub use schedule_args::{ScheduleArgs, ScheduleCmd};
pub use tags::{TagArgs, TagCmd};
pub use views::ViewCmd;

use crate::i18n::{self, t, Lang};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;

/// Parses the command line with help texts from the UI string catalog. The language must be
/// known before clap prints help, so `--lang`, the config file and the locale are read first.
pub fn parse() -> Cli {
    i18n::init(early_lang());
    let matches = localized(Cli::command()).get_matches();
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    }
}

/// The UI language as `setup` will choose it: `--lang`, then config, then the locale.
fn early_lang() -> Lang {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--lang` is global: it means the UI language wherever it stands (up to a bare `--`).
    let flag = |name: &str| {
        let mut it = args.iter().take_while(|a| *a != "--");
        while let Some(a) = it.next() {
            if a == name {
                return it.next().cloned();
            }
            if let Some(v) = a.strip_prefix(&format!("{name}=")) {
                return Some(v.to_string());
            }
        }
        None
    };
    if let Some(l) = flag("--lang").and_then(|l| Lang::parse(&l)) {
        return l;
    }
    let config = flag("--config")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("KITH_CONFIG").map(PathBuf::from));
    let paths = crate::paths::Paths::resolve(None, config);
    if let Ok(cfg) = crate::config::Config::load(&paths.config_file, false) {
        if let Some(l) = Lang::parse(&cfg.lang) {
            return l;
        }
    }
    Lang::from_env()
}

fn localized(cmd: clap::Command) -> clap::Command {
    let cmd = localize_args(cmd.about(t("cli.help.about")), "");
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    names.iter().fold(cmd, |c, n| {
        c.mut_subcommand(n, |s| {
            let s = localize_args(s.about(t(&format!("cli.help.{n}"))), n);
            let inner: Vec<String> = s
                .get_subcommands()
                .map(|x| x.get_name().to_string())
                .collect();
            inner.iter().fold(s, |s, m| {
                let key = format!("{n}_{m}");
                s.mut_subcommand(m, |x| {
                    localize_args(x.about(t(&format!("cli.help.{key}"))), &key)
                })
            })
        })
    })
}

/// Help for each argument from `cli.arg.<command>.<id>`, else `cli.arg.<id>`.
fn localize_args(cmd: clap::Command, sub: &str) -> clap::Command {
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    ids.iter().fold(cmd, |c, id| {
        let specific = format!("cli.arg.{sub}.{id}");
        let general = format!("cli.arg.{id}");
        let text = [t(&specific), t(&general)]
            .into_iter()
            .find(|x| *x != specific && *x != general);
        match text {
            Some(text) => c.mut_arg(id, |a| a.help(text)),
            None => c,
        }
    })
}

#[derive(Debug, Parser)]
#[command(
    name = "kith",
    version,
    about = "A keyboard-driven terminal console for community managers"
)]
pub struct Cli {
    /// Where the store lives.
    #[arg(long, global = true, env = "KITH_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Config file (TOML).
    #[arg(long, global = true, env = "KITH_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// UI language: en, ru, zh (default: config, then the locale).
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,
    /// Operator name recorded with every change (default: config, then the Unix user).
    #[arg(long = "as", global = true, value_name = "OPERATOR")]
    pub operator: Option<String>,
    /// Run the engine inside this process instead of attaching to `kith serve`.
    #[arg(long, global = true)]
    pub no_daemon: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Parsed once per run; the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum AccountCmd {
    /// Connect an account: mastodon, bluesky, telegram, vk, youtube, facebook, instagram or google.
    Add(AccountAddArgs),
    /// List accounts with their sync state.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Check an account's credentials and print who it is.
    Test { name: String },
    /// Disconnect an account (its items stay).
    Remove { name: String },
    /// Answer the captcha the account's platform asked for (VK), then retry what was refused.
    Captcha { name: String, answer: String },
}

/// `kith account add`: the account, its credentials and how it is polled.
#[derive(Debug, clap::Args)]
pub struct AccountAddArgs {
    pub platform: String,
    pub name: String,
    /// The instance or API host (default: the platform's public one).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
    #[arg(long, value_name = "HANDLE")]
    pub handle: Option<String>,
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    #[arg(long, value_name = "PATH")]
    pub password_file: Option<PathBuf>,
    /// VK: the community's id (the number in its `club…`/`public…` address).
    #[arg(long, value_name = "ID")]
    pub group_id: Option<i64>,
    /// VK: an admin's user token, for posting, deleting, likes and bans.
    #[arg(long, value_name = "VAR")]
    pub user_token_env: Option<String>,
    #[arg(long, value_name = "PATH")]
    pub user_token_file: Option<PathBuf>,
    /// YouTube: the channel id (`UC…`).
    #[arg(long, value_name = "UC…")]
    pub channel_id: Option<String>,
    /// YouTube and Google: the OAuth server (default Google's).
    #[arg(long, value_name = "URL")]
    pub auth_url: Option<String>,
    /// Facebook: the Page's id.
    #[arg(long, value_name = "ID")]
    pub page_id: Option<String>,
    /// Instagram: the Instagram professional account's id.
    #[arg(long, value_name = "ID")]
    pub ig_user_id: Option<String>,
    /// Google: the Business Profile account id (the number in `accounts/ID`).
    #[arg(long = "account-id", value_name = "ID")]
    pub google_account: Option<String>,
    /// Google: a location id whose reviews are read and answered (repeat for several).
    #[arg(long = "location-id", value_name = "ID")]
    pub locations: Vec<String>,
    /// Telegram: a chat id to watch (repeat for several; default: every chat).
    #[arg(long = "chat", value_name = "ID", allow_negative_numbers = true)]
    pub chats: Vec<i64>,
    /// Seconds between polls.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub interval: u64,
    /// Store likes, reposts and follows as inbox items instead of member activity.
    #[arg(long)]
    pub activity_items: bool,
    /// Facebook, Instagram: answer messages for 7 days (Meta's Human Agent permission).
    #[arg(long)]
    pub human_agent: bool,
    /// Save without checking the credentials now.
    #[arg(long)]
    pub no_test: bool,
    /// Replace an account of the same name (its items and cursor stay).
    #[arg(long)]
    pub replace: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load the bundled demo workspace (or N synthetic items for benchmarks).
    Demo {
        #[arg(long, value_name = "N")]
        synthetic: Option<u64>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// List items, newest first: the Inbox view unless --view or --status says otherwise.
    Inbox(InboxArgs),
    /// Show one item and its thread.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Mark an item done (or, with --where, every item a pattern matches).
    Done {
        id: Option<String>,
        #[arg(long)]
        if_version: Option<u64>,
        #[command(flatten)]
        bulk: BulkArgs,
    },
    /// Reopen an item.
    Reopen {
        id: Option<String>,
        #[arg(long)]
        if_version: Option<u64>,
        #[command(flatten)]
        bulk: BulkArgs,
    },
    /// Snooze until a time: `30m`, `3h`, `tomorrow`, `2026-12-01 09:00`.
    Snooze {
        /// The item (left out with --where: then the one value is the time).
        id: Option<String>,
        until: Option<String>,
        #[arg(long)]
        if_version: Option<u64>,
        #[command(flatten)]
        bulk: BulkArgs,
    },
    /// Add a tag (or remove it with --remove; many with --where); `tag list`, `tag rename OLD NEW`.
    Tag(TagArgs),
    /// Send the prepared drafts of the items a pattern matches, as their replies.
    SendDrafts {
        #[command(flatten)]
        bulk: BulkArgs,
    },
    /// Inbox rules: check the file, test it on stored items, apply it to them.
    Rules {
        #[command(subcommand)]
        cmd: RulesCmd,
    },
    /// Saved views: `view list`, `view save NAME PATTERN`, `view delete NAME`, `view move NAME up|down`.
    #[command(subcommand)]
    View(ViewCmd),
    /// Mark as spam.
    Spam {
        id: Option<String>,
        #[arg(long)]
        if_version: Option<u64>,
        #[command(flatten)]
        bulk: BulkArgs,
    },
    /// Hide from the inbox.
    Hide {
        id: Option<String>,
        #[arg(long)]
        if_version: Option<u64>,
        #[command(flatten)]
        bulk: BulkArgs,
    },
    /// Reply to an item.
    Reply {
        id: String,
        text: String,
        #[arg(long)]
        if_version: Option<u64>,
        /// A private message to the commenter (Facebook, Instagram), once, within 7 days.
        #[arg(long)]
        private: bool,
    },
    /// Import items from a JSON lines or CSV file.
    Import {
        file: PathBuf,
        /// Account for rows that name none (default: the file name).
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Connected accounts: add, list, test, remove.
    Account {
        #[command(subcommand)]
        action: AccountCmd,
    },
    /// Pull new items from connected accounts (all, or one with --account).
    Sync {
        /// One pass, then exit (default: keep polling until Ctrl-C).
        #[arg(long)]
        once: bool,
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Send a failed reply again (same idempotency key, so never twice).
    Retry { id: String },
    /// Like or moderate an item on its platform: like, hide, delete, restore, reject, ban, mute, dismiss.
    Act {
        id: String,
        action: String,
        #[arg(long)]
        if_version: Option<u64>,
    },
    /// Take an item: assign it to yourself (asks no one; --force takes it from someone else).
    Claim {
        id: String,
        #[arg(long)]
        force: bool,
    },
    /// Assign an item to an operator.
    Assign {
        id: Option<String>,
        /// Not `operator`: that is the global `--as`, which clap would fill from this too.
        #[arg(id = "assignee", value_name = "OPERATOR")]
        operator: Option<String>,
        #[arg(long)]
        if_version: Option<u64>,
        /// Assign even to a name the team has not seen (not in config, not in the audit log).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        bulk: BulkArgs,
    },
    /// Take back a bulk action (by the id it printed): items changed since are left alone.
    Undo { bulk: String },
    /// Release an item: assigned to nobody.
    Release {
        id: String,
        #[arg(long)]
        if_version: Option<u64>,
    },
    /// Leave a handoff note on an item (internal, never sent).
    Note { id: String, text: String },
    /// An item's handoff notes.
    Notes {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Who the most active members are, and why: a ranking per period, explained.
    Members(MembersArgs),
    /// Publish a post on one or more accounts, now or at a time.
    Post(PostArgs),
    /// Scheduled and published posts: list, show, cancel, move, edit, retry, resolve.
    Schedule(ScheduleArgs),
    /// The shift handoff: what is open, claimed, waiting for a customer, overdue.
    Handoff {
        #[arg(long)]
        json: bool,
    },
    /// The audit log: every change with time, operator, before and after; --verify checks the chain.
    Audit(AuditArgs),
    /// Run the engine for this data dir in the foreground (front ends attach to it), or stop it.
    Serve {
        /// Stop the running engine cleanly.
        #[arg(long)]
        stop: bool,
    },
    /// Check the data dir: counts, quarantined input, config.
    Doctor {
        #[arg(long)]
        json: bool,
        /// Also check every index entry and counter against the stored items (reads everything).
        #[arg(long)]
        verify: bool,
        /// First copy the store into a fresh database that takes its place: gives back the disk
        /// a much rewritten store wastes (changes wait meanwhile; ~15 s per million items).
        #[arg(long)]
        compact: bool,
    },
}

/// `kith audit`: which entries, and whether to check the chain instead.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    #[arg(long)]
    pub json: bool,
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    #[arg(long, value_name = "ID")]
    pub item: Option<String>,
    /// Entries since (RFC 3339, YYYY-MM-DD, or `2d`, `6h` ago).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Check that no entry was changed, removed or reordered (exit 4 if one was).
    #[arg(long)]
    pub verify: bool,
}

/// `kith inbox`: a view of the items (the TUI's Inbox by default), narrowed by filters.
#[derive(Debug, clap::Args)]
pub struct InboxArgs {
    /// all, inbox, mine, unassigned, others, due, new, reviews, to-answer, snoozed, done, spam, hidden.
    #[arg(long, value_name = "VIEW")]
    pub view: Option<String>,
    /// Statuses, comma-separated (overrides the view's statuses).
    #[arg(long)]
    pub status: Option<String>,
    #[arg(long)]
    pub platform: Option<String>,
    #[arg(long)]
    pub kind: Option<String>,
    #[arg(long)]
    pub account: Option<String>,
    /// Star range for reviews: `1-2`, `5`.
    #[arg(long)]
    pub rating: Option<String>,
    /// Only items written in this language (ISO 639-1 code, e.g. ru).
    #[arg(long, value_name = "LANG")]
    pub written_in: Option<String>,
    #[arg(long)]
    pub tag: Option<String>,
    /// Items created since (RFC 3339, YYYY-MM-DD, or `2d`, `6h` ago).
    #[arg(long)]
    pub since: Option<String>,
    #[arg(long)]
    pub search: Option<String>,
    /// A pattern (README: Patterns), e.g. `~p telegram ~s new доставка`.
    #[arg(long = "where", value_name = "PATTERN")]
    pub pattern: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
    /// Waiting items by when their answer is due, most overdue first.
    #[arg(long)]
    pub due: bool,
}

/// `kith post`: write once, publish on several accounts.
#[derive(Debug, clap::Args)]
pub struct PostArgs {
    /// Account to publish on (repeat for several).
    #[arg(long = "account", value_name = "NAME", required = true)]
    pub accounts: Vec<String>,
    /// When: now, +90m, tomorrow 9:00, fri 18:30, 2026-12-08 09:00 or RFC 3339.
    #[arg(long, value_name = "WHEN", conflicts_with_all = ["queue", "draft"])]
    pub at: Option<String>,
    /// Take the next free queue slot ([schedule.slots] in config).
    #[arg(long, conflicts_with = "draft")]
    pub queue: bool,
    /// Keep it as a draft (not scheduled).
    #[arg(long)]
    pub draft: bool,
    /// Split into a thread where the text is over a network's limit.
    #[arg(long)]
    pub thread: bool,
    /// Let the platform schedule it itself (Mastodon scheduled_at).
    #[arg(long)]
    pub native: bool,
    /// Another text for one account: ACCOUNT=TEXT (repeat).
    #[arg(long, value_name = "ACCOUNT=TEXT")]
    pub variant: Vec<String>,
    /// Read the text from a file (`-` for stdin).
    #[arg(long, value_name = "FILE", conflicts_with = "text")]
    pub file: Option<std::path::PathBuf>,
    /// Attach a picture: PNG, JPEG, GIF or WebP (repeat for several, in order).
    #[arg(long, value_name = "FILE")]
    pub media: Vec<std::path::PathBuf>,
    /// Alt text for the pictures, in the same order as --media (repeat).
    #[arg(long, value_name = "TEXT")]
    pub alt: Vec<String>,
    /// Do not wait for a post due now to go out.
    #[arg(long)]
    pub no_wait: bool,
    #[arg(long)]
    pub json: bool,
    pub text: Option<String>,
}

/// `kith members`: the ranking, or one of its subcommands.
#[derive(Debug, clap::Args)]
pub struct MembersArgs {
    #[command(subcommand)]
    pub cmd: Option<MembersCmd>,
    /// 7d, 30d, 90d or all.
    #[arg(long, default_value = "30d", global = true)]
    pub period: String,
    /// Only this platform's members (and their interactions there).
    #[arg(long)]
    pub platform: Option<String>,
    /// Only members with this tag (VIP, opinion leader, rewarded...).
    #[arg(long)]
    pub tag: Option<String>,
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Opinion leaders: followers × the 30-day score.
    #[arg(long)]
    pub leaders: bool,
    /// One JSON object per line.
    #[arg(long, global = true)]
    pub json: bool,
    /// CSV with a header line (for a giveaway or marketing).
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// The score of MEMBER and the parts that add up to it.
    #[arg(long, value_name = "MEMBER")]
    pub explain: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum MembersCmd {
    /// Everything about a member: accounts, score explained, notes, rewards, likely links.
    Show { member: String },
    /// Link two accounts into one person (their interactions count together).
    Link { a: String, b: String },
    /// Take an account out of its person.
    Unlink { member: String },
    /// Tag a member (VIP, opinion leader, rewarded, banned...); --remove takes it off.
    Tag {
        member: String,
        tag: String,
        #[arg(long)]
        remove: bool,
    },
    /// An internal note on a member.
    Note { member: String, text: String },
    /// Record a reward; refused when the person was rewarded before, unless --again.
    Reward {
        member: String,
        what: String,
        #[arg(long)]
        again: bool,
    },
    /// Accounts on different platforms that look like one person (kith never links them itself).
    Suggest {
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Recompute every member counter and the ranking from the items.
    Rebuild,
}
