//! Meta's messaging rules for Facebook Pages and Instagram, in one place for the engine's
//! refusals, the connectors' send and the detail pane's clock: a person's message may be
//! answered for 24 hours (7 days with the Human Agent tag, when the account has Meta's
//! permission for it), and a comment may get one private reply in the commenter's inbox
//! within 7 days of it.

use super::{Item, Kind, Platform, Timestamp};

const HOUR_MS: i64 = 3_600_000;
/// The standard messaging window after a person's message.
pub const STANDARD_MS: i64 = 24 * HOUR_MS;
/// The window with the `HUMAN_AGENT` tag.
pub const HUMAN_AGENT_MS: i64 = 7 * 24 * HOUR_MS;
/// How long after a comment its private reply may be sent.
pub const PRIVATE_REPLY_MS: i64 = 7 * 24 * HOUR_MS;
/// On a comment that got its private reply (Meta allows one). A tag rather than a field: the
/// item is stored as postcard, where a new field needs a store migration, and a tag is also
/// searchable and shown with the item.
pub const PRIVATE_REPLIED_TAG: &str = "private-replied";
/// On our reply that went (or goes) as a private message, so a retry sends it the same way.
pub const PRIVATE_TAG: &str = "private-reply";

/// How a reply goes out where the platform has more than one way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Delivery {
    /// The platform's normal reply (a DM inside the 24-hour window: `RESPONSE`).
    #[default]
    Standard,
    /// A DM after 24 hours, tagged `HUMAN_AGENT` (up to 7 days).
    HumanAgent,
    /// One private message to a commenter (`recipient={"comment_id"}`).
    Private,
}

fn graph(p: Platform) -> bool {
    matches!(p, Platform::Facebook | Platform::Instagram)
}

impl Item {
    /// When a normal reply to this message stops being allowed: Messenger and Instagram let a
    /// business answer a person's message for 24 hours after it, 7 days when the account uses
    /// the Human Agent tag (`None`: no such rule here).
    pub fn reply_window(&self, human_agent: bool) -> Option<Timestamp> {
        let len = if human_agent {
            HUMAN_AGENT_MS
        } else {
            STANDARD_MS
        };
        (graph(self.platform) && self.kind == Kind::Dm && !self.is_ours())
            .then(|| Timestamp(self.created_at.0.saturating_add(len)))
    }

    /// Whether this item may get a private reply at all: a person's comment on Facebook or
    /// Instagram.
    pub fn private_reply_allowed(&self) -> bool {
        graph(self.platform) && matches!(self.kind, Kind::Comment | Kind::Reply) && !self.is_ours()
    }

    /// Until when a private reply to this comment may go (`None`: it may not).
    pub fn private_reply_until(&self) -> Option<Timestamp> {
        self.private_reply_allowed()
            .then(|| Timestamp(self.created_at.0.saturating_add(PRIVATE_REPLY_MS)))
    }

    /// Whether this comment already had its private reply.
    pub fn private_replied(&self) -> bool {
        self.tags.iter().any(|t| t == PRIVATE_REPLIED_TAG)
    }

    /// How a reply to this item sent at `now` goes: private when asked; a DM past the standard
    /// window with the Human Agent tag when the account has it; otherwise the normal way.
    pub fn delivery(&self, private: bool, human_agent: bool, now: Timestamp) -> Delivery {
        let late = self
            .reply_window(false)
            .is_some_and(|standard| now.0 >= standard.0);
        match (private, human_agent && late) {
            (true, _) => Delivery::Private,
            (false, true) => Delivery::HumanAgent,
            (false, false) => Delivery::Standard,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ItemId, NewItem};

    fn item(platform: Platform, kind: Kind) -> Item {
        let mut n = NewItem::comment(platform, "a", "n1", "u", "hi", Timestamp(0));
        n.kind = kind;
        Item::from_new(ItemId(1), &n, Timestamp(0))
    }

    #[test]
    fn the_window_is_a_day_or_a_week_with_the_human_agent_tag() {
        let dm = item(Platform::Instagram, Kind::Dm);
        assert_eq!(dm.reply_window(false), Some(Timestamp(STANDARD_MS)));
        assert_eq!(dm.reply_window(true), Some(Timestamp(HUMAN_AGENT_MS)));
        assert_eq!(item(Platform::Telegram, Kind::Dm).reply_window(false), None);
        assert_eq!(
            item(Platform::Facebook, Kind::Comment).reply_window(true),
            None
        );
        let at = |h: i64| Timestamp(h * HOUR_MS);
        assert_eq!(dm.delivery(false, true, at(23)), Delivery::Standard);
        assert_eq!(dm.delivery(false, true, at(25)), Delivery::HumanAgent);
        assert_eq!(dm.delivery(false, false, at(25)), Delivery::Standard);
        let c = item(Platform::Facebook, Kind::Comment);
        assert_eq!(c.delivery(true, false, at(1)), Delivery::Private);
        assert_eq!(c.private_reply_until(), Some(Timestamp(PRIVATE_REPLY_MS)));
        assert_eq!(dm.private_reply_until(), None);
        assert_eq!(
            item(Platform::Vk, Kind::Comment).private_reply_until(),
            None
        );
    }
}
