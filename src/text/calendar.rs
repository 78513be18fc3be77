//! A week of posts drawn as text: one block per day with a bar of how many posts it holds, and
//! each post's time, state mark, accounts and text. The CLI prints it; the TUI draws the same
//! days as columns.

use crate::domain::post::{Post, Summary};
use crate::domain::when::{self, Zone};
use crate::domain::Timestamp;
use crate::i18n::t;

/// The mark that shows a post's state at a glance.
pub fn mark(s: Summary) -> &'static str {
    match s {
        Summary::Sent => "✓",
        Summary::Partial => "◐",
        Summary::Scheduled | Summary::Draft => "◷",
        Summary::Sending | Summary::RetryWait => "…",
        Summary::Unknown | Summary::Late | Summary::Failed => "!",
        Summary::Cancelled => "✗",
        Summary::AwaitingApproval => "?",
    }
}

/// The posts of each of the 7 days starting at `start` (local midnight), in time order.
pub fn by_day<'a>(posts: &'a [Post], start: Timestamp, zone: &Zone) -> [Vec<&'a Post>; 7] {
    let mut days: [Vec<&Post>; 7] = Default::default();
    let first = when::local(start, zone).date();
    for p in posts {
        let Some(at) = p.calendar_at() else {
            continue;
        };
        let day = (when::local(at, zone).date() - first).num_days();
        if (0..7).contains(&day) {
            days[day as usize].push(p);
        }
    }
    for d in &mut days {
        d.sort_by_key(|p| (p.calendar_at(), p.id));
    }
    days
}

/// The short weekday name from the UI catalog.
pub fn weekday(w: chrono::Weekday) -> String {
    t(when::weekday_key(w))
}

pub fn week_lines(posts: &[Post], start: Timestamp, zone: &Zone) -> Vec<String> {
    use chrono::Datelike;
    let days = by_day(posts, start, zone);
    let most = days.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let mut out = Vec::new();
    for (i, day) in days.iter().enumerate() {
        let date = when::local(Timestamp(start.0 + i as i64 * 86_400_000 + 3_600_000), zone).date();
        out.push(format!(
            "{} {}  {:<10} {}",
            weekday(date.weekday()),
            date.format("%m-%d"),
            super::chart::bar(day.len() as f64, most as f64, 10),
            day.len()
        ));
        for p in day {
            let at = p.calendar_at().unwrap_or(start);
            let accounts: Vec<String> = p
                .targets
                .iter()
                .map(|t| super::sanitize_line(&t.account, 24).text)
                .collect();
            out.push(format!(
                "   {} {} {:<6} {:<20} {}",
                when::local(at, zone).format("%H:%M"),
                mark(p.summary()),
                p.id.to_string(),
                super::truncate_to_width(&accounts.join(","), 20),
                super::sanitize_line(&p.text, 60).text
            ));
        }
    }
    out
}
