//! Item tags as the list shows them: `#name` in the tag's colour (from `[tags] colors`, else a
//! stable colour from a small palette), as many as fit a budget of cells, then `+N`.

use super::theme;
use crate::config::tags::TagColor;
use crate::text::{sanitize_line, truncate_to_width, width};
use ratatui::style::{Color, Style};
use ratatui::text::Span;
use std::collections::HashMap;

/// The widest one tag is shown (longer names end in `…`).
const MAX_TAG_CELLS: usize = 14;

/// Colours for tags without one of their own: none of them is a status colour, so a tag never
/// reads as "new" or "done".
const PALETTE: [Color; 6] = [
    Color::LightBlue,
    Color::LightMagenta,
    Color::LightCyan,
    Color::LightGreen,
    Color::LightRed,
    Color::Blue,
];

const ANSI: [Color; 16] = [
    Color::Black,
    Color::Red,
    Color::Green,
    Color::Yellow,
    Color::Blue,
    Color::Magenta,
    Color::Cyan,
    Color::Gray,
    Color::DarkGray,
    Color::LightRed,
    Color::LightGreen,
    Color::LightYellow,
    Color::LightBlue,
    Color::LightMagenta,
    Color::LightCyan,
    Color::White,
];

/// A tag's colour: the configured one, else the palette's by a hash of the folded name
/// (FNV-1a: the same on every machine and run).
pub fn color(colors: &HashMap<String, TagColor>, name: &str) -> Color {
    let folded = crate::domain::tag::fold(name);
    match colors.get(&folded) {
        Some(TagColor::Named(i)) => ANSI[(*i as usize).min(15)],
        Some(TagColor::Rgb(r, g, b)) => Color::Rgb(*r, *g, *b),
        None => {
            let mut h: u32 = 0x811c_9dc5;
            for b in folded.bytes() {
                h ^= b as u32;
                h = h.wrapping_mul(0x0100_0193);
            }
            PALETTE[h as usize % PALETTE.len()]
        }
    }
}

/// One tag as shown: sanitized, `#` in front, at most [`MAX_TAG_CELLS`] cells.
fn label(name: &str) -> String {
    let safe = sanitize_line(name.trim(), 40).text;
    let shown = if width(&safe) > MAX_TAG_CELLS - 1 {
        format!("{}…", truncate_to_width(&safe, MAX_TAG_CELLS - 2))
    } else {
        safe
    };
    format!("#{shown}")
}

/// Spans for an item's tags within `budget` cells, ending with one blank cell, and the cells
/// they take (0 when none fit: a row never shows a tag cut to nothing).
pub fn spans(
    tags: &[String],
    budget: usize,
    colors: &HashMap<String, TagColor>,
    base: Style,
) -> (Vec<Span<'static>>, usize) {
    let tags = crate::domain::tag::distinct(tags);
    let mut out = Vec::new();
    let mut used = 0;
    for (i, t) in tags.iter().enumerate() {
        let rest = tags.len() - i - 1;
        // Room for " +N" when tags remain after this one, and the trailing blank.
        let reserve = if rest > 0 {
            2 + rest.to_string().len()
        } else {
            0
        } + 1;
        let mut piece = label(t);
        let gap = usize::from(i > 0);
        let room = budget.saturating_sub(used + gap + reserve);
        if width(&piece) > room {
            // The first tag is cut to fit (with its `#` and one letter at least); a later one
            // that does not fit goes into the `+N`.
            if i > 0 || room < 3 {
                if i > 0 {
                    let more = format!(" +{}", tags.len() - i);
                    used += width(&more);
                    out.push(Span::styled(more, base.patch(theme::dim())));
                }
                break;
            }
            piece = format!("{}…", truncate_to_width(&piece, room - 1));
        }
        if gap > 0 {
            out.push(Span::styled(" ".to_string(), base));
        }
        used += gap + width(&piece);
        out.push(Span::styled(
            piece,
            base.patch(Style::new().fg(color(colors, t))),
        ));
    }
    if out.is_empty() {
        return (Vec::new(), 0);
    }
    out.push(Span::styled(" ".to_string(), base));
    (out, used + 1)
}

/// The cells a row gives its tags out of the text column: two fifths of it, at most 34 (14 on
/// a list too narrow for the kind column). Tags go first when space is short: with less than
/// 36 cells of text (an 80-column terminal) a row shows none, and what the customer wrote keeps
/// every cell; the detail pane lists the tags.
pub fn budget(text_cells: usize, wide: bool) -> usize {
    if text_cells < 36 {
        return 0;
    }
    (text_cells * 2 / 5).min(if wide { 34 } else { 14 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|s| s.to_string()).collect()
    }

    fn text(spans: &[Span]) -> String {
        spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn tags_fit_their_budget_with_a_count_of_the_rest() {
        let none = HashMap::new();
        let tags = v(&["delivery", "vip", "refund", "доставка"]);
        for budget in 0..40 {
            let (s, used) = spans(&tags, budget, &none, Style::new());
            assert_eq!(width(&text(&s)), used, "{budget}");
            assert!(used <= budget, "{budget}: {used}");
        }
        let (s, _) = spans(&tags, 20, &none, Style::new());
        assert_eq!(text(&s), "#delivery #vip +2 ");
        let (s, _) = spans(&tags, 12, &none, Style::new());
        assert_eq!(text(&s), "#delive… +3 ");
        let (s, _) = spans(&tags, 60, &none, Style::new());
        assert_eq!(text(&s), "#delivery #vip #refund #доставка ");
        // Duplicates in another case show once.
        let (s, _) = spans(&v(&["VIP", "vip"]), 30, &none, Style::new());
        assert_eq!(text(&s), "#VIP ");
    }

    #[test]
    fn wide_and_hostile_names_are_measured_and_cut() {
        let none = HashMap::new();
        let (s, used) = spans(&v(&["发货太慢了发货太慢了"]), 30, &none, Style::new());
        assert_eq!(text(&s), "#发货太慢了发… ");
        assert_eq!(used, 15);
        let (s, _) = spans(&v(&["a\u{1b}[31mb"]), 30, &none, Style::new());
        assert!(!text(&s).contains('\u{1b}'), "{:?}", text(&s));
    }

    #[test]
    fn configured_colours_win_and_others_are_stable() {
        let colors: HashMap<String, TagColor> = [
            ("vip".to_string(), TagColor::Rgb(0xff, 0x88, 0)),
            ("refund".to_string(), TagColor::Named(1)),
        ]
        .into();
        assert_eq!(color(&colors, "VIP"), Color::Rgb(0xff, 0x88, 0));
        assert_eq!(color(&colors, "refund"), Color::Red);
        let a = color(&colors, "delivery");
        assert_eq!(a, color(&HashMap::new(), "Delivery"));
        assert!(PALETTE.contains(&a));
    }
}
