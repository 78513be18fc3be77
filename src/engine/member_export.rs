//! The member ranking as files: CSV (for a giveaway or marketing) and JSON lines. Shared by
//! `kith members --csv/--json` and the TUI's export key.

use crate::domain::member::{Act, Period, Trend};
use crate::domain::ranking::{Ranked, Ranking};
use std::io::Write;

pub fn trend_mark(t: Option<Trend>) -> &'static str {
    match t {
        Some(Trend::New) => "new",
        Some(Trend::Up) => "▲",
        Some(Trend::Down) => "▼",
        Some(Trend::Same) => "=",
        None => "",
    }
}

pub fn row_json(r: &Ranked, period: Period) -> serde_json::Value {
    serde_json::json!({
        "rank": r.rank,
        "id": r.person.to_string(),
        "name": r.label(),
        "accounts": r.members.iter().map(|h| serde_json::json!({
            "id": h.id.to_string(),
            "platform": h.platform.as_str(),
            "author_id": h.author_id,
            "handle": h.handle,
            "name": h.name,
            "followers": h.followers,
        })).collect::<Vec<_>>(),
        "period": period.as_str(),
        "score": r.score,
        "previous": r.previous,
        "trend": r.trend,
        "interactions": Act::ALL.iter().filter(|a| r.counts[a.index()] > 0)
            .map(|a| (a.as_str().to_string(), serde_json::json!(r.counts[a.index()])))
            .collect::<serde_json::Map<_, _>>(),
        "followers": r.followers,
        "last_seen": r.last_seen.to_string(),
        "tags": r.tags,
        "last_reward": r.last_reward.as_ref().map(|w| serde_json::json!({
            "at": w.at.to_string(), "what": w.what, "by": w.operator })),
        "activity": r.series,
    })
}

/// True when a spreadsheet could read the cell as a formula (OWASP CSV injection): it starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return, also after leading whitespace or control
/// characters, which spreadsheets skip.
fn formula_like(s: &str) -> bool {
    s.starts_with(['\t', '\r'])
        || s.trim_start_matches(|c: char| c.is_whitespace() || c.is_control())
            .starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Quotes a CSV field when it needs it, and defuses spreadsheet formulas with a leading `'`.
fn csv_field(s: &str) -> String {
    let s = if formula_like(s) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub fn write_csv(r: &Ranking, out: &mut impl Write) -> std::io::Result<()> {
    let mut head = vec![
        "rank",
        "id",
        "name",
        "accounts",
        "platforms",
        "score",
        "previous",
        "trend",
    ];
    let kinds: Vec<&str> = Act::ALL.iter().map(|a| a.as_str()).collect();
    head.extend(kinds.iter());
    head.extend(["followers", "last_seen", "tags", "last_reward"]);
    writeln!(out, "{}", head.join(","))?;
    for x in &r.rows {
        let mut f = vec![
            x.rank.to_string(),
            x.person.to_string(),
            csv_field(x.label()),
            csv_field(
                &x.members
                    .iter()
                    .map(|h| h.qualified())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            x.platforms()
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            format!("{:.3}", x.score),
            x.previous.map(|p| format!("{p:.3}")).unwrap_or_default(),
            trend_mark(x.trend)
                .replace('▲', "up")
                .replace('▼', "down")
                .replace('=', "same"),
        ];
        f.extend(x.counts.iter().map(|c| c.to_string()));
        f.push(x.followers.to_string());
        f.push(x.last_seen.to_string());
        f.push(csv_field(&x.tags.join(" ")));
        f.push(
            x.last_reward
                .as_ref()
                .map(|w| csv_field(&format!("{} {}", &w.at.to_string()[..10], w.what)))
                .unwrap_or_default(),
        );
        writeln!(out, "{}", f.join(","))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn formulas_are_defused_as_owasp_says() {
        for (raw, want) in [
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "\"'\r=1+1\""),
            ("\tplain", "'\tplain"),
            (" =1+1", "' =1+1"),
            ("\u{a0}\u{3000}=cmd", "'\u{a0}\u{3000}=cmd"),
            ("\u{0}\u{1b}+x", "'\u{0}\u{1b}+x"),
            ("\n-x", "\"'\n-x\""),
            ("plain", "plain"),
            ("a=b", "a=b"),
            ("", ""),
            ("say \"hi\", ok", "\"say \"\"hi\"\", ok\""),
        ] {
            assert_eq!(csv_field(raw), want, "{raw:?}");
        }
    }
}
