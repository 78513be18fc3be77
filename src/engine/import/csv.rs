//! ### CSV (`.csv`)
//!
//! UTF-8 (with or without BOM) or UTF-16 with a BOM; the separator (`,` `;` or tab) is taken from
//! the header line; fields may be quoted and span lines (RFC 4180). The first row names the
//! columns, matched case-insensitively (spaces and `-` count as `_`); the first name listed wins:
//!
//! | field | column names | |
//! |---|---|---|
//! | native id | `native_id`, `id`, `review_id` | required |
//! | text | `text`, `body`, `comment`, `message`, `review`, `content` | required (cells may be empty) |
//! | created at | `created_at`, `date`, `time`, `timestamp` | required; same forms as JSONL |
//! | platform | `platform` | default `file`; any name, as in JSONL |
//! | account | `account` | default: `--account`, else the file name without extension |
//! | kind | `kind` | default `review` when there is a rating column, else `comment` |
//! | author id | `author_id`, `author`, `user_id` | default: the handle, else `PLATFORM:NATIVE_ID` |
//! | author handle / name | `author_handle`, `handle`, `username` / `author_name`, `name`, `display_name` | |
//! | followers | `followers` | whole number |
//! | title | `title` | |
//! | rating | `rating`, `stars`, `score` | 1–5 (`4` or `4.0`) |
//! | url | `url`, `link` | |
//! | thread | `parent_native_id`, `parent_id`, `in_reply_to`; `root_native_id`; `post_native_id`, `post_id` | |
//! | language | `lang`, `language` | |
//! | status | `status` | `new` (default), `open`, `done`, `hidden`, `spam` |
//! | tags | `tags` | separated by `,` or `;` |
//!
//! Other columns are ignored; empty cells count as absent; rows whose cells are all empty are
//! skipped. A row with the wrong number of fields, a NUL byte or a bad value is reported with
//! the line it starts on, and the rest are still imported. A quote that is never closed (still
//! open after 200 lines or 256 KiB, or at the end) is reported on the line where it opened, and
//! the lines after that one are read again as rows (`csv_split.rs`); so is a record over several
//! lines with the wrong number of fields (a stray quote further down closed it). A line longer
//! than 1 MiB is reported and skipped.
//!
//! **Google Play** review exports (Play Console → Download reports → Reviews; UTF-16) are
//! recognised by their `Package Name` and `Star Rating` columns; see `play.rs` for the mapping.

use super::csv_row::{generic_item, list, sniff_delimiter, Columns, Row};
use super::csv_split::{fields, Line, Piece, Split, MAX_QUOTED_BYTES, MAX_QUOTED_LINES};
use super::fields::Ctx;
use super::play;
use super::source::{BadSpots, Source};
use super::{ImportError, LineError};
use crate::domain::{NewItem, Timestamp};
use crate::i18n::tf;
use csv::ByteRecord;
use std::io::BufReader;

enum Mapping {
    Generic(Columns),
    Play(play::Columns),
}

impl Mapping {
    /// The column every row has a date in.
    fn date_col(&self) -> Option<usize> {
        match self {
            Mapping::Generic(cols) => cols.get(super::csv_row::F::CreatedAt),
            Mapping::Play(cols) => cols.submit_col(),
        }
    }
}

/// Reads CSV records one by one.
pub(crate) struct Records {
    split: Split,
    delim: u8,
    headers: Vec<String>,
    mapping: Mapping,
    ctx: Ctx,
    bad: BadSpots,
    rec: ByteRecord,
    done: bool,
}

