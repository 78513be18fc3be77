//! The composer's pictures line: a path typed (Tab completes it) or pasted (a file dropped on the
//! terminal), read and recognised on this machine before anything is sent, then its alt text;
//! each picture shown with its name, type, size in pixels and bytes, and what every chosen
//! network would say about it.

use super::{Composer, Field};
use crate::domain::media::{self, Attachment, NewMedia};
use crate::domain::Platform;
use crate::i18n::{t, tf};
use crate::text::sanitize_line;
use crate::tui::cx::Cx;
use crate::tui::input::LineInput;
use crate::tui::msg::Effect;
use std::path::{Path, PathBuf};

/// One attached picture: what was asked for and what the file is (`None` when it no longer
/// reads, e.g. a kept draft whose file moved; then `error` says why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    pub new: NewMedia,
    pub info: Option<Attachment>,
    pub error: Option<String>,
    /// Drawn where the terminal draws pictures.
    pub thumb: Option<crate::tui::thumb::Thumb>,
}

impl Attached {
    /// Reads the file now (the composer runs on the engine's machine), with a thumbnail when
    /// the terminal draws pictures.
    pub fn read(new: NewMedia, images: Option<&ratatui_image::picker::Picker>) -> Attached {
        match crate::media_file::read(&new) {
            Ok((info, bytes)) => Attached {
                new,
                info: Some(info),
                error: None,
                thumb: images.and_then(|p| crate::tui::thumb::make(p, &bytes)),
            },
            Err(e) => Attached {
                new,
                info: None,
                error: Some(e.to_string()),
                thumb: None,
            },
        }
    }
}

/// The pictures line's own state: the path (or alt text) being typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaLine {
    pub input: LineInput,
    /// The alt text of this picture is being typed (right after it was attached).
    pub alt_for: Option<usize>,
}

/// A path as typed or pasted: quotes and a file:// prefix from a file dropped on the terminal
/// gone, backslash-escaped spaces unescaped, `~` the home directory, relative to the current
/// directory.
pub fn resolve(typed: &str) -> PathBuf {
    let mut s = typed.trim().to_string();
    for q in ['\'', '"'] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            s = s[1..s.len() - 1].to_string();
        }
    }
    if let Some(rest) = s.strip_prefix("file://") {
        s = rest.to_string();
    }
    let s = s.replace("\\ ", " ");
    let path = match s.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default()
            .join(rest),
        None => PathBuf::from(s),
    };
    std::path::absolute(&path).unwrap_or(path)
}

/// Tab on a typed path: the longest completion every matching entry shares (a directory gets
/// its `/`). `None` when nothing matches or there is nothing to add.
pub fn complete(typed: &str) -> Option<String> {
    let (dir_part, prefix) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let dir = if dir_part.is_empty() {
        PathBuf::from(".")
    } else {
        resolve(dir_part)
    };
    let mut names: Vec<(String, bool)> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
            (name.starts_with(prefix) && (!name.starts_with('.') || prefix.starts_with('.')))
                .then_some((name, is_dir))
        })
        .collect();
    names.sort();
    let first = names.first()?;
    let mut common = first.0.clone();
    for (n, _) in &names[1..] {
        while !n.starts_with(&common) {
            common.pop();
        }
    }
    let mut out = format!("{dir_part}{common}");
    if names.len() == 1 && first.1 {
        out.push('/');
    }
    (out != typed).then_some(out)
}

/// Enter on the pictures line: keeps the typed alt text, or asks for the typed file to be read
/// (off the loop; `read_back` attaches it). Nothing on an empty line.
pub fn enter(c: &mut Composer) -> Vec<Effect> {
    let typed = c.media_line.input.text.clone();
    if let Some(i) = c.media_line.alt_for.take() {
        if let Some(a) = c.media.get_mut(i) {
            a.new.alt = typed.trim().to_string();
            if let Some(info) = a.info.as_mut() {
                info.alt = a.new.alt.clone();
            }
        }
        c.media_line.input.clear();
        return Vec::new();
    }
    if typed.trim().is_empty() {
        return Vec::new();
    }
    vec![Effect::ReadPictures {
        media: vec![NewMedia {
            path: resolve(&typed).display().to_string(),
            alt: String::new(),
        }],
        adding: true,
    }]
}

/// The pictures that need reading again when the composer opens: thumbnails where the terminal
/// draws pictures (decoded off the loop).
pub fn to_read(c: &Composer, cx: &Cx) -> Vec<Effect> {
    let media: Vec<NewMedia> = c
        .media
        .iter()
        .filter(|a| a.info.is_some() && a.thumb.is_none() && cx.images.is_some())
        .map(|a| a.new.clone())
        .collect();
    if media.is_empty() {
        return Vec::new();
    }
    vec![Effect::ReadPictures {
        media,
        adding: false,
    }]
}

