//! The composer's draft on disk (`DATA_DIR/drafts/composer.json`): what is kept, and writing
//! it so a crash leaves the old draft or the new one, never half of one.

use super::{Composer, LineInput};
use crate::tui::cx::Cx;
use crate::tui::msg::Effect;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What is kept on disk: everything a person chose, nothing derived.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub targets: Vec<String>,
    pub text: String,
    pub when: String,
    pub split: bool,
    pub native: bool,
    #[serde(default)]
    pub variants: std::collections::BTreeMap<String, String>,
    /// Pictures (paths on this machine, with their alt texts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<crate::domain::media::NewMedia>,
}

impl Composer {
    pub fn draft(&self) -> Draft {
        Draft {
            targets: self.targets.clone(),
            text: self.main_text(),
            when: self.when.text.clone(),
            split: self.split,
            native: self.native,
            variants: self.all_variants(),
            media: self.media.iter().map(|a| a.new.clone()).collect(),
        }
    }

    pub fn from_draft(d: Draft) -> Composer {
        let mut c = Composer {
            targets: d.targets,
            split: d.split,
            native: d.native,
            when: LineInput::with(&d.when),
            variants: d.variants,
            media: d
                .media
                .into_iter()
                // Read once at start-up, before the loop; thumbnails come when the composer
                // opens (`media::to_read`).
                .map(|m| super::media::Attached::read(m, None))
                .collect(),
            ..Composer::default()
        };
        c.editor.insert(&d.text);
        c
    }
}

/// The draft file inside the drafts directory.
pub fn draft_path(dir: &Path) -> PathBuf {
    dir.join("composer.json")
}

/// The saved draft, if there is one that reads.
pub fn load_draft(dir: &Path) -> Option<Composer> {
    let bytes = std::fs::read(draft_path(dir)).ok()?;
    match serde_json::from_slice::<Draft>(&bytes) {
        Ok(d) => Some(Composer::from_draft(d)),
        Err(e) => {
            tracing::warn!("ignoring unreadable composer draft: {e}");
            None
        }
    }
}

/// Writes (or, with `None`, removes) the draft: a temp file renamed over the old one, so a
/// crash leaves either the old draft or the new one, never half of one.
pub fn write_draft(path: &Path, json: Option<&str>) -> std::io::Result<()> {
    match json {
        Some(j) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = path.with_extension("json.tmp");
            std::fs::write(&tmp, j)?;
            std::fs::rename(&tmp, path)
        }
        None => match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
    }
}

/// The draft as it is written to disk after a change (not for a post being edited).
pub fn saved(cx: &Cx, c: &Composer) -> Vec<Effect> {
    let Some(dir) = &cx.cfg.drafts_dir else {
        return Vec::new();
    };
    if c.editing.is_some() {
        return Vec::new();
    }
    let d = c.draft();
    let json = if d == Draft::default() {
        None
    } else {
        serde_json::to_string(&d).ok()
    };
    vec![Effect::SaveDraft {
        path: draft_path(dir),
        json,
    }]
}

/// Removes the draft file (after the post was stored).
pub fn forget(cx: &Cx) -> Vec<Effect> {
    match &cx.cfg.drafts_dir {
        Some(dir) => vec![Effect::SaveDraft {
            path: draft_path(dir),
            json: None,
        }],
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_round_trip() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut c = Composer {
            targets: vec!["a".into()],
            when: LineInput::with("+90m"),
            split: true,
            ..Composer::default()
        };
        c.editor.insert("привет\n你好");
        let path = draft_path(dir.path());
        let json = serde_json::to_string(&c.draft()).expect("json");
        write_draft(&path, Some(&json)).expect("write");
        let back = load_draft(dir.path()).expect("draft");
        assert_eq!(back.draft(), c.draft());
        write_draft(&path, None).expect("remove");
        assert!(load_draft(dir.path()).is_none());
        write_draft(&path, None).expect("remove twice");
    }
}
