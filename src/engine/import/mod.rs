//! Import of reviews and comments from files: JSON lines and CSV (incl. Google Play exports).
//!
//! [`open`] sniffs the encoding (UTF-8 with or without BOM, UTF-16 LE/BE with BOM) and the format
//! (first non-whitespace byte `{` → JSONL, anything else → CSV) and returns an [`Importer`]: an
//! iterator with one `Result` per line or record, so one bad line never stops the rest. The engine
//! stores what it yields; nothing here touches the store. Input that is clearly neither (empty,
//! binary, a ZIP/.xlsx, a JSON array, XML/HTML) is refused with [`ImportError::NotJsonlOrCsv`].
//! The input may be a file, a pipe or FIFO, or standard input (`-`): nothing seeks.
//!
//! The formats are described in `jsonl.rs`, `csv.rs` and `play.rs` (Google Play exports).
//! `source.rs` decodes, `binary.rs` tells binary input from text, `lines.rs` reads capped JSONL
//! lines, `json_obj.rs` reads JSON fields, `csv_split.rs` splits CSV records (and recovers from a
//! quote never closed), `csv_row.rs` maps CSV columns, `fields.rs` holds the value rules (dates,
//! ratings, statuses, platforms) that both formats share, so they report the same reasons.

mod binary;
mod csv;
mod csv_row;
mod csv_split;
mod fields;
mod json_obj;
mod jsonl;
mod lines;
mod play;
mod source;

use crate::domain::{NewItem, Timestamp};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::Ordering;

/// How a message names standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// A line (JSONL) or record (CSV) that could not be imported. The rest of the file still is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based physical line; for CSV the line the record starts on.
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for LineError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Jsonl => "JSONL",
            Format::Csv => "CSV",
        })
    }
}

/// Why a whole file cannot be imported. Every message starts with the file name.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: {error}")]
    Io { file: String, error: std::io::Error },
    #[error("{file}: not JSONL or CSV: {reason}")]
    NotJsonlOrCsv { file: String, reason: String },
    #[error("{file}: CSV header lacks required column {column} (has: {has})")]
    MissingColumn {
        file: String,
        column: String,
        has: String,
    },
}

/// Streams parsed items from a file: one `Result` per non-blank line (JSONL) or record (CSV).
pub struct Importer {
    format: Format,
    rows: Rows,
    progress: source::Progress,
}

enum Rows {
    Jsonl(jsonl::Lines),
    Csv(Box<csv::Records>),
}

/// Whether `path` names standard input (`-`).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Streams parsed items from a file, a FIFO or pipe, or standard input when `path` is `-`.
/// `default_account` is used when a row names none (e.g. the file name stem). Detects the format
/// from content (first non-whitespace byte `{` → JSONL; else CSV) and encoding (UTF-8 with or
/// without BOM, UTF-16 LE/BE with BOM). Creation times are checked against this machine's clock.
pub fn open(path: &Path, default_account: &str) -> Result<Importer, ImportError> {
    let (name, input, total): (String, Box<dyn Read + Send>, Option<u64>) = if is_stdin(path) {
        (STDIN_NAME.into(), Box::new(std::io::stdin()), None)
    } else {
        let name = path.display().to_string();
        let io = |error| ImportError::Io {
            file: name.clone(),
            error,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let meta = file.metadata().map_err(io)?;
        // A pipe, FIFO or device has no size to measure progress against.
        let total = meta.is_file().then_some(meta.len());
        (name, Box::new(file), total)
    };
    open_reader(&name, input, total, default_account, Timestamp::now())
}

/// [`open`] on any reader: `name` is how messages call it, `total` its size when known, `now`
/// the clock creation times are checked against.
pub fn open_reader(
    name: &str,
    input: Box<dyn Read + Send>,
    total: Option<u64>,
    default_account: &str,
    now: Timestamp,
) -> Result<Importer, ImportError> {
    let file = name.to_string();
    let src = source::Source::new(input, total).map_err(|error| ImportError::Io {
        file: file.clone(),
        error,
    })?;
    let not = |reason: &str| ImportError::NotJsonlOrCsv {
        file: file.clone(),
        reason: reason.to_string(),
    };
    if let Some(reason) = src.not_text {
        return Err(not(reason));
    }
    let first = src
        .prefix
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace());
    let format = match first {
        None if src.prefix.len() < source::SNIFF_BYTES => {
            return Err(not("the file is empty or blank"))
        }
        None => return Err(not("the file starts with 64 KiB of blank space")),
        Some(b'{') => Format::Jsonl,
        Some(b'[') => {
            return Err(not(
                "it is a JSON array; kith imports JSON lines, one object per line",
            ))
        }
        Some(b'<') => return Err(not("it looks like XML or HTML")),
        Some(_) => Format::Csv,
    };
    let progress = src.progress.clone();
    let ctx = fields::Ctx {
        account: default_account.to_string(),
        now,
    };
    let rows = match format {
        Format::Jsonl => Rows::Jsonl(jsonl::Lines::new(src, ctx)),
        Format::Csv => Rows::Csv(Box::new(csv::Records::new(src, ctx, &file)?)),
    };
    Ok(Importer {
        format,
        rows,
        progress,
    })
}

impl Importer {
    pub fn format(&self) -> Format {
        self.format
    }

    /// Size of the input in bytes, when known (not for a pipe).
    pub fn bytes_total(&self) -> Option<u64> {
        self.progress.total
    }

