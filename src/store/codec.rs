//! Stored values: one format-version byte, then postcard. Older versions are migrated on read.

use super::{Result, StoreError};
use serde::{de::DeserializeOwned, Serialize};

pub const FORMAT_VERSION: u8 = 1;

pub fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    let mut out = vec![FORMAT_VERSION];
    let body = postcard::to_stdvec(v).map_err(|e| StoreError::Corrupt(format!("encode: {e}")))?;
    out.extend_from_slice(&body);
    Ok(out)
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    match bytes.split_first() {
        Some((&FORMAT_VERSION, body)) => {
            postcard::from_bytes(body).map_err(|e| StoreError::Corrupt(format!("decode: {e}")))
        }
        Some((v, _)) => Err(StoreError::Corrupt(format!("unknown value format {v}"))),
        None => Err(StoreError::Corrupt("empty value".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Author, Item, ItemId, Kind, Outgoing, Platform, Status, Timestamp};
    use serde::Deserialize;

    /// `Item` as stored before it had `source`: the same fields in the same order.
    #[derive(Serialize, Deserialize)]
    struct ItemBeforeSource {
        id: ItemId,
        platform: Platform,
        account: String,
        kind: Kind,
        native_id: String,
        parent_native_id: Option<String>,
        root_native_id: Option<String>,
        post_native_id: Option<String>,
        author: Author,
        text: String,
        title: Option<String>,
        lang: Option<String>,
        rating: Option<u8>,
        created_at: Timestamp,
        received_at: Timestamp,
        url: Option<String>,
        status: Status,
        snoozed_until: Option<Timestamp>,
        assignee: Option<String>,
        tags: Vec<String>,
        priority: u8,
        version: u64,
        outgoing: Option<Outgoing>,
        operator: Option<String>,
    }

    fn old(operator: Option<&str>) -> ItemBeforeSource {
        ItemBeforeSource {
            id: ItemId(7 << 20),
            platform: Platform::Vk,
            account: "club".into(),
            kind: Kind::Reply,
            native_id: "n1".into(),
            parent_native_id: Some("p".into()),
            root_native_id: None,
            post_native_id: None,
            author: Author {
                id: "a".into(),
                handle: Some("h".into()),
                name: None,
                followers: Some(3),
            },
            text: "Привет 你好".into(),
            title: None,
            lang: Some("ru".into()),
            rating: Some(4),
            created_at: Timestamp(7),
            received_at: Timestamp(9),
            url: None,
            status: Status::Snoozed,
            snoozed_until: Some(Timestamp(99)),
            assignee: Some("ann".into()),
            tags: vec!["vip".into()],
            priority: 2,
            version: 5,
            outgoing: Some(Outgoing::Sent { url: None }),
            operator: operator.map(str::to_string),
        }
    }

    #[test]
    fn items_stored_before_source_existed_still_decode() {
        for operator in [None, Some("bob")] {
            let bytes = encode(&old(operator)).expect("encode");
            let item: Item = decode(&bytes).expect("an old item decodes");
            assert_eq!(item.source, None);
            assert_eq!(item.operator.as_deref(), operator);
            assert_eq!(
                (item.text.as_str(), item.version, item.snoozed_until),
                ("Привет 你好", 5, Some(Timestamp(99)))
            );
            // Written again, it keeps every field and gains the new one.
            let again: Item = decode(&encode(&item).expect("encode")).expect("decode");
            assert_eq!(again, item);
        }
    }

    #[test]
    fn an_imported_platform_name_round_trips() {
        let mut item: Item = decode(&encode(&old(None)).expect("encode")).expect("decode");
        item.platform = Platform::Other;
        item.source = Some("myspace".into());
        let back: Item = decode(&encode(&item).expect("encode")).expect("decode");
        assert_eq!(back, item);
        let json = serde_json::to_string(&item).expect("json");
        assert_eq!(
            serde_json::from_str::<Item>(&json).expect("json back"),
            item
        );
        let mut v: serde_json::Value = serde_json::from_str(&json).expect("value");
        v.as_object_mut().expect("object").remove("source");
        let without: Item = serde_json::from_value(v).expect("absent source");
        assert_eq!(without.source, None);
    }

    /// `Post` as stored before approvals: the same fields, without `review`.
    #[derive(Serialize)]
    struct PostBeforeReview {
        id: crate::domain::post::PostId,
        text: String,
        targets: Vec<crate::domain::post::Target>,
        due_at: Option<Timestamp>,
        created_at: Timestamp,
        created_by: String,
        version: u64,
        log: Vec<crate::domain::post::Attempt>,
        media: Vec<crate::domain::media::Attachment>,
        uploads: Vec<crate::domain::post::Upload>,
    }

    #[test]
    fn posts_and_replies_stored_before_approvals_still_decode() {
        use crate::domain::post::{Post, PostId, Target, TargetState};
        let old = PostBeforeReview {
            id: PostId(3),
            text: "Весна 🌸".into(),
            targets: vec![Target::new("shop", Platform::Mastodon)],
            due_at: Some(Timestamp(5)),
            created_at: Timestamp(1),
            created_by: "anna".into(),
            version: 2,
            log: Vec::new(),
            media: Vec::new(),
            uploads: Vec::new(),
        };
        let post: Post = decode(&encode(&old).expect("encode")).expect("an old post decodes");
        assert_eq!((post.review, post.version), (None, 2));
        assert_eq!(post.targets[0].state, TargetState::Scheduled);
        // The new states came last: every stored state keeps its number.
        let index = |s: &TargetState| encode(s).expect("encode")[1];
        assert_eq!(index(&TargetState::Draft), 0);
        assert_eq!(index(&TargetState::Cancelled), 9);
        assert_eq!(index(&TargetState::AwaitingApproval), 10);
        let index = |o: &Outgoing| encode(o).expect("encode")[1];
        assert_eq!(index(&Outgoing::Failed { reason: "x".into() }), 2);
        assert_eq!(index(&Outgoing::AwaitingApproval), 3);
    }
}
