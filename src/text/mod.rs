//! Text safety and terminal widths. Every string from outside (platforms, files, API errors)
//! is shown through `sanitize_*`; every width is measured on grapheme clusters.
//! (Pure functions, no terminal library: the TUI and the CLI's plain output both use them.)

pub mod calendar;
mod caret;
pub mod chart;
mod compat;
pub mod count;
pub mod preview;
mod sanitize;
pub mod split;
pub mod voice;
mod width;

pub use caret::caret_lines;
pub use count::{count_for, over_limit, BLUESKY_MAX_BYTES, MASTODON_URL_CHARS};
pub use sanitize::{
    is_bidi, is_mixed_script, sanitize_block, sanitize_identity, sanitize_line, sanitize_terminal,
    Flags, Safe, ELLIPSIS, MAX_MARKS, NEWLINE_MARK,
};
pub use split::{split_ranges, split_thread};
pub use width::{grapheme_width, pad_to_width, truncate_to_width, width};
