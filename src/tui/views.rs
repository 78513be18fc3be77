//! The sidebar's views: fixed status/kind views, then one per platform and per account.

use crate::domain::saved_view::ViewRow;
use crate::domain::{Kind, Platform, Status};
use crate::engine::api::{Filter, Overview};
use crate::engine::views::FixedView;
use crate::i18n::t;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    All,
    Inbox,
    New,
    Reviews,
    /// Reviews waiting for an answer, worst rating first.
    ToAnswer,
    Snoozed,
    Done,
    Spam,
    Hidden,
    /// Waiting items assigned to this operator.
    Mine(String),
    /// Waiting items nobody has taken.
    Unassigned,
    /// Waiting items other operators have taken.
    Others(String),
    /// Waiting items by when their answer is due, most overdue first.
    Due,
    Platform(Platform),
    Account(String, Platform),
    /// A saved view: the team's (`shared`) or the operator's own from config.
    Saved {
        name: String,
        pattern: String,
        shared: bool,
    },
}

impl View {
    /// The views the sidebar shows for these counts, in order: fixed views, saved views (the
    /// team's, then the operator's own), platforms, accounts.
    pub fn list(o: &Overview, operator: &str, saved: &[ViewRow]) -> Vec<View> {
        let mut v = vec![
            View::All,
            View::Inbox,
            View::Mine(operator.to_string()),
            View::Unassigned,
            View::Others(operator.to_string()),
            View::Due,
            View::New,
            View::Reviews,
            View::ToAnswer,
            View::Snoozed,
            View::Done,
            View::Spam,
            View::Hidden,
        ];
        v.extend(saved.iter().map(|r| View::Saved {
            name: r.name.clone(),
            pattern: r.pattern.clone(),
            shared: r.shared,
        }));
        v.extend(o.by_platform.iter().map(|(p, _)| View::Platform(*p)));
        v.extend(
            o.by_account
                .iter()
                .map(|(a, p, _)| View::Account(a.clone(), *p)),
        );
        v
    }

    /// The fixed views' filters are defined once in `engine::views`, shared with the CLI.
    pub fn filter(&self) -> Filter {
        match self {
            View::All => FixedView::All.filter(""),
            View::Inbox => FixedView::Inbox.filter(""),
            View::Mine(op) => FixedView::Mine.filter(op),
            View::Due => FixedView::Due.filter(""),
            View::Unassigned => FixedView::Unassigned.filter(""),
            View::Others(op) => FixedView::Others.filter(op),
            View::New => FixedView::New.filter(""),
            View::Reviews => FixedView::Reviews.filter(""),
            View::ToAnswer => FixedView::ToAnswer.filter(""),
            View::Snoozed => FixedView::Snoozed.filter(""),
            View::Done => FixedView::Done.filter(""),
            View::Spam => FixedView::Spam.filter(""),
            View::Hidden => FixedView::Hidden.filter(""),
            View::Platform(p) => Filter {
                platform: Some(*p),
                ..Filter::default()
            },
            View::Account(a, _) => Filter {
                account: Some(a.clone()),
                ..Filter::default()
            },
            View::Saved { pattern, .. } => Filter {
                pattern: Some(pattern.clone()),
                ..Filter::default()
            },
        }
    }

    /// The count as shown: a saved view's live count from the engine (`1000+` once it stopped
    /// counting), every other view's from the overview.
    pub fn count_text(&self, o: &Overview, saved: &[ViewRow]) -> String {
        match self {
            View::Saved { name, .. } => saved
                .iter()
                .find(|r| r.name == *name)
                .map_or_else(|| "0".to_string(), ViewRow::count_text),
            _ => self.count(o).to_string(),
        }
    }

    pub fn count(&self, o: &Overview) -> u64 {
        match self {
            View::All => o.total,
            View::Inbox => o.status(Status::New) + o.status(Status::Open),
            View::Mine(op) => o.assigned(op),
            View::Unassigned => o.unassigned,
            View::Due => o.status(Status::New) + o.status(Status::Open),
            View::Others(op) => o
                .by_assignee
                .iter()
                .filter(|(a, _)| a != op)
                .map(|(_, n)| n)
                .sum(),
            View::New => o.status(Status::New),
            View::Reviews => o.kind(Kind::Review),
            View::ToAnswer => o.waiting(Kind::Review),
            View::Snoozed => o.status(Status::Snoozed),
            View::Done => o.status(Status::Done),
            View::Spam => o.status(Status::Spam),
            View::Hidden => o.status(Status::Hidden),
            View::Platform(p) => o
                .new_by_platform
                .iter()
                .find(|(x, _)| x == p)
                .map(|(_, n)| *n)
                .unwrap_or(0),
            View::Account(a, _) => o
                .by_account
                .iter()
                .find(|(x, _, _)| x == a)
                .map(|(_, _, n)| *n)
                .unwrap_or(0),
            // Counted by the engine per view: see `count_text`.
            View::Saved { .. } => 0,
        }
    }

    /// Label for fixed views and platforms (trusted text). Account and saved views' names are
    /// outside text: the sidebar sanitizes them; this returns them raw.
    pub fn label(&self) -> String {
        match self {
            View::All => t("tui.view.all"),
            View::Inbox => t("tui.view.inbox"),
            View::Mine(_) => t("tui.view.mine"),
            View::Unassigned => t("tui.view.unassigned"),
            View::Due => t("tui.view.due"),
            View::Others(_) => t("tui.view.others"),
            View::New => t("tui.view.new"),
            View::Reviews => t("tui.view.reviews"),
            View::ToAnswer => t("tui.view.to_answer"),
            View::Snoozed => t("tui.view.snoozed"),
            View::Done => t("tui.view.done"),
            View::Spam => t("tui.view.spam"),
            View::Hidden => t("tui.view.hidden"),
            View::Platform(p) => platform_name(*p),
            View::Account(a, _) | View::Saved { name: a, .. } => a.clone(),
        }
    }
}

pub fn platform_name(p: Platform) -> String {
    if p.import_only() {
        t(&format!("import.platform.{}", p.as_str()))
    } else {
        t(&format!("tui.platform.{}", p.as_str()))
    }
}

/// The platform an item came from, by name: the imported name for one kith has no entry for.
pub fn item_platform_name(item: &crate::domain::Item) -> String {
    match (&item.platform, &item.source) {
        (Platform::Other, Some(s)) => crate::text::sanitize_identity(s, 40).text,
        (p, _) => platform_name(*p),
    }
}

pub fn status_name(s: Status) -> String {
    t(&format!("tui.status.{}", s.as_str()))
}

pub fn kind_name(k: Kind) -> String {
    t(&format!("tui.kind.{}", k.as_str()))
}
