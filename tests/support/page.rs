//! What a connector's `fetch` returned, read the way tests compare it.

use kith::connectors::FetchPage;
use serde_json::Value;

/// The native ids of the page's items, in order.
pub fn native_ids(p: &FetchPage) -> Vec<String> {
    p.items.iter().map(|i| i.native_id.clone()).collect()
}

/// The page's cursor as JSON.
pub fn cursor_json(p: &FetchPage) -> Value {
    serde_json::from_str(p.cursor.as_deref().expect("cursor")).expect("cursor is JSON")
}
