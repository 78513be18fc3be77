//! The ban popup: why (VK's reasons) and for how long, or, where the platform's ban has no
//! terms (YouTube: the comment is rejected and its author banned from the channel), a yes.

use crate::config::keymap::Action;
use crate::domain::remote::{BanReason, BanTerms};
use crate::domain::{ItemId, Platform};

/// The durations offered, in days (0 is for ever).
pub const DAYS: [u16; 6] = [1, 7, 30, 90, 365, 0];

#[derive(Debug, Clone)]
pub struct BanForm {
    pub id: ItemId,
    pub version: u64,
    pub platform: Platform,
    /// The author as shown (sanitized when drawn).
    pub author: String,
    /// 0: the reason row, 1: the duration row.
    pub row: usize,
    pub reason: usize,
    pub days: usize,
}

pub enum Outcome {
    Stay,
    Cancel,
    Ban(BanTerms),
}

impl BanForm {
    pub fn new(id: ItemId, version: u64, platform: Platform, author: String) -> BanForm {
        BanForm {
            id,
            version,
            platform,
            author,
            row: 0,
            reason: 0,
            // A month: VK's own default offer.
            days: 2,
        }
    }

    /// Whether the platform takes a reason and a duration (VK) or bans outright (YouTube).
    pub fn has_terms(&self) -> bool {
        self.platform == Platform::Vk
    }

    pub fn terms(&self) -> BanTerms {
        if !self.has_terms() {
            return BanTerms::default();
        }
        BanTerms {
            days: DAYS[self.days],
            reason: BanReason::ALL[self.reason],
        }
    }

    /// An action of the keymap's `ban` context.
    pub fn act(&mut self, a: Action) -> Outcome {
        let step = |i: &mut usize, n: usize, fwd: bool| {
            *i = if fwd { (*i + 1) % n } else { (*i + n - 1) % n };
        };
        match a {
            Action::Cancel => return Outcome::Cancel,
            Action::Submit => return Outcome::Ban(self.terms()),
            Action::Down | Action::Up if self.has_terms() => self.row = 1 - self.row,
            Action::Left | Action::Right if self.has_terms() => {
                let fwd = a == Action::Right;
                if self.row == 0 {
                    step(&mut self.reason, BanReason::ALL.len(), fwd);
                } else {
                    step(&mut self.days, DAYS.len(), fwd);
                }
            }
            _ => {}
        }
        Outcome::Stay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vk_takes_a_reason_and_a_duration_youtube_just_a_yes() {
        let mut f = BanForm::new(ItemId(1), 3, Platform::Vk, "Ирина".into());
        f.act(Action::Right); // abuse
        f.act(Action::Down);
        f.act(Action::Right); // 90 days
        f.act(Action::Right); // 365
        f.act(Action::Right); // forever
        match f.act(Action::Submit) {
            Outcome::Ban(t) => assert_eq!(
                t,
                BanTerms {
                    days: 0,
                    reason: BanReason::Abuse
                }
            ),
            _ => panic!("no ban"),
        }
        let mut y = BanForm::new(ItemId(1), 3, Platform::Youtube, "x".into());
        y.act(Action::Right);
        assert!(matches!(y.act(Action::Submit), Outcome::Ban(t) if t == BanTerms::default()));
        assert!(matches!(y.act(Action::Cancel), Outcome::Cancel));
    }
}