impl Records {
    pub(crate) fn new(src: Source, ctx: Ctx, file: &str) -> Result<Records, ImportError> {
        let delim = sniff_delimiter(&src.prefix);
        let mut split = Split::new(
            Box::new(BufReader::with_capacity(64 * 1024, src.reader)),
            delim,
        );
        let io = |error| ImportError::Io {
            file: file.to_string(),
            error,
        };
        let not_csv = |reason: String| ImportError::NotJsonlOrCsv {
            file: file.to_string(),
            reason,
        };
        let mut raw = ByteRecord::new();
        loop {
            match split.next_record().map_err(io)? {
                Some(Piece::Record(lines)) => {
                    fields(&lines, delim, &mut raw);
                    if !blank(&raw) {
                        break;
                    }
                }
                Some(Piece::Unclosed(_)) => {
                    return Err(not_csv(crate::i18n::t("import.header_quote")))
                }
                Some(Piece::TooLong(..)) => {
                    return Err(not_csv(crate::i18n::t("import.header_too_long")))
                }
                None => return Err(not_csv("the file is empty or blank".into())),
            }
        }
        let mut headers = Vec::with_capacity(raw.len());
        for h in &raw {
            let h = std::str::from_utf8(h).map_err(|_| {
                not_csv("the CSV header is not UTF-8 text; save the file as CSV UTF-8".into())
            })?;
            headers.push(h.trim_start_matches('\u{feff}').trim().to_string());
        }
        let norm: Vec<String> = headers
            .iter()
            .map(|h| h.to_lowercase().replace([' ', '-'], "_"))
            .collect();
        let missing = |column: String| ImportError::MissingColumn {
            file: file.to_string(),
            column,
            has: list(&headers),
        };
        let mapping = if play::is_play(&norm) {
            Mapping::Play(play::Columns::find(&norm).map_err(missing)?)
        } else {
            Mapping::Generic(Columns::find(&norm).map_err(missing)?)
        };
        Ok(Records {
            split,
            delim,
            headers,
            mapping,
            ctx,
            bad: src.bad,
            rec: raw,
            done: false,
        })
    }

    /// Reads the next record: `None` at the end, `Some(None)` for a blank row.
    fn record(&mut self) -> Option<Option<Result<NewItem, LineError>>> {
        let lines: Vec<Line> = match self.split.next_record() {
            Ok(None) => return None,
            Ok(Some(Piece::Record(lines))) => lines,
            Ok(Some(Piece::TooLong(line, len))) => {
                let reason = format!("line is {len} bytes, longer than the 1 MiB limit; skipped");
                return Some(Some(Err(LineError { line, reason })));
            }
            Ok(Some(Piece::Unclosed(line))) => {
                let reason = tf(
                    "import.quote_unclosed",
                    &[
                        ("lines", &MAX_QUOTED_LINES),
                        ("kib", &(MAX_QUOTED_BYTES / 1024)),
                    ],
                );
                return Some(Some(Err(LineError { line, reason })));
            }
            Err(e) => {
                self.done = true;
                let line = self.split.next_line_no();
                let reason = format!("read error, import stopped here: {e}");
                return Some(Some(Err(LineError { line, reason })));
            }
        };
        let line = lines[0].no;
        let err = |reason: String| Some(Some(Err(LineError { line, reason })));
        fields(&lines, self.delim, &mut self.rec);
        if blank(&self.rec) {
            return Some(None);
        }
        let (expected, found) = (self.headers.len(), self.rec.len());
        let last = lines.last().map_or(line, |l| l.no);
        // Only lines wholly inside the quote: the closing line ends with the rest of the row,
        // date and all, whether the quote was meant or not.
        let inner = &lines[1..lines.len().saturating_sub(1).max(1)];
        if last > line && (found != expected || inner.iter().any(|l| self.row_like(l))) {
            // A quote opened on the first line and closed by a stray one lines later: the lines
            // between are rows, not text. Read them again as rows.
            self.split.unread(lines.into_iter().skip(1).collect());
            let args: [(&str, &dyn std::fmt::Display); 5] = [
                ("expected", &expected),
                ("found", &found),
                ("from", &line),
                ("to", &last),
                ("next", &(line + 1)),
            ];
            return err(if found != expected {
                tf("import.quote_fields", &args)
            } else {
                tf("import.quote_rows", &args)
            });
        }
        if found != expected {
            return err(format!("expected {expected} fields, found {found}"));
        }
        if lines.iter().any(|l| l.bytes.contains(&0)) {
            return err(crate::i18n::t("import.nul_line"));
        }
        let (start, end) = (lines[0].start, lines.last().map_or(0, Line::end));
        if self.bad.any_in(start, end) {
            return err("invalid UTF-16: lone surrogate".into());
        }
        let row = Row {
            rec: &self.rec,
            headers: &self.headers,
        };
        let item = match &self.mapping {
            Mapping::Generic(cols) => generic_item(&row, cols, &self.ctx),
            Mapping::Play(cols) => play::item(&row, cols, &self.ctx),
        };
        Some(Some(item.map_err(|reason| LineError { line, reason })))
    }
}

