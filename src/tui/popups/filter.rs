//! The filter popup: platform, kind, status, rating range, a tag (completed from the tags in
//! use), language and a "since" date.

use crate::config::keymap::Action;
use crate::domain::tag::TagCount;
use crate::domain::{time::parse_until, Kind, Platform, Status, Timestamp};
use crate::engine::api::Filter;
use crate::tui::input::{Completion, LineInput};
use crate::tui::keys::Input;
use crate::tui::keys::TextEdit;

/// The filter a person set on top of the current view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    pub platform: Option<Platform>,
    pub kind: Option<Kind>,
    pub status: Option<Status>,
    pub rating: Option<(u8, u8)>,
    pub lang: Option<String>,
    /// Items carrying this tag (any case).
    pub tag: Option<String>,
    /// As typed (`2d`, `2026-03-01`) and as resolved when applied.
    pub since: Option<(String, Timestamp)>,
    /// Items written by one person (their linked accounts), with the name shown for it.
    pub members: Option<(String, Vec<crate::domain::member::MemberId>)>,
}

impl UserFilter {
    pub fn is_empty(&self) -> bool {
        *self == UserFilter::default()
    }

    /// Narrows a view's filter. A status chosen here replaces the view's statuses.
    pub fn apply(&self, mut f: Filter) -> Filter {
        if let Some(p) = self.platform {
            f.platform = Some(p);
        }
        if let Some(k) = self.kind {
            f.kind = Some(k);
        }
        if let Some(s) = self.status {
            f.statuses = vec![s];
        }
        if self.rating.is_some() {
            f.rating = self.rating;
        }
        if let Some(l) = &self.lang {
            f.lang = Some(l.clone());
        }
        if let Some(t) = &self.tag {
            f.tag = Some(t.clone());
        }
        if let Some((_, t)) = &self.since {
            f.since = Some(*t);
        }
        if let Some((_, ids)) = &self.members {
            f.members = ids.clone();
        }
        f
    }
}

pub const RATINGS: [(u8, u8); 8] = [
    (1, 1),
    (2, 2),
    (3, 3),
    (4, 4),
    (5, 5),
    (1, 2),
    (1, 3),
    (4, 5),
];

/// Field order in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Platform,
    Kind,
    Status,
    Rating,
    Tag,
    Lang,
    Since,
}

pub const FIELDS: [Field; 7] = [
    Field::Platform,
    Field::Kind,
    Field::Status,
    Field::Rating,
    Field::Tag,
    Field::Lang,
    Field::Since,
];

#[derive(Debug, Clone, Default)]
pub struct FilterForm {
    pub field: usize,
    pub value: UserFilter,
    pub lang: LineInput,
    pub since: LineInput,
    pub tag: LineInput,
    /// Cycling through the tags in use that match the tag typed.
    pub tag_completion: Option<Completion>,
    /// Shown under the form when the typed date does not parse.
    pub error: bool,
}

pub enum Outcome {
    Stay,
    Cancel,
    Apply(UserFilter),
}

fn cycle<T: Copy + PartialEq>(all: &[T], cur: Option<T>, fwd: bool) -> Option<T> {
    let idx = cur.and_then(|c| all.iter().position(|x| *x == c));
    let n = all.len() as isize + 1; // + "any"
    let pos = idx.map(|i| i as isize + 1).unwrap_or(0);
    let next = (pos + if fwd { 1 } else { -1 }).rem_euclid(n);
    (next > 0).then(|| all[(next - 1) as usize])
}

impl FilterForm {
    pub fn new(current: &UserFilter) -> Self {
        FilterForm {
            field: 0,
            value: current.clone(),
            lang: LineInput::with(current.lang.as_deref().unwrap_or("")),
            since: LineInput::with(
                current
                    .since
                    .as_ref()
                    .map(|(s, _)| s.as_str())
                    .unwrap_or(""),
            ),
            tag: LineInput::with(current.tag.as_deref().unwrap_or("")),
            tag_completion: None,
            error: false,
        }
    }

    pub fn current(&self) -> Field {
        FIELDS[self.field.min(FIELDS.len() - 1)]
    }

    fn step(&mut self, fwd: bool) {
        let field = self.current();
        let v = &mut self.value;
        match field {
            Field::Platform => v.platform = cycle(&Platform::ALL, v.platform, fwd),
            Field::Kind => v.kind = cycle(&Kind::ALL, v.kind, fwd),
            Field::Status => v.status = cycle(&Status::ALL, v.status, fwd),
            Field::Rating => v.rating = cycle(&RATINGS, v.rating, fwd),
            Field::Tag | Field::Lang | Field::Since => {}
        }
    }

    /// "2d" means two days back; dates and times are absolute.
    fn since_time(s: &str, now: Timestamp) -> Option<Timestamp> {
        let rel = parse_until(s, Timestamp(0))
            .filter(|t| t.0 > 0 && !s.contains('-') && !s.contains(':'));
        match rel {
            Some(d) if d.0 < 100 * 365 * 86_400_000 => Some(Timestamp(now.0 - d.0)),
            _ => Timestamp::parse(s),
        }
    }

    /// Whether a text field (tag, language, since) has the keyboard.
    pub fn typing(&self) -> bool {
        matches!(self.current(), Field::Tag | Field::Lang | Field::Since)
    }

    /// A key press, as the keymap's `filter` (or `filter_text` and `input`) context reads it;
    /// `tags` are the tags in use, for completing the tag field.
    pub fn act(&mut self, input: Input, now: Timestamp, tags: &[TagCount]) -> Outcome {
        match input {
            Input::Act(Action::Cancel) => return Outcome::Cancel,
            Input::Act(Action::Submit) => {
                let lang = self.lang.text.trim().to_string();
                self.value.lang = (!lang.is_empty()).then_some(lang);
                let tag = self.tag.text.trim().to_string();
                self.value.tag = (!tag.is_empty()).then_some(tag);
                let since = self.since.text.trim().to_string();
                if since.is_empty() {
                    self.value.since = None;
                } else {
                    match Self::since_time(&since, now) {
                        Some(t) => self.value.since = Some((since, t)),
                        None => {
                            self.error = true;
                            self.field =
                                FIELDS.iter().position(|f| *f == Field::Since).unwrap_or(0);
                            return Outcome::Stay;
                        }
                    }
                }
                return Outcome::Apply(self.value.clone());
            }
            Input::Act(Action::Reset) => *self = FilterForm::new(&UserFilter::default()),
            Input::Act(Action::NextField) => self.field = (self.field + 1) % FIELDS.len(),
            Input::Act(Action::PrevField) => {
                self.field = (self.field + FIELDS.len() - 1) % FIELDS.len()
            }
            Input::Act(Action::Complete) if self.current() == Field::Tag => {
                crate::tui::tag_complete::complete(tags, &mut self.tag_completion, &mut self.tag)
            }
            Input::Act(Action::NextValue) => self.step(true),
            Input::Act(Action::PrevValue) => self.step(false),
            Input::Act(Action::ClearField) => match self.current() {
                Field::Platform => self.value.platform = None,
                Field::Kind => self.value.kind = None,
                Field::Status => self.value.status = None,
                Field::Rating => self.value.rating = None,
                _ => {}
            },
            other => match self.current() {
                Field::Tag => {
                    // Typing starts a new completion from what is typed now.
                    self.tag_completion = None;
                    self.tag.take(other);
                }
                Field::Lang => {
                    self.lang.take(other);
                }
                Field::Since => {
                    self.error = false;
                    self.since.take(other);
                }
                _ => {}
            },
        }
        Outcome::Stay
    }
}
