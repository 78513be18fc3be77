//! Splitting CSV input into records by physical lines, so a quote that is never closed costs one
//! row, not the rest of the file.
//!
//! A quoted field may span lines (RFC 4180). When one is still open after [`MAX_QUOTED_LINES`]
//! lines or [`MAX_QUOTED_BYTES`] bytes, or at the end of the input, the line where it opened is
//! reported and reading resumes on the line after it: the lines the quote swallowed are read
//! again as rows. The lines are kept (pushed back), so this works on pipes too.

use csv::ByteRecord;
use std::collections::VecDeque;
use std::io::{self, BufRead};

/// Most physical lines one quoted field may span.
pub(crate) const MAX_QUOTED_LINES: usize = 200;
/// Most bytes one record with a quoted field over several lines may take.
pub(crate) const MAX_QUOTED_BYTES: u64 = 256 * 1024;
/// Longest physical line kept; a longer one is reported and skipped.
pub(crate) const MAX_LINE: usize = 1024 * 1024;

/// One physical line.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// 1-based line number.
    pub no: usize,
    /// Content without its line ending (empty when it overflowed).
    pub bytes: Vec<u8>,
    /// The ending as read: `\n`, `\r\n`, `\r` or nothing at the end of the input.
    pub ending: &'static [u8],
    /// Offset of the line in the (decoded) input.
    pub start: u64,
    /// Length of the content when it was over [`MAX_LINE`].
    pub overflow: Option<usize>,
}

impl Line {
    /// Offset just past the line and its ending.
    pub(crate) fn end(&self) -> u64 {
        self.start + self.overflow.unwrap_or(self.bytes.len()) as u64 + self.ending.len() as u64
    }
}

/// What [`Split::next_record`] found.
#[derive(Debug)]
pub(crate) enum Piece {
    /// One record: its lines (more than one when a quoted field spans lines).
    Record(Vec<Line>),
    /// A line over [`MAX_LINE`] bytes (its length); skipped.
    TooLong(usize, usize),
    /// A quote opened on this line and was never closed (within the limits); the lines after it
    /// are read again.
    Unclosed(usize),
}

/// Reads records line by line, with lines to read again kept in front.
pub(crate) struct Split {
    reader: Box<dyn BufRead + Send>,
    delim: u8,
    again: VecDeque<Line>,
    next_no: usize,
    offset: u64,
}

impl Split {
    pub(crate) fn new(reader: Box<dyn BufRead + Send>, delim: u8) -> Split {
        Split {
            reader,
            delim,
            again: VecDeque::new(),
            next_no: 1,
            offset: 0,
        }
    }

    /// The number of the next line to be read.
    pub(crate) fn next_line_no(&self) -> usize {
        self.again.front().map_or(self.next_no, |l| l.no)
    }

    /// Puts lines back to be read again before anything else, in their order.
    pub(crate) fn unread(&mut self, lines: Vec<Line>) {
        for l in lines.into_iter().rev() {
            self.again.push_front(l);
        }
    }

    fn line(&mut self) -> io::Result<Option<Line>> {
        if let Some(l) = self.again.pop_front() {
            return Ok(Some(l));
        }
        let mut bytes = Vec::new();
        let Some((ending, overflow)) = read_line(&mut *self.reader, &mut bytes, MAX_LINE)? else {
            return Ok(None);
        };
        let line = Line {
            no: self.next_no,
            bytes,
            ending,
            start: self.offset,
            overflow,
        };
        self.next_no += 1;
        self.offset = line.end();
        Ok(Some(line))
    }

    /// The next record, or `None` at the end of the input.
    pub(crate) fn next_record(&mut self) -> io::Result<Option<Piece>> {
        let Some(first) = self.line()? else {
            return Ok(None);
        };
        if let Some(len) = first.overflow {
            return Ok(Some(Piece::TooLong(first.no, len)));
        }
        let mut scan = Scan::new(self.delim);
        scan.feed(&first.bytes);
        if !scan.in_quotes() {
            return Ok(Some(Piece::Record(vec![first])));
        }
        let mut bytes = first.end() - first.start;
        let mut lines = vec![first];
        loop {
            match self.line()? {
                Some(l) if l.overflow.is_none() => {
                    scan.feed(b"\n");
                    scan.feed(&l.bytes);
                    bytes += l.end() - l.start;
                    lines.push(l);
                    if !scan.in_quotes() {
                        return Ok(Some(Piece::Record(lines)));
                    }
                    if lines.len() > MAX_QUOTED_LINES || bytes > MAX_QUOTED_BYTES {
                        break;
                    }
                }
                Some(too_long) => {
                    lines.push(too_long);
                    break;
                }
                None => break,
            }
        }
        let opened = lines.remove(0).no;
        self.unread(lines);
        Ok(Some(Piece::Unclosed(opened)))
    }
}

/// Where a CSV scan is, as the csv crate reads it: a quote starts a quoted field only at the
/// start of a field; inside one, `""` is a quote and a lone `"` closes it; after the closing
/// quote the field goes on unquoted; a quote inside an unquoted field is a plain character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote seen inside a quoted field: a second one makes a literal quote, else it closed.
    QuoteInQuoted,
}

struct Scan {
    delim: u8,
    state: State,
}

impl Scan {
    fn new(delim: u8) -> Scan {
        Scan {
            delim,
            state: State::FieldStart,
        }
    }

