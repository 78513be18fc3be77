//! Reading what the operator typed: words for days in English, Russian and Chinese, clock
//! times, relative offsets and ISO dates, into a [`Spec`] that `parse_when` resolves.

use super::MAX_AHEAD_MS;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Weekday};

pub(super) enum Spec {
    Now,
    /// Milliseconds after now.
    After(i64),
    Instant(DateTime<FixedOffset>),
    Local {
        day: Option<Day>,
        time: Option<NaiveTime>,
    },
}

#[derive(Clone, Copy)]
pub(super) enum Day {
    /// Days after today (0 = today).
    Offset(i64),
    Weekday(Weekday),
    Date(NaiveDate),
    /// Month and day: the next time that date comes.
    Yearly(u32, u32),
}

pub(super) fn read(input: &str) -> Option<Spec> {
    let raw = input.trim();
    if raw.is_empty() || raw.len() > 200 {
        return None;
    }
    if let Some(spec) = iso(raw) {
        return Some(spec);
    }
    let folded = fold(raw);
    if matches!(folded.as_str(), "now" | "сейчас" | "现在" | "立即" | "马上") {
        return Some(Spec::Now);
    }
    if let Some(ms) = relative(&folded) {
        return Some(Spec::After(ms));
    }
    let text = chinese_clock(&folded);
    let mut day = None;
    let mut time = None;
    let mut meridiem = None;
    let mut bare_hour = false;
    for token in tokens(&text) {
        let token = token.as_str();
        if FILLER.contains(&token) {
            continue;
        }
        if let Some(m) = meridiem_word(token) {
            set_once(&mut meridiem, m)?;
        } else if let Some(d) = day_word(token).or_else(|| date(token)) {
            set_once(&mut day, d)?;
        } else if let Some((t, m)) = clock(token) {
            bare_hour = !token.contains(':') && m.is_none();
            set_once(&mut time, t)?;
            if let Some(m) = m {
                set_once(&mut meridiem, m)?;
            }
        } else {
            return None;
        }
    }
    // A lone number is not a time (`9` could be anything); with a day or am/pm it is.
    if bare_hour && day.is_none() && meridiem.is_none() {
        return None;
    }
    let time = match (time, meridiem) {
        (Some(t), Some(pm)) => Some(apply_meridiem(t, pm)?),
        (None, Some(_)) => return None,
        (t, None) => t,
    };
    Some(Spec::Local { day, time })
}

fn set_once<T>(slot: &mut Option<T>, v: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(v);
    Some(())
}

/// Words that add nothing: `at 9`, `в пятницу`, `во вторник`.
const FILLER: &[&str] = &["at", "on", "в", "во", "на"];

