//! Small terminal charts as plain text: sparklines, bars, compact numbers. Shared by the TUI
//! and the CLI's plain output.

const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One character per value, scaled to the largest; zero is a space-like low dot.
pub fn sparkline(values: &[u64]) -> String {
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| {
            if v == 0 || max == 0 {
                '·'
            } else {
                BLOCKS[((v * 7 / max) as usize).min(7)]
            }
        })
        .collect()
}

/// A bar of `value / max` of `width` cells (at least one cell for any non-zero value).
pub fn bar(value: f64, max: f64, width: usize) -> String {
    if value <= 0.0 || max <= 0.0 || width == 0 {
        return String::new();
    }
    let cells = ((value / max) * width as f64)
        .round()
        .clamp(1.0, width as f64) as usize;
    "█".repeat(cells)
}

/// 950, 1.2k, 34k, 1.5M.
pub fn compact(n: u64) -> String {
    match n {
        0..=999 => n.to_string(),
        1_000..=9_999 => format!("{:.1}k", n as f64 / 1e3),
        10_000..=999_999 => format!("{}k", n / 1_000),
        1_000_000..=9_999_999 => format!("{:.1}M", n as f64 / 1e6),
        _ => format!("{}M", n / 1_000_000),
    }
}

/// A score with one decimal, or none when it is large.
pub fn score(s: f64) -> String {
    if s >= 1000.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts() {
        assert_eq!(sparkline(&[0, 1, 2, 4, 8]), "·▁▂▄█");
        assert_eq!(sparkline(&[0, 0]), "··");
        assert_eq!(bar(5.0, 10.0, 10), "█████");
        assert_eq!(bar(0.01, 10.0, 10), "█");
        assert_eq!(bar(0.0, 10.0, 10), "");
        assert_eq!(compact(999), "999");
        assert_eq!(compact(12_345), "12k");
        assert_eq!(compact(1_500_000), "1.5M");
        assert_eq!(score(4.25), "4.2");
    }
}
