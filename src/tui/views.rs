//! The sidebar's views: fixed status/kind views, then one per platform and per account.

use crate::domain::{Kind, Platform, Status};
use crate::engine::api::{Assignee, Filter, Overview};
use crate::i18n::t;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    All,
    Inbox,
    New,
    Reviews,
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
}

impl View {
    /// The views the sidebar shows for these counts, in order.
    pub fn list(o: &Overview, operator: &str) -> Vec<View> {
        let mut v = vec![
            View::All,
            View::Inbox,
            View::Mine(operator.to_string()),
            View::Unassigned,
            View::Others(operator.to_string()),
            View::Due,
            View::New,
            View::Reviews,
            View::Snoozed,
            View::Done,
            View::Spam,
            View::Hidden,
        ];
        v.extend(o.by_platform.iter().map(|(p, _)| View::Platform(*p)));
        v.extend(
            o.by_account
                .iter()
                .map(|(a, p, _)| View::Account(a.clone(), *p)),
        );
        v
    }

    pub fn filter(&self) -> Filter {
        let statuses = |s: &[Status]| Filter {
            statuses: s.to_vec(),
            ..Filter::default()
        };
        match self {
            View::All => Filter::default(),
            View::Inbox => statuses(&[Status::New, Status::Open]),
            View::Mine(op) => Filter {
                assignee: Some(Assignee::Is(op.clone())),
                ..statuses(&[Status::New, Status::Open])
            },
            View::Due => statuses(&[Status::New, Status::Open]),
            View::Unassigned => Filter {
                assignee: Some(Assignee::Nobody),
                ..statuses(&[Status::New, Status::Open])
            },
            View::Others(op) => Filter {
                assignee: Some(Assignee::Others(op.clone())),
                ..statuses(&[Status::New, Status::Open])
            },
            View::New => statuses(&[Status::New]),
            View::Reviews => Filter {
                kind: Some(Kind::Review),
                ..Filter::default()
            },
            View::Snoozed => statuses(&[Status::Snoozed]),
            View::Done => statuses(&[Status::Done]),
            View::Spam => statuses(&[Status::Spam]),
            View::Hidden => statuses(&[Status::Hidden]),
            View::Platform(p) => Filter {
                platform: Some(*p),
                ..Filter::default()
            },
            View::Account(a, _) => Filter {
                account: Some(a.clone()),
                ..Filter::default()
            },
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
        }
    }

    /// Label for fixed views and platforms (trusted text). Account names are outside text: the
    /// sidebar sanitizes them; this returns them raw.
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
            View::Snoozed => t("tui.view.snoozed"),
            View::Done => t("tui.view.done"),
            View::Spam => t("tui.view.spam"),
            View::Hidden => t("tui.view.hidden"),
            View::Platform(p) => platform_name(*p),
            View::Account(a, _) => a.clone(),
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
