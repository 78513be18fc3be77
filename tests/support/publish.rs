//! What the outbox hands a connector to publish, and times written as people read them.

use kith::connectors::Outgoing;
use kith::domain::Timestamp;

/// A post of `text` under the idempotency key `key`: not a thread part, not scheduled.
pub fn post(text: &str, key: &str) -> Outgoing {
    Outgoing {
        text: text.into(),
        idempotency_key: key.into(),
        reply_to: None,
        native_at: None,
        media: Vec::new(),
    }
}

/// An RFC 3339 time.
pub fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).expect("timestamp")
}
