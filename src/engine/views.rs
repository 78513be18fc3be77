//! The inbox's fixed views (Inbox, Mine, Done…) as filters: one definition shared by the TUI's
//! sidebar and `kith inbox --view`, so the two never disagree on what "Inbox" shows.

use super::api::{Assignee, Filter};
use crate::domain::{Kind, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixedView {
    All,
    /// Waiting items: new and open (not snoozed, done, spam or hidden).
    Inbox,
    /// Waiting items assigned to this operator.
    Mine,
    /// Waiting items nobody has taken.
    Unassigned,
    /// Waiting items other operators have taken.
    Others,
    /// Waiting items by when their answer is due, most overdue first.
    Due,
    New,
    Reviews,
    /// Reviews waiting for an answer, worst rating first, oldest first within a rating.
    ToAnswer,
    Snoozed,
    Done,
    Spam,
    Hidden,
}

/// The statuses of items still waiting for an answer.
const WAITING: [Status; 2] = [Status::New, Status::Open];

impl FixedView {
    /// In the sidebar's order.
    pub const ALL: [FixedView; 13] = [
        FixedView::All,
        FixedView::Inbox,
        FixedView::Mine,
        FixedView::Unassigned,
        FixedView::Others,
        FixedView::Due,
        FixedView::New,
        FixedView::Reviews,
        FixedView::ToAnswer,
        FixedView::Snoozed,
        FixedView::Done,
        FixedView::Spam,
        FixedView::Hidden,
    ];

    /// The name scripts use (`kith inbox --view done`).
    pub fn name(self) -> &'static str {
        match self {
            FixedView::All => "all",
            FixedView::Inbox => "inbox",
            FixedView::Mine => "mine",
            FixedView::Unassigned => "unassigned",
            FixedView::Others => "others",
            FixedView::Due => "due",
            FixedView::New => "new",
            FixedView::Reviews => "reviews",
            FixedView::ToAnswer => "to-answer",
            FixedView::Snoozed => "snoozed",
            FixedView::Done => "done",
            FixedView::Spam => "spam",
            FixedView::Hidden => "hidden",
        }
    }

    pub fn parse(s: &str) -> Option<FixedView> {
        let s = s.trim().to_ascii_lowercase();
        FixedView::ALL.into_iter().find(|v| v.name() == s)
    }

    /// What the view lists; `operator` is whose items "mine" and "others" are about.
    pub fn filter(self, operator: &str) -> Filter {
        let statuses = |s: &[Status]| Filter {
            statuses: s.to_vec(),
            ..Filter::default()
        };
        match self {
            FixedView::All => Filter::default(),
            FixedView::Inbox | FixedView::Due => statuses(&WAITING),
            FixedView::Mine => Filter {
                assignee: Some(Assignee::Is(operator.to_string())),
                ..statuses(&WAITING)
            },
            FixedView::Unassigned => Filter {
                assignee: Some(Assignee::Nobody),
                ..statuses(&WAITING)
            },
            FixedView::Others => Filter {
                assignee: Some(Assignee::Others(operator.to_string())),
                ..statuses(&WAITING)
            },
            FixedView::New => statuses(&[Status::New]),
            FixedView::Reviews => Filter {
                kind: Some(Kind::Review),
                ..Filter::default()
            },
            FixedView::ToAnswer => Filter {
                kind: Some(Kind::Review),
                ..statuses(&WAITING)
            },
            FixedView::Snoozed => statuses(&[Status::Snoozed]),
            FixedView::Done => statuses(&[Status::Done]),
            FixedView::Spam => statuses(&[Status::Spam]),
            FixedView::Hidden => statuses(&[Status::Hidden]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_inbox_is_what_waits() {
        for v in FixedView::ALL {
            assert_eq!(FixedView::parse(v.name()), Some(v));
        }
        assert_eq!(FixedView::parse(" Done "), Some(FixedView::Done));
        assert_eq!(FixedView::parse("later"), None);
        assert_eq!(
            FixedView::Inbox.filter("anna").statuses,
            vec![Status::New, Status::Open]
        );
        assert_eq!(
            FixedView::Mine.filter("anna").assignee,
            Some(Assignee::Is("anna".into()))
        );
    }
}
