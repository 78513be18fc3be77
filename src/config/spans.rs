//! Where a key stands in a TOML file: the line of a value found wrong after parsing (a slot
//! that is not a time, a preset that is not a snooze time), so the message can name it.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::ops::Range;

/// One step of a path to a value: a table key, or the index of an array element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A TOML document reduced to its shape and the byte spans of its values.
enum Node {
    Table(Vec<(String, Spanned)>),
    Array(Vec<Spanned>),
    Leaf,
}

/// A node with its span. `toml::Spanned` cannot be used: it refuses the owned key names toml
/// gives for implicit tables (`[members.weights]` without `[members]`), so this speaks toml's
/// span protocol itself.
struct Spanned {
    span: Range<usize>,
    node: Node,
}

impl Spanned {
    fn span(&self) -> Range<usize> {
        self.span.clone()
    }
    fn get_ref(&self) -> &Node {
        &self.node
    }
}

const SPANNED: &str = "$__serde_spanned_private_Spanned";
const START: &str = "$__serde_spanned_private_start";
const END: &str = "$__serde_spanned_private_end";
const VALUE: &str = "$__serde_spanned_private_value";

impl<'de> Deserialize<'de> for Spanned {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Spanned, D::Error> {
        d.deserialize_struct(SPANNED, &[START, END, VALUE], SpannedVisitor)
    }
}

struct SpannedVisitor;

impl<'de> Visitor<'de> for SpannedVisitor {
    type Value = Spanned;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a spanned TOML value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Spanned, A::Error> {
        let (mut start, mut end, mut node) = (None, None, None);
        // An implicit table comes as a plain map without a span: its span is its children's.
        let mut entries: Vec<(String, Spanned)> = Vec::new();
        while let Some(k) = map.next_key::<String>()? {
            match k.as_str() {
                START => start = Some(map.next_value::<usize>()?),
                END => end = Some(map.next_value::<usize>()?),
                VALUE => node = Some(map.next_value::<Node>()?),
                _ => entries.push((k, map.next_value::<Spanned>()?)),
            }
        }
        Ok(match (start, end, node) {
            (Some(start), Some(end), Some(node)) => Spanned {
                span: start..end,
                node,
            },
            (_, _, node) => {
                let from = entries.iter().map(|(_, v)| v.span.start).min();
                let to = entries.iter().map(|(_, v)| v.span.end).max();
                Spanned {
                    span: from.unwrap_or(0)..to.unwrap_or(0),
                    node: node.unwrap_or(Node::Table(entries)),
                }
            }
        })
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(k) = map.next_key::<String>()? {
            entries.push((k, map.next_value::<Spanned>()?));
        }
        Ok(Node::Table(entries))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element::<Spanned>()? {
            items.push(v);
        }
        Ok(Node::Array(items))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
}

/// The 1-based line of the value at `path` in `src`, when the document parses and has it.
pub fn line_of(src: &str, path: &[Seg]) -> Option<usize> {
    let root: Node = toml::from_str(src).ok()?;
    let mut node = &root;
    let mut start = None;
    for seg in path {
        let found = match (node, seg) {
            (Node::Table(entries), Seg::Key(k)) => {
                entries.iter().find(|(n, _)| n == k).map(|e| &e.1)
            }
            (Node::Array(items), Seg::Index(i)) => items.get(*i),
            _ => None,
        }?;
        start = Some(found.span().start);
        node = found.get_ref();
    }
    Some(line_at(src, start?))
}

/// The path of the innermost value whose span holds byte `offset` (where toml found a value of
/// the wrong type), when the document parses.
pub fn path_at(src: &str, offset: usize) -> Option<Vec<Seg>> {
    let root: Node = toml::from_str(src).ok()?;
    let mut node = &root;
    let mut path = Vec::new();
    loop {
        let inside = |v: &Spanned| v.span().contains(&offset);
        let next = match node {
            Node::Table(entries) => entries
                .iter()
                .find(|(_, v)| inside(v))
                .map(|(k, v)| (Seg::Key(k.clone()), v)),
            Node::Array(items) => items
                .iter()
                .enumerate()
                .find(|(_, v)| inside(v))
                .map(|(i, v)| (Seg::Index(i), v)),
            Node::Leaf => None,
        };
        match next {
            Some((seg, v)) => {
                path.push(seg);
                node = v.get_ref();
            }
            None => break,
        }
    }
    // A table holding the offset is where an unknown key is, which toml's message names.
    (!path.is_empty() && !matches!(node, Node::Table(_))).then_some(path)
}

/// A path as a person writes it in TOML: `schedule.slots."lumo@mastodon.social"` (indexes
/// left out: the line tells which element).
pub fn dotted(path: &[Seg]) -> String {
    let bare = |k: &str| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    path.iter()
        .filter_map(|s| match s {
            Seg::Key(k) if bare(k) => Some(k.clone()),
            Seg::Key(k) => Some(format!("{k:?}")),
            Seg::Index(_) => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The 1-based line of byte `offset`.
pub fn line_at(src: &str, offset: usize) -> usize {
    src.get(..offset.min(src.len()))
        .unwrap_or(src)
        .matches('\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Seg {
        Seg::Key(k.into())
    }

    #[test]
    fn finds_keys_in_tables_arrays_and_dotted_names() {
        let src = "lang = \"ru\"\nsnooze_presets = [\n  \"1h\",\n  \"banana\",\n]\n\n[schedule.slots]\n\"a.b@x.y\" = [\"09:00\"]\n[members.weights]\nreview = 5\n";
        assert_eq!(line_of(src, &[key("lang")]), Some(1));
        assert_eq!(
            line_of(src, &[key("snooze_presets"), Seg::Index(1)]),
            Some(4)
        );
        assert_eq!(
            line_of(
                src,
                &[key("schedule"), key("slots"), key("a.b@x.y"), Seg::Index(0)]
            ),
            Some(8)
        );
        assert_eq!(
            line_of(src, &[key("members"), key("weights"), key("review")]),
            Some(10)
        );
        assert_eq!(line_of(src, &[key("nope")]), None);
        // An implicit parent table (no `[members]` header).
        let implicit = "# weights\n[members.weights]\nreview = 5000\n";
        assert_eq!(
            line_of(implicit, &[key("members"), key("weights"), key("review")]),
            Some(3)
        );
        let at = src.find("banana").expect("banana");
        let path = path_at(src, at).expect("path");
        assert_eq!(path, vec![key("snooze_presets"), Seg::Index(1)]);
        assert_eq!(dotted(&path), "snooze_presets");
        assert_eq!(
            dotted(&[key("schedule"), key("slots"), key("a.b@x.y")]),
            "schedule.slots.\"a.b@x.y\""
        );
    }
}
