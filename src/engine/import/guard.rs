//! The CSV input wrapper: caps the length of one record and remembers the latest bytes.

use std::io::{self, Read};

/// Longest record read (approximately: the reader buffers ahead a few KiB).
pub(crate) const MAX_RECORD: u64 = 1024 * 1024;

/// The CSV reader's buffer; the guard remembers the last [`RING`] bytes, more than it can be ahead.
pub(crate) const BUFFER: usize = 8 * 1024;
const RING: usize = 64 * 1024;

/// Wraps the input to stop a runaway record (an unbalanced quote would otherwise make the CSV
/// reader buffer the rest of the file as one field), and remembers the latest bytes so record
/// line numbers can be worked out.
pub(crate) struct Guard {
    inner: Box<dyn Read + Send>,
    since_mark: u64,
    /// Set once a record ran over [`MAX_RECORD`]; the reader cannot go on after that.
    pub tripped: bool,
    ring: Vec<u8>,
    pos: u64,
}

impl Guard {
    pub(crate) fn new(inner: Box<dyn Read + Send>) -> Guard {
        Guard {
            inner,
            since_mark: 0,
            tripped: false,
            ring: vec![0; RING],
            pos: 0,
        }
    }

    /// Called after each complete record.
    pub(crate) fn mark(&mut self) {
        self.since_mark = 0;
    }

    /// The byte at offset `off` of the input, if it is among the latest [`RING`] read.
    pub(crate) fn byte_at(&self, off: u64) -> Option<u8> {
        if off >= self.pos || self.pos - off > RING as u64 {
            return None;
        }
        self.ring.get((off % RING as u64) as usize).copied()
    }
}

impl Read for Guard {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.since_mark > MAX_RECORD {
            self.tripped = true;
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "record longer than 1 MiB",
            ));
        }
        let n = self.inner.read(buf)?;
        self.since_mark += n as u64;
        let mut data = &buf[..n];
        if data.len() > RING {
            self.pos += (data.len() - RING) as u64;
            data = &data[data.len() - RING..];
        }
        while !data.is_empty() {
            let at = (self.pos % RING as u64) as usize;
            let k = data.len().min(RING - at);
            self.ring[at..at + k].copy_from_slice(&data[..k]);
            self.pos += k as u64;
            data = &data[k..];
        }
        Ok(n)
    }
}