/// Lower case, and full-width ASCII (from CJK input methods) as ASCII.
pub(super) fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The Chinese ways of writing a clock time or a date rewritten to the ASCII ones
/// (`9点30分` → `9:30`, `9点半` → `9:30`, `12月8日` → `12-8`).
fn chinese_clock(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let digit = |i: usize| chars.get(i).is_some_and(|c| c.is_ascii_digit());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let after_digit = i > 0 && digit(i - 1);
        match c {
            '点' | '时' | '時' if after_digit => {
                if chars.get(i + 1) == Some(&'半') {
                    out.push_str(":30");
                    i += 1;
                } else if digit(i + 1) {
                    out.push(':');
                } else {
                    out.push_str(":00");
                }
            }
            '分' if after_digit => {}
            '年' | '月' if after_digit => out.push('-'),
            '日' | '号' if after_digit => out.push(' '),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Splits on spaces and commas, and where CJK meets anything else (`明天9:00`).
fn tokens(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_cjk = false;
    for c in s.chars() {
        if c.is_whitespace() || c == ',' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let cjk = is_cjk(c);
        if !cur.is_empty() && cjk != cur_cjk {
            push_token(&mut out, std::mem::take(&mut cur), cur_cjk);
        }
        cur_cjk = cjk;
        cur.push(c);
    }
    if !cur.is_empty() {
        push_token(&mut out, cur, cur_cjk);
    }
    out
}

/// Chinese writes words without spaces (`明天上午`): a CJK run is cut into the words kith
/// knows, longest first; what is left stays one token (and fails to read).
fn push_token(out: &mut Vec<String>, token: String, cjk: bool) {
    const WORDS: &[&str] = &[
        "星期", "礼拜", "禮拜", "周", "今天", "今日", "明天", "明日", "后天", "後天", "上午",
        "下午", "晚上", "中午", "早上", "凌晨", "傍晚",
    ];
    if !cjk {
        out.push(token);
        return;
    }
    let mut rest = token.as_str();
    while !rest.is_empty() {
        let word = WORDS
            .iter()
            .filter(|w| rest.starts_with(**w))
            .max_by_key(|w| w.len());
        let len = match word {
            // A weekday prefix takes its day character with it: 周五, 星期日.
            Some(w) if matches!(*w, "星期" | "礼拜" | "禮拜" | "周") => {
                w.len() + rest[w.len()..].chars().next().map_or(0, char::len_utf8)
            }
            Some(w) => w.len(),
            None => rest.len(),
        };
        out.push(rest[..len].to_string());
        rest = &rest[len..];
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

fn day_word(t: &str) -> Option<Day> {
    let offset = match t {
        "today" | "tod" | "сегодня" | "今天" | "今日" => Some(0),
        "tomorrow" | "tmrw" | "tmr" | "завтра" | "明天" | "明日" => Some(1),
        "послезавтра" | "后天" | "後天" => Some(2),
        _ => None,
    };
    if let Some(n) = offset {
        return Some(Day::Offset(n));
    }
    weekday(t).map(Day::Weekday)
}

fn weekday(t: &str) -> Option<Weekday> {
    use Weekday::*;
    let w = match t {
        "mon" | "monday" | "пн" | "пон" | "понедельник" => Mon,
        "tue" | "tues" | "tuesday" | "вт" | "вторник" => Tue,
        "wed" | "wednesday" | "ср" | "среда" | "среду" => Wed,
        "thu" | "thur" | "thurs" | "thursday" | "чт" | "четверг" => Thu,
        "fri" | "friday" | "пт" | "пятница" | "пятницу" => Fri,
        "sat" | "saturday" | "сб" | "суббота" | "субботу" => Sat,
        "sun" | "sunday" | "вс" | "воскресенье" => Sun,
        _ => {
            // 周五, 星期五, 礼拜五 (and 周日/周天 for Sunday).
            let rest = ["周", "星期", "礼拜", "禮拜"]
                .iter()
                .find_map(|p| t.strip_prefix(p))?;
            match rest {
                "一" => Mon,
                "二" => Tue,
                "三" => Wed,
                "四" => Thu,
                "五" => Fri,
                "六" => Sat,
                "日" | "天" => Sun,
                _ => return None,
            }
        }
    };
    Some(w)
}

/// `2026-12-08`, `2026/12/08`, `12-08` (month-day), `08.12` and `08.12.2026` (day.month).
fn date(t: &str) -> Option<Day> {
    let nums = |sep: char| -> Option<Vec<u32>> {
        let parts: Vec<&str> = t.split(sep).collect();
        if parts.len() < 2
            || parts.len() > 3
            || parts
                .iter()
                .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        parts.iter().map(|p| p.parse().ok()).collect()
    };
    let ymd = |y: u32, m: u32, d: u32| {
        NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d).map(Day::Date)
    };
    let md = |m: u32, d: u32| NaiveDate::from_ymd_opt(2000, m, d).map(|_| Day::Yearly(m, d));
    for sep in ['-', '/'] {
        if let Some(n) = nums(sep) {
            return match n[..] {
                [y, m, d] if y >= 1000 => ymd(y, m, d),
                [m, d] => md(m, d),
                _ => None,
            };
        }
    }
    match nums('.')?[..] {
        [d, m, y] if y >= 1000 => ymd(y, m, d),
        [d, m] => md(m, d),
        _ => None,
    }
}

/// A time of day: `9`, `09:00`, `21:15:30`, `9am`, `5:30pm`; with its am/pm if attached.
pub(super) fn clock(t: &str) -> Option<(NaiveTime, Option<bool>)> {
    let (num, m) = if let Some(n) = t.strip_suffix("am").or_else(|| t.strip_suffix("a.m.")) {
        (n, Some(false))
    } else if let Some(n) = t.strip_suffix("pm").or_else(|| t.strip_suffix("p.m.")) {
        (n, Some(true))
    } else {
        (t, None)
    };
    let mut parts = num.split(':');
    let mut field = |max: u32| -> Option<Option<u32>> {
        match parts.next() {
            None => Some(None),
            Some(p) if (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) => {
                let v: u32 = p.parse().ok()?;
                (v <= max).then_some(Some(v))
            }
            Some(_) => None,
        }
    };
    let h = field(23)??;
    let min = field(59)?;
    let sec = field(59)?;
    if parts.next().is_some() || (min.is_none() && num.contains(':')) {
        return None;
    }
    // `9:5` is a typo, not 9:05.
    if num.split(':').skip(1).any(|p| p.len() != 2) {
        return None;
    }
    if m.is_some() && !(1..=12).contains(&h) {
        return None;
    }
    NaiveTime::from_hms_opt(h, min.unwrap_or(0), sec.unwrap_or(0)).map(|t| (t, m))
}

/// `am`/`pm` on their own, and the Chinese and Russian words for morning and afternoon.
fn meridiem_word(t: &str) -> Option<bool> {
    match t {
        "am" | "a.m." | "上午" | "早上" | "凌晨" | "утра" | "ночи" => Some(false),
        "pm" | "p.m." | "下午" | "晚上" | "中午" | "傍晚" | "вечера" | "дня" => {
            Some(true)
        }
        _ => None,
    }
}

pub(super) fn apply_meridiem(t: NaiveTime, pm: bool) -> Option<NaiveTime> {
    use chrono::Timelike;
    let h = match (t.hour(), pm) {
        (12, false) => 0,
        (h, false) if h < 12 => h,
        (_, false) => return None,
        (h, true) if h < 12 => h + 12,
        // 12pm is noon; 下午15点 is 15:00 as written.
        (h, true) => h,
    };
    t.with_hour(h)
}

/// `+90m`, `+2h`, `+1d`, `+1h30m`, `2h` (also `+2ч`, `+30мин`, `+2小时`): milliseconds.
fn relative(t: &str) -> Option<i64> {
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let body = compact.strip_prefix('+').unwrap_or(&compact);
    if body.is_empty() || !body.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut total: i64 = 0;
    let mut rest = body;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 || digits > 9 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "m" | "min" | "mins" | "minute" | "minutes" | "м" | "мин" | "分钟" | "分" => {
                60_000
            }
            "h" | "hr" | "hrs" | "hour" | "hours" | "ч" | "час" | "часа" | "часов" | "小时" => {
                3_600_000
            }
            "d" | "day" | "days" | "д" | "дн" | "день" | "дня" | "дней" | "天" => {
                86_400_000
            }
            "w" | "week" | "weeks" | "н" | "нед" | "周" => 7 * 86_400_000,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    (total <= MAX_AHEAD_MS).then_some(total)
}

/// Full ISO 8601 / RFC 3339 (`2026-12-08T09:00:00+01:00`, `…Z`; the offset wins over the zone)
/// and the local `2026-12-08 09:00` / `2026-12-08T09:00` forms.
fn iso(s: &str) -> Option<Spec> {
    let b = s.as_bytes();
    if b.len() < 16 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let date = NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    let rest = s.get(11..)?;
    let (clock_part, offset) = split_offset(rest)?;
    let time = ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(clock_part, f).ok())?;
    let local = date.and_time(time);
    Some(match offset {
        Some(off) => Spec::Instant(off.from_local_datetime(&local).single()?),
        None => Spec::Local {
            day: Some(Day::Date(date)),
            time: Some(time),
        },
    })
}

/// `09:00:00+01:00` → (`09:00:00`, +01:00); `09:00Z` → UTC; `09:00` → no offset.
fn split_offset(s: &str) -> Option<(&str, Option<FixedOffset>)> {
    if let Some(c) = s.strip_suffix(['Z', 'z']) {
        return Some((c, FixedOffset::east_opt(0)));
    }
    let Some(i) = s.rfind(['+', '-']) else {
        return Some((s, None));
    };
    let (clock_part, off) = s.split_at(i);
    let sign = if off.starts_with('-') { -1 } else { 1 };
    let digits: String = off[1..].chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits.get(2..).map_or(Some(0), |d| d.parse().ok())?;
    if h > 23 || m > 59 {
        return None;
    }
    Some((
        clock_part,
        FixedOffset::east_opt(sign * (h * 3600 + m * 60)),
    ))
}
