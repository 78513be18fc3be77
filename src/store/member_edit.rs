//! What operators change on members: links and unlinks (a person is a group under its lowest
//! member id), tags, notes and rewards; each one audited batch, re-scored at once.

use super::batch::Batch;
use super::members::{tag_norm, MemberNote, Reward, Touched};
use super::{Result, Store};
use crate::domain::member::MemberId;
use crate::domain::Timestamp;
use serde::{Deserialize, Serialize};

/// Errors of member operations that the caller can act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MemberOutcome {
    Done,
    NotFound,
    AlreadyLinked,
    NotLinked,
    /// Someone in this person was rewarded before: the latest reward.
    AlreadyRewarded(Reward),
}

/// A change to members made by an operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberChange {
    Link(MemberId, MemberId),
    Unlink(MemberId),
    Tag {
        id: MemberId,
        tag: String,
        on: bool,
    },
    Note {
        id: MemberId,
        text: String,
    },
    Reward {
        id: MemberId,
        what: String,
        force: bool,
    },
}

impl Store {
    /// Links, unlinks, tags, notes and rewards, each one audited batch.
    pub fn member_change(
        &self,
        change: &MemberChange,
        operator: &str,
        now: Timestamp,
    ) -> Result<MemberOutcome> {
        let mut state = self.lock_writer();
        let mut p = Batch::new(self);
        let mut t = Touched::default();
        let (action, detail) = match change {
            MemberChange::Link(a, b) => {
                let (Some(ra), Some(rb)) =
                    (self.person_of(&mut t, *a)?, self.person_of(&mut t, *b)?)
                else {
                    return Ok(MemberOutcome::NotFound);
                };
                if ra == rb {
                    return Ok(MemberOutcome::AlreadyLinked);
                }
                let mut group: Vec<MemberId> = self.group_of(&mut t, ra)?;
                group.extend(self.group_of(&mut t, rb)?);
                group.sort();
                group.dedup();
                self.regroup(&mut t, &group, &[ra, rb])?;
                ("member-link", format!("{a} + {b}"))
            }
            MemberChange::Unlink(id) => {
                let Some(root) = self.person_of(&mut t, *id)? else {
                    return Ok(MemberOutcome::NotFound);
                };
                let group = self.group_of(&mut t, root)?;
                if group.len() < 2 {
                    return Ok(MemberOutcome::NotLinked);
                }
                let rest: Vec<MemberId> = group.iter().copied().filter(|g| g != id).collect();
                self.regroup(&mut t, &[*id], &[root])?;
                self.regroup(&mut t, &rest, &[root])?;
                ("member-unlink", format!("{id}"))
            }
            MemberChange::Tag { id, tag, on } => {
                let tag = tag.trim().to_string();
                let Some(m) = self.touch(&mut t, *id)? else {
                    return Ok(MemberOutcome::NotFound);
                };
                let had = m.tags.iter().any(|x| tag_norm(x) == tag_norm(&tag));
                if had == *on || tag.is_empty() {
                    return Ok(MemberOutcome::Done);
                }
                if *on {
                    m.tags.push(tag.clone());
                } else {
                    m.tags.retain(|x| tag_norm(x) != tag_norm(&tag));
                }
                t.dirty.insert(*id);
                (
                    if *on { "member-tag" } else { "member-untag" },
                    format!("{id} {tag}"),
                )
            }
            MemberChange::Note { id, text } => {
                let Some(m) = self.touch(&mut t, *id)? else {
                    return Ok(MemberOutcome::NotFound);
                };
                m.notes.push(MemberNote {
                    at: now,
                    operator: operator.to_string(),
                    text: text.clone(),
                });
                t.dirty.insert(*id);
                ("member-note", format!("{id} {text}"))
            }
            MemberChange::Reward { id, what, force } => {
                let Some(root) = self.person_of(&mut t, *id)? else {
                    return Ok(MemberOutcome::NotFound);
                };
                let group = self.group_of(&mut t, root)?;
                let last = group
                    .iter()
                    .filter_map(|g| t.records.get(g))
                    .flat_map(|m| m.rewards.iter())
                    .max_by_key(|r| r.at)
                    .cloned();
                if let (Some(last), false) = (last, *force) {
                    return Ok(MemberOutcome::AlreadyRewarded(last));
                }
                let m = t.records.get_mut(id).expect("loaded by person_of");
                m.rewards.push(Reward {
                    at: now,
                    operator: operator.to_string(),
                    what: what.clone(),
                });
                t.dirty.insert(*id);
                ("member-reward", format!("{id} {what}"))
            }
        };
        p.members = t;
        p.audit(action, None, None, Some(detail));
        p.commit(&mut state, operator, now)?;
        Ok(MemberOutcome::Done)
    }

    fn person_of(&self, t: &mut Touched, id: MemberId) -> Result<Option<MemberId>> {
        Ok(self.touch(t, id)?.map(|m| m.person))
    }

    fn group_of(&self, t: &mut Touched, root: MemberId) -> Result<Vec<MemberId>> {
        let Some(r) = self.touch(t, root)? else {
            return Ok(vec![]);
        };
        let g = if r.group.is_empty() {
            vec![root]
        } else {
            r.group.clone()
        };
        for id in &g {
            self.touch(t, *id)?;
        }
        Ok(g)
    }

    /// Makes `group` one person under its lowest id; `old_roots` lose their entries unless one
    /// of them is the new root.
    fn regroup(&self, t: &mut Touched, group: &[MemberId], old_roots: &[MemberId]) -> Result<()> {
        let Some(&root) = group.iter().min() else {
            return Ok(());
        };
        for id in group {
            self.touch(t, *id)?;
            if let Some(m) = t.records.get_mut(id) {
                m.person = root;
                m.group = if *id == root && group.len() > 1 {
                    group.to_vec()
                } else {
                    Vec::new()
                };
                t.dirty.insert(*id);
            }
        }
        for r in old_roots {
            if *r != root {
                t.demoted.insert(*r);
            }
        }
        t.persons.insert(root);
        Ok(())
    }
}
