//! The reply editor's text: lines, a cursor, and the edits a person makes.

use crate::config::keymap::Action;
use crate::tui::keys::TextEdit;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    pub lines: Vec<String>,
    /// Line index and byte offset within it (always on a grapheme boundary).
    pub row: usize,
    pub col: usize,
}

impl Default for Editor {
    fn default() -> Self {
        Editor {
            lines: vec![String::new()],
            row: 0,
            col: 0,
        }
    }
}

impl Editor {
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(|l| l.trim().is_empty())
    }

    fn line(&self) -> &str {
        self.lines.get(self.row).map(String::as_str).unwrap_or("")
    }

    /// Inserts text at the cursor; line breaks split lines, other controls are dropped and
    /// tabs become spaces, so what is sent is what is seen.
    pub fn insert(&mut self, s: &str) {
        let s = s
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .replace('\t', "    ");
        for (i, part) in s.split('\n').enumerate() {
            if i > 0 {
                self.newline();
            }
            let clean: String = part.chars().filter(|c| !c.is_control()).collect();
            if let Some(line) = self.lines.get_mut(self.row) {
                line.insert_str(self.col, &clean);
                self.col += clean.len();
            }
        }
    }

    pub fn newline(&mut self) {
        let rest = match self.lines.get_mut(self.row) {
            Some(line) => line.split_off(self.col),
            None => String::new(),
        };
        self.row += 1;
        self.lines.insert(self.row, rest);
        self.col = 0;
    }

    pub fn backspace(&mut self) {
        if self.col > 0 {
            let line = &mut self.lines[self.row];
            if let Some((i, _)) = line[..self.col].grapheme_indices(true).next_back() {
                line.replace_range(i..self.col, "");
                self.col = i;
            }
        } else if self.row > 0 {
            let cur = self.lines.remove(self.row);
            self.row -= 1;
            self.col = self.lines[self.row].len();
            self.lines[self.row].push_str(&cur);
        }
    }

    pub fn delete(&mut self) {
        let len = self.line().len();
        if self.col < len {
            let line = &mut self.lines[self.row];
            if let Some(g) = line[self.col..].graphemes(true).next() {
                let end = self.col + g.len();
                line.replace_range(self.col..end, "");
            }
        } else if self.row + 1 < self.lines.len() {
            let next = self.lines.remove(self.row + 1);
            self.lines[self.row].push_str(&next);
        }
    }

    pub fn left(&mut self) {
        if self.col > 0 {
            if let Some((i, _)) = self.line()[..self.col].grapheme_indices(true).next_back() {
                self.col = i;
            }
        } else if self.row > 0 {
            self.row -= 1;
            self.col = self.line().len();
        }
    }

    pub fn right(&mut self) {
        if let Some(g) = self.line()[self.col..].graphemes(true).next() {
            self.col += g.len();
        } else if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = 0;
        }
    }

    fn grapheme_col(&self) -> usize {
        self.line()[..self.col].graphemes(true).count()
    }

    fn set_grapheme_col(&mut self, n: usize) {
        self.col = self
            .line()
            .grapheme_indices(true)
            .nth(n)
            .map(|(i, _)| i)
            .unwrap_or(self.line().len());
    }

    pub fn up(&mut self) {
        if self.row > 0 {
            let g = self.grapheme_col();
            self.row -= 1;
            self.set_grapheme_col(g);
        }
    }

    pub fn down(&mut self) {
        if self.row + 1 < self.lines.len() {
            let g = self.grapheme_col();
            self.row += 1;
            self.set_grapheme_col(g);
        }
    }

    pub fn home(&mut self) {
        self.col = 0;
    }

    pub fn end(&mut self) {
        self.col = self.line().len();
    }
}

impl TextEdit for Editor {
    /// Applies an editing action (the `input` context); false when it is not one.
    fn apply(&mut self, a: Action) -> bool {
        match a {
            Action::CursorLeft => self.left(),
            Action::CursorRight => self.right(),
            Action::CursorUp => self.up(),
            Action::CursorDown => self.down(),
            Action::LineStart => self.home(),
            Action::LineEnd => self.end(),
            Action::DeleteBack => self.backspace(),
            Action::DeleteForward => self.delete(),
            Action::DeleteToStart => {
                if let Some(line) = self.lines.get_mut(self.row) {
                    line.replace_range(..self.col, "");
                    self.col = 0;
                }
            }
            Action::Newline => self.newline(),
            Action::Indent => self.insert("    "),
            _ => return false,
        }
        true
    }

    fn type_char(&mut self, c: char) {
        self.insert(c.encode_utf8(&mut [0; 4]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_across_lines() {
        let mut e = Editor::default();
        e.insert("привет\nмир");
        assert_eq!(e.lines, vec!["привет", "мир"]);
        e.home();
        e.backspace();
        assert_eq!(e.text(), "приветмир");
        e.newline();
        e.up();
        e.end();
        e.delete();
        assert_eq!(e.text(), "приветмир");
        e.insert("你好👨‍👩‍👧");
        e.backspace();
        assert_eq!(e.text(), "привет你好мир");
        e.insert("a\tb\x1b[2J");
        assert_eq!(e.text(), "привет你好a    b[2Jмир");
    }
}
