//! Reading a pattern: a small lexer (quotes, groups, `|`, `!`, runs of other characters) and a
//! recursive-descent parser whose depth is capped, so no input can exhaust the stack.

use super::error::{shown, PatternError};
use super::{Node, Pattern, Rating, Term, Unit, When, Who, MAX_CHARS, MAX_DEPTH};
use crate::domain::{Kind, Platform, Status};
use chrono::NaiveDate;

/// The conditions, for messages.
const OPS: &str = "~p ~A ~k ~s ~r ~t ~a ~o ~d ~l ~m ~w";

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Or,
    Not,
    Quoted(String),
    Bare(String),
}

#[derive(Debug, Clone)]
struct Lexed {
    tok: Tok,
    /// Character position of its first character.
    at: usize,
    /// Whitespace (or the start) comes right before it.
    spaced: bool,
}

/// Characters that end a bare run.
fn ends_run(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '|' | '"')
}

fn lex(chars: &[char]) -> Result<Vec<Lexed>, PatternError> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut spaced = true;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            spaced = true;
            i += 1;
            continue;
        }
        let at = i;
        let tok = match c {
            '(' => Tok::Open,
            ')' => Tok::Close,
            '|' => Tok::Or,
            '!' => Tok::Not,
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(PatternError::new(at, "unclosed_quote", &[])),
                        Some('"') => break,
                        Some('\\') if matches!(chars.get(i + 1), Some('"' | '\\')) => {
                            s.push(chars[i + 1]);
                            i += 2;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                Tok::Quoted(s)
            }
            _ => {
                let start = i;
                while i < chars.len() && !ends_run(chars[i]) {
                    i += 1;
                }
                out.push(Lexed {
                    tok: Tok::Bare(chars[start..i].iter().collect()),
                    at,
                    spaced,
                });
                spaced = false;
                continue;
            }
        };
        i += 1;
        out.push(Lexed { tok, at, spaced });
        spaced = false;
    }
    Ok(out)
}

pub(super) fn parse(src: &str) -> Result<Pattern, PatternError> {
    let count = src.chars().count();
    if count > MAX_CHARS {
        return Err(PatternError::new(
            MAX_CHARS,
            "too_long",
            &[("max", &MAX_CHARS)],
        ));
    }
    let chars: Vec<char> = src.chars().collect();
    let toks = lex(&chars)?;
    let mut p = Parser {
        toks,
        pos: 0,
        end: count,
    };
    let root = p.or(0, Need::Start)?;
    if let Some(t) = p.peek() {
        // Only a `)` can stop the top level early.
        return Err(PatternError::new(t.at, "stray_close", &[]));
    }
    Ok(Pattern { root })
}

/// Why a condition is expected here, for the error when none comes.
#[derive(Clone, Copy)]
enum Need {
    Start,
    AfterOpen(usize),
    AfterOr(usize),
}

struct Parser {
    toks: Vec<Lexed>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Lexed> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Lexed> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn at(&self) -> usize {
        self.peek().map_or(self.end, |t| t.at)
    }

    fn or(&mut self, depth: usize, need: Need) -> Result<Node, PatternError> {
        let mut parts = vec![self.and(depth, need)?];
        while let Some(Lexed {
            tok: Tok::Or, at, ..
        }) = self.peek()
        {
            let at = *at;
            self.pos += 1;
            parts.push(self.and(depth, Need::AfterOr(at))?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::Or(parts)
        })
    }

