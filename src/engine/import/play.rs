//! #### Google Play review exports
//!
//! Play Console review reports are CSV files in UTF-16 with columns `Package Name`, `App Version
//! Code`, `App Version Name`, `Reviewer Language`, `Device`, `Review Submit Date and Time`, `Review
//! Submit Millis Since Epoch`, `Review Last Update Date and Time`, `Review Last Update Millis Since
//! Epoch`, `Star Rating`, `Review Title`, `Review Text`, `Developer Reply Date and Time`, `Developer
//! Reply Millis Since Epoch`, `Developer Reply Text`, `Review Link`. A CSV with `Package Name` and
//! `Star Rating` columns is read as one, and each row becomes:
//!
//! - platform `google_play`, kind `review`, account = `Package Name`;
//! - rating = `Star Rating`; created at = `Review Submit Millis Since Epoch` (else `Review Submit
//!   Date and Time`); title / text = `Review Title` / `Review Text`; url = `Review Link`;
//! - lang = the base code of `Reviewer Language` (`ru_RU` → `ru`);
//! - native id = the `reviewId` parameter of `Review Link`; without a link, a stable hash of
//!   package, submit time, device and text (16 hex digits), so importing the same export again
//!   gives the same ids;
//! - author id = `play:` + native id (Play exports do not name the reviewer);
//! - status `done` when `Developer Reply Text` is set and the reply is not older than the
//!   review's last update (the review was answered), else `new`.
//!
//! Required columns: `Package Name`, `Star Rating`, `Review Text`, and `Review Submit Millis Since
//! Epoch` or `Review Submit Date and Time`.

use super::csv_row::Row;
use super::fields::{self, Ctx};
use crate::domain::{Author, Kind, NewItem, Platform, Status, Timestamp};

/// Whether normalized header names (lower case, `_` for spaces) are a Play export's.
pub(crate) fn is_play(norm: &[String]) -> bool {
    ["package_name", "star_rating"]
        .iter()
        .all(|n| norm.iter().any(|h| h == n))
}

pub(crate) struct Columns {
    package: usize,
    rating: usize,
    text: usize,
    submit_millis: Option<usize>,
    submit_date: Option<usize>,
    update_millis: Option<usize>,
    lang: Option<usize>,
    device: Option<usize>,
    title: Option<usize>,
    reply_millis: Option<usize>,
    reply_text: Option<usize>,
    link: Option<usize>,
}

impl Columns {
    /// The column with the review's submit time.
    pub(crate) fn submit_col(&self) -> Option<usize> {
        self.submit_millis.or(self.submit_date)
    }

    /// Finds the columns; the error is the display name of a missing required one.
    pub(crate) fn find(norm: &[String]) -> Result<Columns, String> {
        let at = |n: &str| norm.iter().position(|h| h == n);
        let req = |n: &str, shown: &str| at(n).ok_or_else(|| shown.to_string());
        let cols = Columns {
            package: req("package_name", "Package Name")?,
            rating: req("star_rating", "Star Rating")?,
            text: req("review_text", "Review Text")?,
            submit_millis: at("review_submit_millis_since_epoch"),
            submit_date: at("review_submit_date_and_time"),
            update_millis: at("review_last_update_millis_since_epoch"),
            lang: at("reviewer_language"),
            device: at("device"),
            title: at("review_title"),
            reply_millis: at("developer_reply_millis_since_epoch"),
            reply_text: at("developer_reply_text"),
            link: at("review_link"),
        };
        if cols.submit_millis.is_none() && cols.submit_date.is_none() {
            return Err("Review Submit Millis Since Epoch".into());
        }
        Ok(cols)
    }
}

/// A time column: milliseconds since the epoch, else any form `fields::parse_date` reads. Not
/// range-checked: only the submit time must be (see `fields::in_range`).
/// The time, the cell and the column's name.
fn millis<'a>(
    row: &Row<'a>,
    i: Option<usize>,
) -> Result<Option<(Timestamp, &'a str, &'a str)>, String> {
    match (row.opt(i)?, i) {
        (Some(raw), Some(i)) => {
            let t = match raw.parse::<i64>() {
                Ok(ms) => Timestamp(ms),
                _ => fields::parse_date(row.header(i), raw)?,
            };
            Ok(Some((t, raw, row.header(i))))
        }
        _ => Ok(None),
    }
}

fn time(row: &Row<'_>, i: Option<usize>) -> Result<Option<Timestamp>, String> {
    Ok(millis(row, i)?.map(|(t, _, _)| t))
}

