//! The canonical form of a pattern: single spaces, `|` between alternatives without spaces,
//! ` | ` between or-ed conditions, parentheses only where the tree has a group, values quoted
//! only when they must be. Parsing it gives the same tree back.

use super::{Node, Pattern, Rating, Term, When, Who};
use std::fmt::{self, Write};

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        node(f, &self.root)
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        node(f, self)
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        term(f, self)
    }
}

fn node(f: &mut fmt::Formatter<'_>, n: &Node) -> fmt::Result {
    match n {
        Node::And(parts) | Node::Or(parts) => {
            let sep = if matches!(n, Node::And(_)) {
                " "
            } else {
                " | "
            };
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                // An and inside an or needs no parentheses (and binds tighter); every other
                // nested group keeps them, so the tree reads back as it was.
                let bare = matches!(p, Node::Term(_) | Node::Not(_))
                    || matches!((n, p), (Node::Or(_), Node::And(_)));
                grouped(f, p, !bare)?;
            }
            Ok(())
        }
        Node::Not(inner) => {
            f.write_char('!')?;
            grouped(f, inner, matches!(**inner, Node::And(_) | Node::Or(_)))
        }
        Node::Term(t) => term(f, t),
    }
}

fn grouped(f: &mut fmt::Formatter<'_>, n: &Node, parens: bool) -> fmt::Result {
    if parens {
        f.write_char('(')?;
        node(f, n)?;
        f.write_char(')')
    } else {
        node(f, n)
    }
}

fn list<T>(
    f: &mut fmt::Formatter<'_>,
    op: &str,
    items: &[T],
    each: impl Fn(&mut fmt::Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    f.write_str(op)?;
    f.write_char(' ')?;
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            f.write_char('|')?;
        }
        each(f, it)?;
    }
    Ok(())
}

/// Whether a value must be quoted to read back as itself.
fn needs_quotes(v: &str) -> bool {
    v.is_empty()
        || v.starts_with(['!', '~'])
        || v.chars()
            .any(|c| c.is_whitespace() || matches!(c, '(' | ')' | '|' | '"'))
}

pub(super) fn quoted(f: &mut fmt::Formatter<'_>, v: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in v.chars() {
        if matches!(c, '"' | '\\') {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    f.write_char('"')
}

fn value(f: &mut fmt::Formatter<'_>, v: &str) -> fmt::Result {
    if needs_quotes(v) {
        quoted(f, v)
    } else {
        f.write_str(v)
    }
}

fn term(f: &mut fmt::Formatter<'_>, t: &Term) -> fmt::Result {
    match t {
        Term::Platform(v) => list(f, "~p", v, |f, p| f.write_str(p.as_str())),
        Term::Account(v) => list(f, "~A", v, |f, s| value(f, s)),
        Term::Kind(v) => list(f, "~k", v, |f, k| f.write_str(k.as_str())),
        Term::Status(v) => list(f, "~s", v, |f, s| f.write_str(s.as_str())),
        Term::Rating(v) => list(f, "~r", v, |f, r| match r {
            Rating::Eq(n) => write!(f, "{n}"),
            Rating::Lt(n) => write!(f, "<{n}"),
            Rating::Le(n) => write!(f, "<={n}"),
            Rating::Gt(n) => write!(f, ">{n}"),
            Rating::Ge(n) => write!(f, ">={n}"),
            Rating::Range(a, b) => write!(f, "{a}..{b}"),
        }),
        Term::Tag(v) => list(f, "~t", v, |f, s| value(f, s)),
        Term::Author(v) => list(f, "~a", v, |f, s| value(f, s)),
        Term::Assignee(v) => list(f, "~o", v, |f, w| match w {
            Who::Nobody => f.write_str("none"),
            Who::Me => f.write_str("me"),
            // A person named "none" or "me" is written in quotes.
            Who::Name(n) if matches!(n.to_lowercase().as_str(), "none" | "me") => quoted(f, n),
            Who::Name(n) => value(f, n),
        }),
        Term::Date(v) => list(f, "~d", v, |f, w| match w {
            When::Younger(n, u) => write!(f, "<{n}{}", u.letter()),
            When::Older(n, u) => write!(f, ">{n}{}", u.letter()),
            When::Days(Some(a), Some(b)) if a == b => write!(f, "{}", a.format("%Y-%m-%d")),
            When::Days(a, b) => {
                if let Some(a) = a {
                    write!(f, "{}", a.format("%Y-%m-%d"))?;
                }
                f.write_str("..")?;
                if let Some(b) = b {
                    write!(f, "{}", b.format("%Y-%m-%d"))?;
                }
                Ok(())
            }
        }),
        Term::Lang(v) => list(f, "~l", v, |f, s| f.write_str(s)),
        Term::Member => f.write_str("~m"),
        Term::Waiting => f.write_str("~w"),
        Term::Word(w) => f.write_str(w),
        Term::Phrase(p) => quoted(f, p),
    }
}
