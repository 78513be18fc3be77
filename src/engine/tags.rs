//! Renaming or merging a tag across the store: checked names, the store's batches run to the
//! end (each one durable and audited per item), progress and changed items told to every
//! front end as they go.

use super::api::{Event, Response};
use super::{Engine, EngineError};
use crate::domain::{tag, Timestamp};
use crate::i18n::ph;

/// Passes over the tag's list: items tagged with the old name while a pass runs are picked
/// up by the next one; a tag someone keeps adding cannot hold the rename forever.
const PASSES: usize = 3;

impl Engine {
    pub(super) fn rename_tag(
        &self,
        op: &str,
        old: &str,
        new: &str,
    ) -> Result<Response, EngineError> {
        for name in [old, new] {
            if !tag::valid(name) {
                let shown = crate::text::sanitize_line(name, 60).text;
                return Err(EngineError::Invalid(ph(
                    "tags.err.name",
                    &[("tag", &shown), ("max", &tag::MAX_CHARS)],
                )));
            }
        }
        let (old, new) = (old.trim(), new.trim());
        if old == new {
            return Ok(Response::TagRenamed {
                items: 0,
                merged: 0,
            });
        }
        let total = self.store.tag_count(old)?;
        let (mut items, mut merged) = (0u64, 0u64);
        for _ in 0..PASSES {
            let mut below = None;
            loop {
                let step = self.store.rename_tag_step(
                    old,
                    new,
                    below,
                    crate::store::RENAME_BATCH,
                    op,
                    Timestamp::now(),
                )?;
                items += step.changed.len() as u64;
                merged += step.merged;
                if !step.changed.is_empty() {
                    self.emit(Event::ItemsChanged(step.changed));
                    self.emit(Event::Progress {
                        what: "tags".into(),
                        done: items,
                        total: total.max(items),
                    });
                }
                match step.next {
                    Some(n) => below = Some(n),
                    None => break,
                }
            }
            if tag::same(old, new) || self.store.tag_count(old)? == 0 {
                break;
            }
        }
        Ok(Response::TagRenamed { items, merged })
    }
}