    fn in_quotes(&self) -> bool {
        self.state == State::Quoted
    }

    /// Advances over `bytes`, handing each byte of field content and each field end to `out`.
    fn run(&mut self, bytes: &[u8], mut out: impl FnMut(Option<u8>)) {
        for &b in bytes {
            self.state = match (self.state, b) {
                (State::FieldStart, b'"') => State::Quoted,
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::QuoteInQuoted, b'"') => {
                    out(Some(b'"'));
                    State::Quoted
                }
                (State::Quoted, _) => {
                    out(Some(b));
                    State::Quoted
                }
                (_, d) if d == self.delim => {
                    out(None);
                    State::FieldStart
                }
                _ => {
                    out(Some(b));
                    State::Unquoted
                }
            };
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.run(bytes, |_| {});
    }
}

/// Splits one record's raw bytes (its lines joined by their own endings, without the last
/// ending) into fields.
pub(crate) fn fields(lines: &[Line], delim: u8, out: &mut ByteRecord) {
    out.clear();
    let mut scan = Scan::new(delim);
    let mut field = Vec::new();
    let last = lines.len().saturating_sub(1);
    for (i, l) in lines.iter().enumerate() {
        let mut push = |b: Option<u8>| match b {
            Some(b) => field.push(b),
            None => {
                out.push_field(&field);
                field.clear();
            }
        };
        scan.run(&l.bytes, &mut push);
        if i < last {
            scan.run(l.ending, &mut push);
        }
    }
    out.push_field(&field);
}

/// Reads one physical line into `buf` (without its ending): lines end at `\n`, `\r\n` or a lone
/// `\r` (old Mac exports). Keeps at most `cap` bytes; a longer line is consumed to its end and
/// its length returned. `None` at the end of the input.
fn read_line(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> io::Result<Option<(&'static [u8], Option<usize>)>> {
    buf.clear();
    let mut len = 0usize;
    let mut any = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(any.then(|| (&b""[..], (len > cap).then_some(len))));
        }
        any = true;
        let end = chunk.iter().position(|&b| b == b'\n' || b == b'\r');
        let take = end.unwrap_or(chunk.len());
        if len + take <= cap {
            buf.extend_from_slice(&chunk[..take]);
        } else {
            buf.clear();
        }
        len += take;
        let Some(at) = end else {
            r.consume(take);
            continue;
        };
        let lf = chunk[at] == b'\n';
        r.consume(take + 1);
        let ending: &'static [u8] = if lf {
            b"\n"
        } else {
            // The `\n` of a `\r\n` may be in the next chunk.
            let next = loop {
                match r.fill_buf() {
                    Ok(c) => break c.first().copied(),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if next == Some(b'\n') {
                r.consume(1);
                b"\r\n"
            } else {
                b"\r"
            }
        };
        return Ok(Some((ending, (len > cap).then_some(len))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &'static [u8]) -> Vec<String> {
        let mut s = Split::new(Box::new(io::BufReader::with_capacity(3, input)), b',');
        let mut out = Vec::new();
        let mut rec = ByteRecord::new();
        while let Some(p) = s.next_record().expect("read") {
            out.push(match p {
                Piece::Record(lines) => {
                    fields(&lines, b',', &mut rec);
                    let f: Vec<String> = rec
                        .iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect();
                    format!("{}:{}", lines[0].no, f.join("|"))
                }
                Piece::TooLong(no, len) => format!("{no}:long {len}"),
                Piece::Unclosed(no) => format!("{no}:unclosed"),
            });
        }
        out
    }

    #[test]
    fn fields_follow_the_csv_quoting_rules() {
        assert_eq!(
            split(b"a,\"b,c\",\"d\"\"e\"\r\n\"x\"y,z\"w,\"\"\n,\n"),
            ["1:a|b,c|d\"e", "2:xy|z\"w|", "3:|"]
        );
    }

    #[test]
    fn quoted_fields_keep_their_own_line_endings() {
        assert_eq!(
            split(b"1,\"two\r\nlines\",x\r\n2,\"a\nb\rc\",y"),
            ["1:1|two\r\nlines|x", "3:2|a\nb\rc|y"]
        );
    }

    #[test]
    fn lone_cr_ends_a_line() {
        assert_eq!(split(b"a,b\rc,d\r\re,f"), ["1:a|b", "2:c|d", "3:", "4:e|f"]);
    }

    #[test]
    fn a_quote_open_at_the_end_is_reported_and_its_lines_read_again() {
        assert_eq!(
            split(b"1,ok\n2,\"never closed\n3,x\n4,y\n"),
            ["1:1|ok", "2:unclosed", "3:3|x", "4:4|y"]
        );
    }

    #[test]
    fn a_quote_open_past_the_line_limit_is_reported_and_reading_resumes() {
        let mut body = b"0,\"open\n".to_vec();
        for i in 1..=MAX_QUOTED_LINES + 10 {
            body.extend(format!("{i},row\n").as_bytes());
        }
        let body: &'static [u8] = Box::leak(body.into_boxed_slice());
        let got = split(body);
        assert_eq!(got[0], "1:unclosed");
        assert_eq!(got.len(), MAX_QUOTED_LINES + 11);
        assert_eq!(got[1], "2:1|row");
        assert_eq!(got.last().map(String::as_str), Some("211:210|row"));
    }
}