pub(crate) fn item(row: &Row<'_>, cols: &Columns, ctx: &Ctx) -> Result<NewItem, String> {
    let package = row.opt(Some(cols.package))?;
    let rating = match row.opt(Some(cols.rating))? {
        Some(r) => fields::rating_text(r)?,
        None => return Err("Star Rating is empty".into()),
    };
    let created_at = match millis(row, cols.submit_millis)? {
        Some((t, raw, header)) => fields::in_range(header, raw, t, ctx.now)?,
        None => match (row.opt(cols.submit_date)?, cols.submit_date) {
            (Some(raw), Some(i)) => fields::date(row.header(i), raw, ctx.now)?,
            _ => return Err("the review's submit time is empty".into()),
        },
    };
    let text = row.raw(cols.text)?.to_string();
    let link = row.opt(cols.link)?;
    let native_id = match link.and_then(review_id_param) {
        Some(id) => id,
        None => fields::stable_hash_hex(&[
            package.unwrap_or_default(),
            &created_at.0.to_string(),
            row.opt(cols.device)?.unwrap_or_default(),
            &text,
        ]),
    };
    let answered = match (
        row.opt(cols.reply_text)?,
        time(row, cols.reply_millis)?,
        time(row, cols.update_millis)?,
    ) {
        (None, _, _) => false,
        (Some(_), Some(reply), Some(update)) => reply >= update,
        (Some(_), _, _) => true,
    };
    Ok(NewItem {
        platform: Platform::GooglePlay,
        account: package.unwrap_or(&ctx.account).to_string(),
        kind: Kind::Review,
        parent_native_id: None,
        root_native_id: None,
        post_native_id: None,
        author: Author {
            id: format!("play:{native_id}"),
            handle: None,
            name: None,
            followers: None,
        },
        native_id,
        text,
        title: row.opt(cols.title)?.map(str::to_string),
        lang: row.opt(cols.lang)?.and_then(fields::lang_base),
        rating: Some(rating),
        created_at,
        url: link.map(str::to_string),
        status: if answered { Status::Done } else { Status::New },
        tags: Vec::new(),
        ours: false,
        source: None,
    })
}

/// The `reviewId` parameter of a review link (query or fragment, any case), percent-decoded.
fn review_id_param(link: &str) -> Option<String> {
    link.split(['?', '&', '#']).find_map(|part| {
        let (k, v) = part.split_once('=')?;
        (k.eq_ignore_ascii_case("reviewid") && !v.is_empty()).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{collect, fixture};
    use super::super::Format;
    use super::*;

    fn all(path: &std::path::Path) -> (Vec<NewItem>, Vec<(usize, String)>) {
        let (items, errors) = collect(path, Format::Csv);
        (
            items,
            errors.into_iter().map(|e| (e.line, e.reason)).collect(),
        )
    }

    fn errs(list: &[(usize, &str)]) -> Vec<(usize, String)> {
        list.iter().map(|(l, r)| (*l, r.to_string())).collect()
    }

    const DATE_HINT: &str = "; use RFC 3339, YYYY-MM-DD HH:MM[:SS] or Unix seconds/milliseconds";

    #[test]
    fn review_id_from_console_and_legacy_links() {
        let new = "https://play.google.com/console/developers/1/app/2/user-feedback/review-details?reviewId=gp%3AAOqpTOE1&corpus=PUBLIC_REVIEWS";
        assert_eq!(review_id_param(new).as_deref(), Some("gp:AOqpTOE1"));
        let old = "http://play.google.com/apps/publisher?account=1#ReviewDetailsPlace:p=com.example&reviewid=gp:AOqp-x_1";
        assert_eq!(review_id_param(old).as_deref(), Some("gp:AOqp-x_1"));
        assert_eq!(
            review_id_param("https://play.google.com/store/apps/details?id=com.example"),
            None
        );
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%D0%AF"), "Я");
    }

    #[test]
    fn google_play_export_is_recognised() {
        let (items, errors) = all(&fixture("google_play.csv"));
        assert_eq!(
            errors,
            errs(&[
                (5, "Star Rating is empty"),
                (
                    6,
                    &format!("bad date \"soon\" in Review Submit Millis Since Epoch{DATE_HINT}")
                ),
            ])
        );
        let ids: Vec<&str> = items.iter().map(|i| i.native_id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "gp:AOqpTOE1",
                "bbe51ade3db1076d",
                "cf13c902f69a6365",
                "gp:AOqpTOG7"
            ]
        );
        let first = &items[0];
        assert_eq!(
            (first.platform, first.kind, first.account.as_str()),
            (Platform::GooglePlay, Kind::Review, "com.example.app")
        );
        assert_eq!(
            first.author,
            Author {
                id: "play:gp:AOqpTOE1".into(),
                ..Author::default()
            }
        );
        assert_eq!(
            (first.rating, first.lang.as_deref(), first.title.as_deref()),
            (Some(1), Some("ru"), Some("Вылетает"))
        );
        assert_eq!(first.text, "Приложение вылетает, когда открываю профиль");
        assert_eq!(first.created_at, Timestamp(1_772_359_200_000));
        assert_eq!(first.status, Status::Done, "answered after the last update");
        assert!(first
            .url
            .as_deref()
            .is_some_and(|u| u.ends_with("reviewId=gp%3AAOqpTOE1&corpus=PUBLIC_REVIEWS")));
        assert_eq!(
            (items[1].text.as_str(), items[1].lang.as_deref()),
            ("很好用，界面漂亮", Some("zh"))
        );
        assert_eq!((items[1].title.clone(), items[1].url.clone()), (None, None));
        assert_eq!((items[2].text.as_str(), items[2].rating), ("", Some(3)));
        assert_eq!(
            items[2].status,
            Status::New,
            "the review changed after the reply"
        );
        assert_eq!(
            (items[3].lang.as_deref(), items[3].text.as_str()),
            (Some("pt"), "Gostei.\nMas falta modo escuro.")
        );
        // Re-importing gives the same ids.
        let (again, _) = all(&fixture("google_play.csv"));
        assert_eq!(again, items);
    }
}