impl Records {
    /// Whether a line inside a quoted field reads as a row of its own: as many fields as the
    /// header and a date in the date column. Text over several lines practically never does;
    /// rows swallowed by a quote that a stray one closed further down always do.
    fn row_like(&self, line: &Line) -> bool {
        let Some(col) = self.mapping.date_col() else {
            return false;
        };
        let mut rec = ByteRecord::new();
        fields(std::slice::from_ref(line), self.delim, &mut rec);
        rec.len() == self.headers.len()
            && rec
                .get(col)
                .and_then(|c| std::str::from_utf8(c).ok())
                .is_some_and(|c| Timestamp::parse(c).is_some())
    }
}

/// Whether every cell of a record is blank (such rows are skipped).
fn blank(rec: &ByteRecord) -> bool {
    rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))
}

impl Iterator for Records {
    type Item = Result<NewItem, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.record() {
                None => self.done = true,
                Some(None) => continue,
                Some(item) => return item,
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{collect, fixture, temp_file};
    use super::super::Format;
    use super::*;
    use crate::domain::{Author, Kind, Platform, Status, Timestamp};

    fn all(path: &std::path::Path) -> (Vec<NewItem>, Vec<(usize, String)>) {
        let (items, errors) = collect(path, Format::Csv);
        (
            items,
            errors.into_iter().map(|e| (e.line, e.reason)).collect(),
        )
    }

    fn errs(list: &[(usize, &str)]) -> Vec<(usize, String)> {
        list.iter().map(|(l, r)| (*l, r.to_string())).collect()
    }

    const DATE_HINT: &str = "; use RFC 3339, YYYY-MM-DD HH:MM[:SS] or Unix seconds/milliseconds";

    #[test]
    fn reviews_fixture_maps_synonyms_and_reports_bad_rows() {
        let (items, errors) = all(&fixture("reviews.csv"));
        let ids: Vec<&str> = items.iter().map(|i| i.native_id.as_str()).collect();
        assert_eq!(ids, ["r1", "r2", "r5", "r7", "r8", "r10"]);
        assert_eq!(
            errors,
            errs(&[
                (6, "expected 12 fields, found 7"),
                (7, "rating out of range 1–5: \"9\""),
                (10, &format!("bad date \"вчера\" in Date{DATE_HINT}")),
                (13, "native_id is empty"),
            ])
        );
        assert_eq!(
            items[0],
            NewItem {
                platform: Platform::Google,
                account: "file-stem".into(),
                kind: Kind::Review,
                native_id: "r1".into(),
                parent_native_id: None,
                root_native_id: None,
                post_native_id: None,
                author: Author {
                    id: "u-100".into(),
                    handle: Some("anna_k".into()),
                    name: Some("Анна Ковалёва".into()),
                    followers: None,
                },
                text: "Отличный сервис, спасибо!".into(),
                title: None,
                lang: Some("ru".into()),
                rating: Some(5),
                created_at: Timestamp::parse("2026-03-10T12:00:00Z").expect("date"),
                url: Some("https://g.page/r/1".into()),
                status: Status::New,
                tags: vec!["vip".into(), "delivery".into()],
                ours: false,
                source: None,
            }
        );
        // A quoted field over three lines, with a comma and doubled quotes.
        assert_eq!(
            items[1].text,
            "Первая строка\nвторая строка, с запятой\n\"цитата\" и конец"
        );
        assert_eq!(
            items[1].created_at,
            Timestamp::parse("2026-03-11T05:30:00Z").expect("date")
        );
        // No platform, no author id: file platform, the handle stands in for the id.
        assert_eq!(
            (
                items[2].platform,
                items[2].author.id.as_str(),
                items[2].text.as_str()
            ),
            (Platform::File, "walker", "")
        );
        assert_eq!(items[2].created_at, Timestamp(1_773_480_067_000));
        let zh = &items[3];
        assert_eq!(zh.text.as_bytes(), "服务很好，下次还来！".as_bytes());
        assert_eq!(
            (zh.rating, zh.author.name.as_deref(), zh.lang.as_deref()),
            (Some(4), Some("王芳"), Some("zh"))
        );
        let raw = std::fs::read(fixture("reviews.csv")).expect("read");
        assert!(raw.windows(zh.text.len()).any(|w| w == zh.text.as_bytes()));
        // A platform kith has no entry for is kept by name.
        assert_eq!(
            (items[4].platform, items[4].source.as_deref()),
            (Platform::Other, Some("myspace"))
        );
        assert_eq!(items[0].source, None);
    }

    #[test]
    fn semicolons_crlf_and_defaults() {
        let body = "ID;Text;Created At;Account;Kind;Followers;Status\r\n\
                    1;\"a;b\";2026-01-01;;;;\r\n\
                    2;x;2026-01-02;shop;mention;12;spam\r\n\
                    3;y;2026-01-03;;;-1;\r\n";
        let (_dir, path) = temp_file("semi.csv", body.as_bytes());
        let (items, errors) = all(&path);
        assert_eq!(
            errors,
            errs(&[(
                4,
                "followers must be a non-negative whole number, found \"-1\""
            )])
        );
        assert_eq!(items.len(), 2);
        assert_eq!(
            (
                items[0].text.as_str(),
                items[0].kind,
                items[0].account.as_str()
            ),
            ("a;b", Kind::Comment, "file-stem")
        );
        assert_eq!(items[0].author.id, "file:1");
        assert_eq!(
            (items[1].kind, items[1].status, items[1].author.followers),
            (Kind::Mention, Status::Spam, Some(12))
        );
        assert_eq!(items[1].account, "shop");
    }

    #[test]
    fn invalid_bytes_and_lone_surrogates_fail_only_their_row() {
        let (_dir, path) = temp_file(
            "bytes.csv",
            b"id,text,date\n1,ok,2026-01-01\n2,bad \xff,2026-01-01\n3,fine,2026-01-01\n",
        );
        let (items, errors) = all(&path);
        assert_eq!(
            errors,
            errs(&[(3, "invalid UTF-8 in column \"text\" at byte 5")])
        );
        assert_eq!(items.len(), 2);

        let mut units: Vec<u16> = "id,text,date\n1,A,2026-01-01\n2,Б,2026-01-01\n"
            .encode_utf16()
            .collect();
        let at = units.iter().position(|&u| u == u16::from(b'A')).expect("A");
        units[at] = 0xDC00;
        let mut bytes = vec![0xFE, 0xFF];
        bytes.extend(units.iter().flat_map(|u| u.to_be_bytes()));
        let (_dir, path) = temp_file("u16.csv", &bytes);
        let (items, errors) = all(&path);
        assert_eq!(errors, errs(&[(2, "invalid UTF-16: lone surrogate")]));
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].text, "Б");
    }

    const UNCLOSED: &str =
        "a quote opened here is never closed (not within 200 lines or 256 KiB); \
                            the lines after it are read again as rows";

    #[test]
    fn a_quote_never_closed_costs_its_row_not_the_rest() {
        let mut body = String::from("id,text,date\n");
        for i in 1..=1000 {
            if i == 101 {
                body.push_str("101,\"never closed,2026-01-01\n");
            } else {
                body.push_str(&format!("{i},row {i},2026-01-01\n"));
            }
        }
        let (_dir, path) = temp_file("runaway.csv", body.as_bytes());
        let (items, errors) = all(&path);
        assert_eq!(errors, errs(&[(102, UNCLOSED)]));
        assert_eq!(items.len(), 999);
        let ids: Vec<String> = (1..=1000)
            .filter(|i| *i != 101)
            .map(|i| i.to_string())
            .collect();
        let got: Vec<&str> = items.iter().map(|i| i.native_id.as_str()).collect();
        assert_eq!(got, ids);
        assert_eq!(items[100].text, "row 102");
    }

    #[test]
    fn rows_after_a_quote_open_at_the_end_stay_separate_items() {
        let body = "id,text,date\n1,ok,2026-01-01\n2,\"oops,2026-01-01\n3,three,2026-01-02\n\
                    4,four,2026-01-03";
        let (_dir, path) = temp_file("short.csv", body.as_bytes());
        let (items, errors) = all(&path);
        assert_eq!(errors, errs(&[(3, UNCLOSED)]));
        let got: Vec<(&str, &str)> = items
            .iter()
            .map(|i| (i.native_id.as_str(), i.text.as_str()))
            .collect();
        assert_eq!(got, [("1", "ok"), ("3", "three"), ("4", "four")]);
    }

    #[test]
    fn a_stray_quote_further_down_does_not_swallow_the_rows_between() {
        // Row 2 opens a quote and row 5's stray quote "closes" it: one record of the right size,
        // but rows 3 and 4 inside it are rows, with dates where dates go.
        let body = "id,text,date\n1,a,2026-01-01\n2,\"b,2026-01-01\n3,c,2026-01-01\n\
                    4,d,2026-01-01\n5,e \",2026-01-01\n6,\"f\nover\ntwo, or three lines\",2026-01-01\n\
                    7,\"g\n8,h,2026-01-01\n";
        let (_dir, path) = temp_file("stray.csv", body.as_bytes());
        let (items, errors) = all(&path);
        let got: Vec<(&str, &str)> = items
            .iter()
            .map(|i| (i.native_id.as_str(), i.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("1", "a"),
                ("3", "c"),
                ("4", "d"),
                ("5", "e \""),
                ("6", "f\nover\ntwo, or three lines"),
                ("8", "h")
            ]
        );
        assert_eq!(
            errors,
            errs(&[
                (
                    3,
                    "a quote opened here runs to line 6 over lines that read as rows (an unbalanced \
                     quote?); lines 4–6 are read again as rows"
                ),
                (10, UNCLOSED),
            ])
        );
    }

    #[test]
    fn a_nul_byte_fails_only_its_row() {
        let body = b"id,text,date\n1,a\0b,2026-01-01\n2,ok,2026-01-01\n3,\"x\0\ny\",2026-01-01\n";
        let (_dir, path) = temp_file("nul.csv", body);
        let (items, errors) = all(&path);
        let nul = "the line has a NUL byte (binary data?)";
        assert_eq!(errors, errs(&[(2, nul), (4, nul)]));
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].text, "ok");
    }

    #[test]
    fn dates_before_1970_or_in_the_future_fail_their_row() {
        let body = "id,text,date\n1,a,2600-01-01\n2,b,1960-05-01\n3,c,2026-01-01\n";
        let (_dir, path) = temp_file("dates.csv", body.as_bytes());
        let (items, errors) = all(&path);
        assert_eq!(
            errors,
            errs(&[
                (
                    2,
                    "date \"2600-01-01\" in date is more than 48 hours ahead of this computer's \
                     clock; kith does not import items from the future"
                ),
                (
                    3,
                    "date \"1960-05-01\" in date is before 1970-01-01; kith keeps items from 1970 on"
                ),
            ])
        );
        assert_eq!(items.len(), 1);
    }

    #[test]
    fn line_numbers_survive_blank_lines_crlf_and_multiline_fields() {
        for nl in ["\n", "\r\n"] {
            let body = [
                "id,text,date,rating",
                "",
                "1,ok,2026-01-01,9",
                "2,\"multi",
                "line\",2026-01-01,9",
                "",
                "",
                "3,x,2026-01-01,9",
            ]
            .join(nl);
            let (_dir, path) = temp_file("lines.csv", body.as_bytes());
            let (_, errors) = all(&path);
            let lines: Vec<usize> = errors.iter().map(|e| e.0).collect();
            assert_eq!(lines, [3, 4, 8], "{nl:?}");
        }
    }
}