    fn and(&mut self, depth: usize, need: Need) -> Result<Node, PatternError> {
        let mut parts = Vec::new();
        while let Some(t) = self.peek() {
            if matches!(t.tok, Tok::Close | Tok::Or) {
                break;
            }
            parts.push(self.unary(depth)?);
        }
        if parts.is_empty() {
            return Err(self.missing(need));
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::And(parts)
        })
    }

    /// The error when a condition was expected and something else (or nothing) came.
    fn missing(&self, need: Need) -> PatternError {
        let here = self.peek().map(|t| (&t.tok, t.at));
        match (need, here) {
            (Need::AfterOr(at), _) => PatternError::new(at, "dangling_or", &[]),
            (_, Some((Tok::Or, at))) => PatternError::new(at, "dangling_or", &[]),
            (Need::AfterOpen(at), Some((Tok::Close, _))) => {
                PatternError::new(at, "empty_group", &[])
            }
            (Need::AfterOpen(at), _) => PatternError::new(at, "unclosed_group", &[]),
            (Need::Start, Some((_, at))) => PatternError::new(at, "stray_close", &[]),
            (Need::Start, None) => PatternError::new(0, "empty", &[]),
        }
    }

    fn unary(&mut self, depth: usize) -> Result<Node, PatternError> {
        let Some(t) = self.next() else {
            return Err(PatternError::new(self.end, "expected", &[]));
        };
        if matches!(t.tok, Tok::Not | Tok::Open) && depth + 1 > MAX_DEPTH {
            return Err(PatternError::new(t.at, "too_deep", &[("max", &MAX_DEPTH)]));
        }
        match t.tok {
            Tok::Not => match self.peek().map(|n| &n.tok) {
                None | Some(Tok::Close | Tok::Or) => {
                    Err(PatternError::new(t.at, "dangling_not", &[]))
                }
                _ => Ok(Node::Not(Box::new(self.unary(depth + 1)?))),
            },
            Tok::Open => {
                let inner = self.or(depth + 1, Need::AfterOpen(t.at))?;
                match self.next() {
                    Some(Lexed {
                        tok: Tok::Close, ..
                    }) => Ok(inner),
                    _ => Err(PatternError::new(t.at, "unclosed_group", &[])),
                }
            }
            Tok::Quoted(s) if s.is_empty() => Err(PatternError::new(t.at, "empty_quotes", &[])),
            Tok::Quoted(s) => Ok(Node::Term(Term::Phrase(s))),
            Tok::Bare(s) if s.starts_with('~') => self.condition(&s, t.at).map(Node::Term),
            Tok::Bare(s) => Ok(Node::Term(Term::Word(s))),
            // `and` stops before these.
            Tok::Close | Tok::Or => Err(PatternError::new(t.at, "expected", &[])),
        }
    }

    fn condition(&mut self, op: &str, at: usize) -> Result<Term, PatternError> {
        let mut letters = op.chars().skip(1);
        let letter = match (letters.next(), letters.next()) {
            (Some(l), None) => l,
            _ => return Err(unknown_op(op, at)),
        };
        match letter {
            'm' => return Ok(Term::Member),
            'w' => return Ok(Term::Waiting),
            'p' | 'A' | 'k' | 's' | 'r' | 't' | 'a' | 'o' | 'd' | 'l' => {}
            _ => return Err(unknown_op(op, at)),
        }
        let values = self.values(op)?;
        Ok(match letter {
            'p' => Term::Platform(each(&values, |v| {
                v.text
                    .parse::<Platform>()
                    .map_err(|_| v.err("bad_platform", &[("names", &Platform::names())]))
            })?),
            'k' => Term::Kind(each(&values, |v| {
                v.text.parse::<Kind>().map_err(|_| {
                    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                    v.err("bad_kind", &[("names", &names.join(", "))])
                })
            })?),
            's' => Term::Status(each(&values, |v| {
                v.text.parse::<Status>().map_err(|_| {
                    let names: Vec<&str> = Status::ALL.iter().map(|k| k.as_str()).collect();
                    v.err("bad_status", &[("names", &names.join(", "))])
                })
            })?),
            'r' => Term::Rating(each(&values, |v| {
                rating(&v.text).ok_or_else(|| v.err("bad_rating", &[]))
            })?),
            'd' => Term::Date(each(&values, |v| {
                when(&v.text).ok_or_else(|| v.err("bad_date", &[]))
            })?),
            'l' => Term::Lang(each(&values, |v| {
                let ok = v.text.chars().count() <= 16
                    && v.text
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                ok.then(|| v.text.clone())
                    .ok_or_else(|| v.err("bad_lang", &[]))
            })?),
            'o' => Term::Assignee(each(&values, |v| {
                Ok(match v.text.to_lowercase().as_str() {
                    "none" if !v.quoted => Who::Nobody,
                    "me" if !v.quoted => Who::Me,
                    t if t.trim().is_empty() => {
                        return Err(PatternError::new(v.at, "empty_value", &[]))
                    }
                    _ => Who::Name(v.text.clone()),
                })
            })?),
            'A' => Term::Account(texts(&values)?),
            't' => Term::Tag(texts(&values)?),
            _ => Term::Author(texts(&values)?),
        })
    }

    /// The value of a condition and its alternatives (`vk|telegram`, no spaces around `|`).
    fn values(&mut self, op: &str) -> Result<Vec<Value>, PatternError> {
        let mut out = vec![self
            .value()
            .ok_or_else(|| PatternError::new(self.at(), "missing_value", &[("op", &op)]))?];
        loop {
            let joined = matches!(
                (self.toks.get(self.pos), self.toks.get(self.pos + 1)),
                (
                    Some(Lexed {
                        tok: Tok::Or,
                        spaced: false,
                        ..
                    }),
                    Some(Lexed {
                        tok: Tok::Bare(_) | Tok::Quoted(_),
                        spaced: false,
                        ..
                    })
                )
            );
            if !joined {
                return Ok(out);
            }
            self.pos += 1;
            if let Some(v) = self.value() {
                out.push(v);
            }
        }
    }

    fn value(&mut self) -> Option<Value> {
        let t = self.peek()?;
        let v = match &t.tok {
            Tok::Bare(s) => Value {
                text: s.clone(),
                at: t.at,
                quoted: false,
            },
            Tok::Quoted(s) => Value {
                text: s.clone(),
                at: t.at,
                quoted: true,
            },
            _ => return None,
        };
        self.pos += 1;
        Some(v)
    }
}