    /// How far parsing has got, in input bytes (an estimate: readers buffer ahead; UTF-16 input
    /// is decoded up front and scaled). Reaches `bytes_total` at the end.
    pub fn bytes_read(&self) -> u64 {
        let p = &self.progress;
        let read = p.read.load(Ordering::Relaxed);
        let v = match (p.decoded_len, p.total) {
            (Some(0), Some(total)) => total,
            (Some(len), Some(total)) => {
                p.skipped
                    + (read as u128 * total.saturating_sub(p.skipped) as u128 / len as u128) as u64
            }
            _ => p.skipped + read,
        };
        p.total.map_or(v, |total| v.min(total))
    }
}

impl Iterator for Importer {
    type Item = Result<NewItem, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.rows {
            Rows::Jsonl(l) => l.next(),
            Rows::Csv(c) => c.next(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::PathBuf;

    pub(crate) fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import")
            .join(name)
    }

    /// Writes `bytes` to a temporary file named `name`.
    pub(crate) fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write temp file");
        (dir, path)
    }

    /// The context rows are read in by the tests: account "x", the machine's clock.
    pub(crate) fn ctx() -> fields::Ctx {
        fields::Ctx {
            account: "x".into(),
            now: Timestamp::now(),
        }
    }

    /// Imports a whole file with default account "file-stem": the items and the line errors.
    pub(crate) fn collect(path: &Path, format: Format) -> (Vec<NewItem>, Vec<LineError>) {
        let imp = open(path, "file-stem").expect("open");
        assert_eq!(imp.format(), format);
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        for r in imp {
            match r {
                Ok(i) => ok.push(i),
                Err(e) => bad.push(e),
            }
        }
        (ok, bad)
    }

    /// A valid JSONL line for a VK comment.
    pub(crate) fn jsonl_line(id: &str, text: &str) -> String {
        format!(
            "{{\"platform\":\"vk\",\"kind\":\"comment\",\"native_id\":\"{id}\",\"author\":{{\"id\":1}},\
             \"text\":\"{text}\",\"created_at\":\"2026-01-01\"}}"
        )
    }

    fn open_err(bytes: &[u8]) -> String {
        let (_dir, path) = temp_file("x.txt", bytes);
        match open(&path, "acc") {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string().replace(&path.display().to_string(), "FILE"),
        }
    }

    #[test]
    fn importer_can_move_to_another_thread() {
        fn send<T: Send>() {}
        send::<Importer>();
        send::<ImportError>();
    }

    #[test]
    fn detects_format_of_each_fixture() {
        for (name, want) in [
            ("good.jsonl", Format::Jsonl),
            ("mixed.jsonl", Format::Jsonl),
            ("reviews.csv", Format::Csv),
            ("google_play.csv", Format::Csv),
        ] {
            let imp = open(&fixture(name), "acc").expect(name);
            assert_eq!(imp.format(), want, "{name}");
        }
    }

    #[test]
    fn whole_file_errors_name_the_file() {
        assert_eq!(
            open_err(b""),
            "FILE: not JSONL or CSV: the file is empty or blank"
        );
        assert_eq!(
            open_err(b" \n\r\n\t"),
            "FILE: not JSONL or CSV: the file is empty or blank"
        );
        assert_eq!(
            open_err(b"[{\"a\":1}]"),
            "FILE: not JSONL or CSV: it is a JSON array; kith imports JSON lines, one object per line"
        );
        assert_eq!(
            open_err(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            "FILE: not JSONL or CSV: it is binary data"
        );
        assert_eq!(
            open_err(b"PK\x03\x04\x14\0\x06\0"),
            "FILE: not JSONL or CSV: it is a ZIP archive (an Excel .xlsx?); save it as CSV UTF-8"
        );
        let missing = std::env::temp_dir().join("kith-import-no-such-file.jsonl");
        let e = open(&missing, "acc")
            .err()
            .expect("missing file must fail")
            .to_string();
        assert!(e.starts_with(&format!("{}: ", missing.display())), "{e}");
    }

    #[test]
    fn bad_header_names_the_missing_column_and_what_it_has() {
        let path = fixture("bad_header.csv");
        let e = open(&path, "acc").err().expect("bad header must fail");
        assert!(matches!(e, ImportError::MissingColumn { .. }));
        assert_eq!(
            e.to_string(),
            format!(
                "{}: CSV header lacks required column native_id|id|review_id (has: user, message, stars, date)",
                path.display()
            )
        );
    }

    #[test]
    fn progress_reaches_the_file_size() {
        for name in ["good.jsonl", "reviews.csv", "google_play.csv"] {
            let mut imp = open(&fixture(name), "acc").expect(name);
            let total = std::fs::metadata(fixture(name)).expect("stat").len();
            assert_eq!(imp.bytes_total(), Some(total));
            assert!(imp.bytes_read() <= total);
            while imp.next().is_some() {}
            assert_eq!(imp.bytes_read(), total, "{name}");
        }
    }

    #[test]
    fn utf16_be_and_utf8_bom_jsonl_decode_the_same() {
        let line =
            "{\"platform\":\"vk\",\"kind\":\"comment\",\"native_id\":1,\"author\":{\"id\":2},\
                    \"text\":\"Привет 你好 🎉\",\"created_at\":1700000000}\n";
        let mut be = vec![0xFE, 0xFF];
        be.extend(line.encode_utf16().flat_map(|u| u.to_be_bytes()));
        let mut le = vec![0xFF, 0xFE];
        le.extend(line.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let mut bom8 = vec![0xEF, 0xBB, 0xBF];
        bom8.extend(line.as_bytes());
        for bytes in [be, le, bom8] {
            let (_dir, path) = temp_file("x.jsonl", &bytes);
            let mut imp = open(&path, "acc").expect("open");
            assert_eq!(imp.format(), Format::Jsonl);
            let item = imp.next().expect("one item").expect("valid");
            assert_eq!(item.text, "Привет 你好 🎉");
            assert!(imp.next().is_none());
            assert_eq!(imp.bytes_read(), bytes.len() as u64);
        }
    }
}