/// Pictures read: the one just attached joins the list (then its alt text is asked for), or is
/// refused with why; a kept draft's get what they are and their thumbnails.
pub fn read_back(c: &mut Composer, cx: &mut Cx, adding: bool, read: Vec<Attached>) -> Vec<Effect> {
    if !adding {
        for r in read {
            if let Some(a) = c.media.iter_mut().find(|a| a.new.path == r.new.path) {
                let alt = a.new.alt.clone();
                *a = r;
                a.new.alt = alt.clone();
                if let Some(info) = a.info.as_mut() {
                    info.alt = alt;
                }
            }
        }
        return Vec::new();
    }
    let Some(a) = read.into_iter().next() else {
        return Vec::new();
    };
    if let Some(e) = &a.error {
        cx.error(e);
        return Vec::new();
    }
    // The path stays typed until it is attached; what was typed since stays.
    if resolve(&c.media_line.input.text).display().to_string() == a.new.path {
        c.media_line.input.clear();
    }
    c.media.push(a);
    c.media_line.alt_for = Some(c.media.len() - 1);
    super::saved(cx, c)
}

/// Backspace on an empty pictures line: the last picture goes (or the alt text prompt closes).
pub fn drop_last(c: &mut Composer, cx: &mut Cx) {
    if c.media_line.alt_for.take().is_some() {
        return;
    }
    if let Some(a) = c.media.pop() {
        let name = sanitize_line(&file_name(&a.new.path), 60).text;
        cx.info(tf("tui.compose.media_removed", &[("name", &name)]));
    }
}

fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// The pictures as they would be stored (only those that read).
pub fn attachments(c: &Composer) -> Vec<Attachment> {
    c.media.iter().filter_map(|a| a.info.clone()).collect()
}

/// What stops the pictures from going: one that no longer reads, or a network's limit.
pub fn problem(c: &Composer, chosen: &[(String, Platform)]) -> Option<String> {
    if let Some(e) = c.media.iter().find_map(|a| a.error.clone()) {
        return Some(e);
    }
    let list = attachments(c);
    chosen.iter().find_map(|(account, p)| {
        media::check(*p, &list)
            .err()
            .map(|e| e.phrase(account, *p, &list).to_string())
    })
}

/// One picture's line: `1 cat.png  PNG 1200×630  1.2 MB  alt: A ginger cat`.
pub fn describe(i: usize, a: &Attached) -> String {
    let name = sanitize_line(&file_name(&a.new.path), 60).text;
    match &a.info {
        Some(info) => {
            let alt = if info.alt.is_empty() {
                t("tui.compose.media_no_alt")
            } else {
                tf(
                    "tui.compose.media_alt",
                    &[("alt", &sanitize_line(&info.alt, 200).text)],
                )
            };
            format!(
                "{} {}  {} {}×{}  {}  {}",
                i + 1,
                name,
                info.kind.ext().to_uppercase(),
                info.width,
                info.height,
                media::size_text(info.bytes),
                alt
            )
        }
        None => format!(
            "{} {}  {}",
            i + 1,
            name,
            sanitize_line(a.error.as_deref().unwrap_or_default(), 200).text
        ),
    }
}

/// The label before the typed text: the path prompt, or whose alt text is being typed.
pub fn prompt(c: &Composer) -> String {
    match c.media_line.alt_for.and_then(|i| c.media.get(i)) {
        Some(a) => tf(
            "tui.compose.media_alt_for",
            &[("name", &sanitize_line(&file_name(&a.new.path), 40).text)],
        ),
        None => tf("tui.compose.media", &[("n", &c.media.len())]),
    }
}

/// Whether Tab on the pictures line completes the path instead of moving on.
pub fn tab(c: &mut Composer) -> bool {
    if c.focus != Field::Media || c.media_line.alt_for.is_some() {
        return false;
    }
    let typed = c.media_line.input.text.clone();
    if typed.is_empty() {
        return false;
    }
    match complete(&typed) {
        Some(done) => {
            c.media_line.input = LineInput::with(&done);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_and_typed_paths_resolve_and_complete() {
        let dir = tempfile::tempdir().expect("tmp");
        let d = dir.path().display().to_string();
        std::fs::write(dir.path().join("кот на лампе.png"), b"x").expect("write");
        std::fs::write(dir.path().join("кот2.png"), b"x").expect("write");
        std::fs::create_dir(dir.path().join("pics")).expect("dir");
        assert_eq!(
            resolve(&format!("'{d}/кот на лампе.png'")),
            dir.path().join("кот на лампе.png")
        );
        assert_eq!(
            resolve(&format!("file://{d}/кот\\ на\\ лампе.png")),
            dir.path().join("кот на лампе.png")
        );
        // The shared part of two names, then nothing more to add.
        assert_eq!(complete(&format!("{d}/ко")), Some(format!("{d}/кот")));
        assert_eq!(complete(&format!("{d}/кот")), None);
        assert_eq!(complete(&format!("{d}/pi")), Some(format!("{d}/pics/")));
        assert_eq!(complete(&format!("{d}/nothing")), None);
    }
}