struct Value {
    text: String,
    at: usize,
    quoted: bool,
}

impl Value {
    fn err(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> PatternError {
        let value = shown(&self.text);
        let mut all: Vec<(&str, &dyn std::fmt::Display)> = vec![("value", &value)];
        all.extend_from_slice(args);
        PatternError::new(self.at, key, &all)
    }
}

fn each<T>(
    values: &[Value],
    f: impl Fn(&Value) -> Result<T, PatternError>,
) -> Result<Vec<T>, PatternError> {
    values.iter().map(f).collect()
}

/// Names (accounts, tags, authors): anything but nothing.
fn texts(values: &[Value]) -> Result<Vec<String>, PatternError> {
    each(values, |v| {
        if v.text.trim().is_empty() {
            Err(PatternError::new(v.at, "empty_value", &[]))
        } else {
            Ok(v.text.clone())
        }
    })
}

fn unknown_op(op: &str, at: usize) -> PatternError {
    PatternError::new(at, "unknown_op", &[("op", &shown(op)), ("ops", &OPS)])
}

fn stars(s: &str) -> Option<u8> {
    match s.as_bytes() {
        [d @ b'1'..=b'5'] => Some(d - b'0'),
        _ => None,
    }
}

fn rating(s: &str) -> Option<Rating> {
    if let Some(n) = s.strip_prefix("<=") {
        return stars(n).map(Rating::Le);
    }
    if let Some(n) = s.strip_prefix(">=") {
        return stars(n).map(Rating::Ge);
    }
    if let Some(n) = s.strip_prefix('<') {
        return stars(n).map(Rating::Lt);
    }
    if let Some(n) = s.strip_prefix('>') {
        return stars(n).map(Rating::Gt);
    }
    if let Some((a, b)) = s.split_once("..") {
        let (a, b) = (stars(a)?, stars(b)?);
        return (a <= b).then_some(Rating::Range(a, b));
    }
    stars(s).map(Rating::Eq)
}

/// Longest age counted: far beyond any store, far below where milliseconds overflow.
const MAX_AGE: u32 = 99_999;

fn age(s: &str) -> Option<(u32, Unit)> {
    let unit = match s.chars().last()? {
        'm' => Unit::Minutes,
        'h' => Unit::Hours,
        'd' => Unit::Days,
        'w' => Unit::Weeks,
        _ => return None,
    };
    let num = &s[..s.len() - 1];
    if num.is_empty() || num.len() > 5 || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = num.parse().ok()?;
    (n <= MAX_AGE).then_some((n, unit))
}

fn day(s: &str) -> Option<NaiveDate> {
    // Exactly YYYY-MM-DD: what the printer writes back.
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn when(s: &str) -> Option<When> {
    if let Some(rest) = s.strip_prefix('<') {
        return age(rest).map(|(n, u)| When::Younger(n, u));
    }
    if let Some(rest) = s.strip_prefix('>') {
        return age(rest).map(|(n, u)| When::Older(n, u));
    }
    if let Some((a, b)) = s.split_once("..") {
        let from = if a.is_empty() { None } else { Some(day(a)?) };
        let to = if b.is_empty() { None } else { Some(day(b)?) };
        return match (from, to) {
            (None, None) => None,
            (Some(f), Some(t)) if f > t => None,
            _ => Some(When::Days(from, to)),
        };
    }
    day(s).map(|d| When::Days(Some(d), Some(d)))
}
