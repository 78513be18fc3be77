//! Approvals in the TUI: what the calendar's awaiting list shows and does, and how a send-back
//! reads to its author.

use crate::i18n::tf;
use crate::text::{sanitize_identity, sanitize_line};

/// "sent back by anna: <comment>", sanitized for one line.
pub fn sent_back_note(by: &str, comment: &str) -> String {
    tf(
        "approvals.sent_back_by",
        &[
            ("who", &sanitize_identity(by, 40).text),
            ("comment", &sanitize_line(comment, 400).text),
        ],
    )
}
