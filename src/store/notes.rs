//! Handoff notes: what one operator tells the next about an item. Internal, never sent to a
//! platform, and not a change of the item (its version stays, so nobody's reply conflicts).

use super::batch::Batch;
use super::keys::{self, counters};
use super::{decode, encode, Result, Store};
use crate::domain::{ItemId, Timestamp};

use crate::domain::note::Note;

impl Store {
    /// Stores a note with its audit entry in one batch. None when the item does not exist.
    pub fn add_note(
        &self,
        item: ItemId,
        text: &str,
        operator: &str,
        now: Timestamp,
    ) -> Result<Option<Note>> {
        let mut state = self.lock_writer();
        if self.get(item)?.is_none() {
            return Ok(None);
        }
        let seq = self.counter_cached(&mut state, counters::NOTES_SEQ)? as u64 + 1;
        let note = Note {
            seq,
            item,
            at: now,
            operator: operator.to_string(),
            text: text.to_string(),
        };
        let mut p = Batch::new(self);
        p.batch.insert(keys::note(item, seq), encode(&note)?);
        p.bump(counters::NOTES_SEQ.into(), 1);
        p.audit("note", Some(item), None, Some(text.to_string()));
        p.commit(&mut state, operator, now)?;
        Ok(Some(note))
    }

    /// An item's notes, oldest first.
    pub fn notes(&self, item: ItemId) -> Result<Vec<Note>> {
        let mut out = Vec::new();
        for kv in self.db().scan_prefix(keys::note_prefix(item)) {
            out.push(decode(&kv?.1)?);
        }
        Ok(out)
    }

    /// Notes written since `t`, across all items.
    pub fn notes_since(&self, t: Timestamp) -> Result<u64> {
        let mut n = 0;
        for kv in self.db().scan_prefix([keys::NOTE]) {
            let note: Note = decode(&kv?.1)?;
            if note.at >= t {
                n += 1;
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{NewItem, Platform};

    #[test]
    fn notes_are_kept_audited_and_leave_the_version_alone() {
        let d = tempfile::tempdir().expect("tmp");
        let s = Store::open(d.path()).expect("open");
        s.ingest(
            &[NewItem::comment(
                Platform::Vk,
                "a",
                "1",
                "u",
                "t",
                Timestamp(5),
            )],
            false,
            "op",
            Timestamp(6),
        )
        .expect("ingest");
        let id = s
            .list(&crate::domain::query::ListQuery {
                limit: 1,
                ..Default::default()
            })
            .expect("list")
            .items[0]
            .id;
        let n1 = s
            .add_note(id, "перезвонить в понедельник", "ann", Timestamp(10))
            .expect("add")
            .expect("item exists");
        s.add_note(id, "客户很急 🙏", "bob", Timestamp(20))
            .expect("add");
        let notes = s.notes(id).expect("notes");
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0], n1);
        assert_eq!(notes[1].operator, "bob");
        assert_eq!(s.get(id).expect("get").expect("item").version, 1);
        let last = s.last_change(id, 10).expect("audit").expect("entry");
        assert_eq!(
            (
                last.action.as_str(),
                last.operator.as_str(),
                last.after.as_deref()
            ),
            ("note", "bob", Some("客户很急 🙏"))
        );
        assert_eq!(s.notes_since(Timestamp(15)).expect("since"), 1);
        assert!(s
            .add_note(ItemId(42), "x", "ann", Timestamp(30))
            .expect("add")
            .is_none());
        assert_eq!(s.verify_audit().expect("v").problem, None);
    }
}
