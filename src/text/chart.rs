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
    let d = score_decimals(s);
    format!("{s:.d$}")
}

/// How many decimals `score` shows for this total.
fn score_decimals(total: f64) -> usize {
    if total >= 1000.0 {
        0
    } else {
        1
    }
}

/// The parts of a score as shown beside it: rounded to the total's decimals so that the shown
/// parts add up to the shown total (largest remainder: the parts that lost most to rounding
/// get the missing units). `parts` should sum to `total`.
pub fn score_parts(total: f64, parts: &[f64]) -> Vec<String> {
    let d = score_decimals(total);
    let scale = 10f64.powi(d as i32);
    let target = (total * scale).round() as i64;
    let mut units: Vec<i64> = parts.iter().map(|p| (p * scale).floor() as i64).collect();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    // Largest fraction first; ties keep the parts' own order.
    order.sort_by(|&a, &b| {
        let fa = parts[a] * scale - units[a] as f64;
        let fb = parts[b] * scale - units[b] as f64;
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    let mut missing = target - units.iter().sum::<i64>();
    let mut i = 0;
    while missing != 0 && !order.is_empty() {
        // Past the end (only when the parts do not add up to the total): go round again.
        let at = if missing > 0 {
            order[i % order.len()]
        } else {
            order[order.len() - 1 - i % order.len()]
        };
        units[at] += missing.signum();
        missing -= missing.signum();
        i += 1;
    }
    units
        .iter()
        .map(|&u| format!("{:.d$}", u as f64 / scale))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_parts_add_up_to_the_shown_total() {
        // 1.25 + 1.25 = 2.5: rounding each alone shows 1.3 + 1.3 = 2.6.
        assert_eq!(score_parts(2.5, &[1.25, 1.25]), ["1.3", "1.2"]);
        let parts = [3.333, 3.333, 3.334];
        assert_eq!(score(10.0), "10.0");
        let shown = score_parts(10.0, &parts);
        let sum: f64 = shown.iter().map(|s| s.parse::<f64>().unwrap()).sum();
        assert_eq!(format!("{sum:.1}"), "10.0");
        assert_eq!(shown, ["3.3", "3.3", "3.4"]);
        // Large totals show no decimals, and neither do their parts.
        assert_eq!(score(1500.4), "1500");
        assert_eq!(score_parts(1500.4, &[750.6, 749.8]), ["750", "750"]);
        assert!(score_parts(0.0, &[]).is_empty());
    }

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
