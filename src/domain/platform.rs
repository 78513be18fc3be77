//! Platforms kith knows, and what each one allows (capabilities are data, not code paths).
//!
//! Ten have connectors or a special import (Mastodon … Google Play, and `file`). The others are
//! sources people import exports from (X, Weibo, WeChat, Wildberries, …): read-only, with their
//! own name and short code. Any other name imports as [`Platform::Other`], the item keeping the
//! name it came with (`Item::source`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Mastodon,
    Bluesky,
    Telegram,
    Vk,
    Youtube,
    Facebook,
    Instagram,
    Google,
    GooglePlay,
    File,
    // Import-only sources. Appended: the store encodes the variant's position (postcard) and
    // `code()` in keys, so the order above never changes.
    X,
    Threads,
    Linkedin,
    Tiktok,
    Weibo,
    Wechat,
    Xiaohongshu,
    Douyin,
    Bilibili,
    Zhihu,
    Dianping,
    Odnoklassniki,
    Dzen,
    YandexMaps,
    TwoGis,
    Otzovik,
    Wildberries,
    Ozon,
    AppStore,
    Amazon,
    Trustpilot,
    Tripadvisor,
    Yelp,
    Reddit,
    Discord,
    Whatsapp,
    /// A platform kith has no entry for; the item's `source` holds the name.
    Other,
}

/// Name, short label (at most 4 columns wide) and the other names accepted for a platform.
struct Entry {
    name: &'static str,
    short: &'static str,
    aliases: &'static [&'static str],
}

const fn e(name: &'static str, short: &'static str, aliases: &'static [&'static str]) -> Entry {
    Entry {
        name,
        short,
        aliases,
    }
}

impl Platform {
    pub const ALL: [Platform; 37] = [
        Platform::Mastodon,
        Platform::Bluesky,
        Platform::Telegram,
        Platform::Vk,
        Platform::Youtube,
        Platform::Facebook,
        Platform::Instagram,
        Platform::Google,
        Platform::GooglePlay,
        Platform::File,
        Platform::X,
        Platform::Threads,
        Platform::Linkedin,
        Platform::Tiktok,
        Platform::Weibo,
        Platform::Wechat,
        Platform::Xiaohongshu,
        Platform::Douyin,
        Platform::Bilibili,
        Platform::Zhihu,
        Platform::Dianping,
        Platform::Odnoklassniki,
        Platform::Dzen,
        Platform::YandexMaps,
        Platform::TwoGis,
        Platform::Otzovik,
        Platform::Wildberries,
        Platform::Ozon,
        Platform::AppStore,
        Platform::Amazon,
        Platform::Trustpilot,
        Platform::Tripadvisor,
        Platform::Yelp,
        Platform::Reddit,
        Platform::Discord,
        Platform::Whatsapp,
        Platform::Other,
    ];

    /// Stable one-byte code used in store keys. Never renumber. Codes stay below 0x80: a member
    /// ranking scope is `code | 0x80` (store/members.rs).
    pub fn code(self) -> u8 {
        use Platform::*;
        match self {
            Mastodon => 1,
            Bluesky => 2,
            Telegram => 3,
            Vk => 4,
            Youtube => 5,
            Facebook => 6,
            Instagram => 7,
            Google => 8,
            GooglePlay => 9,
            File => 10,
            X => 11,
            Threads => 12,
            Linkedin => 13,
            Tiktok => 14,
            Weibo => 15,
            Wechat => 16,
            Xiaohongshu => 17,
            Douyin => 18,
            Bilibili => 19,
            Zhihu => 20,
            Dianping => 21,
            Odnoklassniki => 22,
            Dzen => 23,
            YandexMaps => 24,
            TwoGis => 25,
            Otzovik => 26,
            Wildberries => 27,
            Ozon => 28,
            AppStore => 29,
            Amazon => 30,
            Trustpilot => 31,
            Tripadvisor => 32,
            Yelp => 33,
            Reddit => 34,
            Discord => 35,
            Whatsapp => 36,
            Other => 127,
        }
    }

    pub fn from_code(c: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == c)
    }

    fn entry(self) -> Entry {
        use Platform::*;
        match self {
            Mastodon => e("mastodon", "MAS", &["fediverse"]),
            Bluesky => e("bluesky", "BSK", &["bsky"]),
            Telegram => e("telegram", "TG", &["tg"]),
            Vk => e("vk", "VK", &["vkontakte", "вконтакте"]),
            Youtube => e("youtube", "YT", &["yt"]),
            Facebook => e("facebook", "FB", &["fb"]),
            Instagram => e("instagram", "IG", &["ig"]),
            Google => e(
                "google",
                "GGL",
                &["google_reviews", "gbp", "google_business", "google_maps"],
            ),
            GooglePlay => e("google_play", "GPL", &["play", "googleplay"]),
            File => e("file", "FILE", &["import"]),
            X => e("x", "X", &["twitter", "x.com", "x_com"]),
            Threads => e("threads", "THR", &[]),
            Linkedin => e("linkedin", "IN", &[]),
            Tiktok => e("tiktok", "TT", &[]),
            Weibo => e("weibo", "WB", &["sina_weibo", "微博"]),
            Wechat => e("wechat", "WX", &["weixin", "微信"]),
            Xiaohongshu => e("xiaohongshu", "XHS", &["red", "rednote", "xhs", "小红书"]),
            Douyin => e("douyin", "DY", &["抖音"]),
            Bilibili => e("bilibili", "BILI", &["b站", "哔哩哔哩"]),
            Zhihu => e("zhihu", "ZHI", &["知乎"]),
            Dianping => e("dianping", "DP", &["大众点评"]),
            Odnoklassniki => e(
                "ok",
                "OK",
                &["odnoklassniki", "ok.ru", "ok_ru", "одноклассники"],
            ),
            Dzen => e("dzen", "DZEN", &["zen", "yandex_zen", "дзен"]),
            YandexMaps => e(
                "yandex_maps",
                "YM",
                &["yandex", "yandex_business", "яндекс_карты"],
            ),
            TwoGis => e("2gis", "2GIS", &["two_gis", "dgis", "2гис"]),
            Otzovik => e("otzovik", "OTZ", &["отзовик"]),
            Wildberries => e("wildberries", "WBR", &["вайлдберриз"]),
            Ozon => e("ozon", "OZON", &["озон"]),
            AppStore => e("app_store", "APP", &["appstore", "apple", "ios"]),
            Amazon => e("amazon", "AMZ", &[]),
            Trustpilot => e("trustpilot", "TP", &[]),
            Tripadvisor => e("tripadvisor", "TA", &[]),
            Yelp => e("yelp", "YELP", &[]),
            Reddit => e("reddit", "RDT", &[]),
            Discord => e("discord", "DC", &[]),
            Whatsapp => e("whatsapp", "WA", &[]),
            Other => e("other", "OTH", &[]),
        }
    }

    pub fn as_str(self) -> &'static str {
        self.entry().name
    }

    /// A short label for narrow columns (at most 4 columns wide).
    pub fn short(self) -> &'static str {
        self.entry().short
    }

    /// Whether kith only imports this platform's exports (no connector, no reply or action).
    pub fn import_only(self) -> bool {
        self.code() > Platform::File.code()
    }

    pub fn capabilities(self) -> Capabilities {
        use Platform::*;
        if self.import_only() {
            return Capabilities::read_only();
        }
        let (limit, rule) = match self {
            Mastodon => (500, CountRule::Mastodon),
            Bluesky => (300, CountRule::Bluesky),
            Telegram => (4096, CountRule::Utf16),
            Vk => (4096, CountRule::Chars),
            Youtube => (10_000, CountRule::Chars),
            Facebook | Instagram => (8000, CountRule::Chars),
            // Google counts a review reply's 4096 in UTF-8 bytes.
            Google => (4096, CountRule::Utf8Bytes),
            GooglePlay => (4096, CountRule::Chars),
            _ => (100_000, CountRule::Chars),
        };
        // The platforms kith has a connector for: the only ones it can sync from.
        let connected = matches!(
            self,
            Mastodon | Bluesky | Telegram | Vk | Youtube | Facebook | Instagram | Google
        );
        Capabilities {
            reply: !matches!(self, File),
            // YouTube has no API for community posts (videos are uploaded in YouTube Studio);
            // Google reviews are only answered. (Instagram takes only posts with a picture.)
            publish: connected && !matches!(self, Youtube | Google),
            connect: connected,
            // YouTube and Instagram have no API to like a comment.
            like: matches!(self, Mastodon | Bluesky | Telegram | Vk | Facebook),
            // VK has no hide; YouTube's is holding a comment for review.
            hide: matches!(self, Bluesky | Facebook | Instagram | Youtube),
            // YouTube lets only a comment's author delete it.
            delete: matches!(self, Telegram | Vk | Facebook | Instagram),
            mute: matches!(self, Mastodon | Bluesky),
            dismiss: matches!(self, Mastodon),
            // Facebook's is unhiding a hidden comment.
            restore: matches!(self, Vk | Youtube | Facebook | Instagram),
            reject: matches!(self, Youtube),
            ban: matches!(self, Vk | Youtube),
            native_schedule: matches!(self, Mastodon | Vk | Facebook),
            // Instagram's messages are not read yet.
            dms: matches!(self, Mastodon | Bluesky | Telegram | Vk | Facebook),
            text_limit: limit,
            count_rule: rule,
        }
    }

    /// The platform an import names: a known name or alias, else [`Platform::Other`] with the
    /// name as written (trimmed) to keep on the item.
    pub fn from_import(name: &str) -> (Platform, Option<String>) {
        match name.parse::<Platform>() {
            Ok(Platform::Other) | Err(_) => (Platform::Other, Some(name.trim().to_string())),
            Ok(p) => (p, None),
        }
    }

    /// Every accepted name, for messages.
    pub fn names() -> String {
        Self::ALL
            .iter()
            .filter(|p| **p != Platform::Other)
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A short label for a platform kith has no entry for, from its name: its letters and digits,
/// upper-cased, at most 4 columns wide (`myspace` → `MYSP`, `大众点评` → `大众`). Only letters
/// and digits, so nothing hostile reaches a narrow column.
pub fn short_for(name: &str) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut out = String::new();
    let mut width = 0;
    // Halfwidth sound marks are letters to Unicode but join the letter before them on a
    // terminal (see text::compat): a column of fixed width must not hold them.
    for c in name
        .chars()
        .filter(|c| c.is_alphanumeric() && !matches!(c, '\u{FF9E}' | '\u{FF9F}'))
    {
        let w = c.width().unwrap_or(0);
        if w == 0 {
            continue;
        }
        if width + w > 4 {
            break;
        }
        // `ß` upper-cases to two letters; keep such a letter as it is.
        let mut up = c.to_uppercase();
        let one = match (up.next(), up.next()) {
            (Some(u), None) => u,
            _ => c,
        };
        width += w;
        out.push(one);
    }
    if out.is_empty() {
        out.push('?');
    }
    out
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug, PartialEq)]
pub struct BadPlatform(pub String);

impl std::error::Error for BadPlatform {}

impl fmt::Display for BadPlatform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::i18n::tf(
            "err.bad_platform",
            &[
                ("value", &format!("{:?}", self.0)),
                ("known", &Platform::names()),
            ],
        ))
    }
}

impl FromStr for Platform {
    type Err = BadPlatform;
    /// Known names and aliases, any case, `-` and spaces counting as `_`. `other` names the
    /// group of platforms kith has no entry for (a filter); an import keeps the real name.
    fn from_str(s: &str) -> Result<Self, BadPlatform> {
        let l = s.trim().to_lowercase().replace(['-', ' '], "_");
        Platform::ALL
            .into_iter()
            .find(|p| {
                let e = p.entry();
                e.name == l || e.aliases.contains(&l.as_str())
            })
            .ok_or_else(|| BadPlatform(s.to_string()))
    }
}

/// How a platform counts the length of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CountRule {
    Graphemes,
    /// Graphemes with URLs as 23 and remote mentions as local ones.
    Mastodon,
    /// Graphemes, and at most 3000 UTF-8 bytes.
    Bluesky,
    Utf16,
    Chars,
    /// UTF-8 bytes (Google review replies).
    Utf8Bytes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    pub reply: bool,
    pub like: bool,
    pub hide: bool,
    pub delete: bool,
    /// Mute a conversation so its replies stop notifying us.
    pub mute: bool,
    /// Dismiss the platform's own notification for an item.
    pub dismiss: bool,
    /// Bring back a deleted or held comment.
    pub restore: bool,
    /// Reject a comment for good (it leaves public view; cannot be undone).
    pub reject: bool,
    /// Ban a comment's author from the community or channel.
    pub ban: bool,
    pub native_schedule: bool,
    pub dms: bool,
    /// kith can publish posts there (composer, `kith post`); elsewhere it only reads.
    pub publish: bool,
    /// kith can connect an account there and sync it (the others are imported).
    pub connect: bool,
    pub text_limit: usize,
    pub count_rule: CountRule,
}

impl Capabilities {
    /// A platform kith only imports from: nothing can be sent or done there.
    pub fn read_only() -> Capabilities {
        Capabilities {
            reply: false,
            like: false,
            hide: false,
            delete: false,
            mute: false,
            dismiss: false,
            restore: false,
            reject: false,
            ban: false,
            native_schedule: false,
            dms: false,
            publish: false,
            connect: false,
            text_limit: 100_000,
            count_rule: CountRule::Chars,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_names_parse() {
        for p in Platform::ALL {
            assert_eq!(Platform::from_code(p.code()), Some(p));
            assert_eq!(p.as_str().parse::<Platform>(), Ok(p));
        }
        assert!("myspace".parse::<Platform>().is_err());
    }

    #[test]
    fn codes_are_unique_below_the_scope_bit_and_never_renumbered() {
        let mut codes: Vec<u8> = Platform::ALL.iter().map(|p| p.code()).collect();
        assert!(codes.iter().all(|c| *c > 0 && *c < 0x80));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Platform::ALL.len());
        // The first ten are in stored keys since the first release.
        let first: Vec<u8> = Platform::ALL[..10].iter().map(|p| p.code()).collect();
        assert_eq!(first, (1..=10).collect::<Vec<u8>>());
        assert_eq!(Platform::Weibo.code(), 15);
        assert_eq!(Platform::Other.code(), 127);
    }

    #[test]
    fn import_names_known_aliases_and_any_other() {
        assert_eq!(Platform::from_import("Weibo"), (Platform::Weibo, None));
        assert_eq!(Platform::from_import("微博"), (Platform::Weibo, None));
        assert_eq!(Platform::from_import("Twitter"), (Platform::X, None));
        assert_eq!(Platform::from_import("x"), (Platform::X, None));
        assert_eq!(
            Platform::from_import("LinkedIn"),
            (Platform::Linkedin, None)
        );
        assert_eq!(Platform::from_import("ВКонтакте"), (Platform::Vk, None));
        assert_eq!(
            Platform::from_import("Yandex Maps"),
            (Platform::YandexMaps, None)
        );
        assert_eq!(
            Platform::from_import(" MySpace "),
            (Platform::Other, Some("MySpace".to_string()))
        );
        assert_eq!(
            Platform::from_import("other"),
            (Platform::Other, Some("other".to_string()))
        );
        assert_eq!("other".parse::<Platform>(), Ok(Platform::Other));
    }

    #[test]
    fn import_only_platforms_are_read_only_and_known_ones_keep_theirs() {
        for p in Platform::ALL {
            let caps = p.capabilities();
            if p.import_only() {
                assert_eq!(caps, Capabilities::read_only(), "{p}");
            }
            assert!(unicode_width::UnicodeWidthStr::width(p.short()) <= 4, "{p}");
        }
        assert!(Platform::Mastodon.capabilities().reply);
        assert!(Platform::Vk.capabilities().like);
        assert!(!Platform::File.capabilities().reply);
        assert!(!Platform::File.import_only());
        let google = Platform::Google.capabilities();
        assert!(google.reply && google.connect && !google.publish);
        assert!(!google.like && !google.hide && !google.delete);
        assert_eq!(
            (google.text_limit, google.count_rule),
            (4096, CountRule::Utf8Bytes)
        );
        let publish: Vec<Platform> = Platform::ALL
            .into_iter()
            .filter(|p| p.capabilities().publish)
            .collect();
        assert_eq!(
            publish,
            [
                Platform::Mastodon,
                Platform::Bluesky,
                Platform::Telegram,
                Platform::Vk,
                Platform::Facebook,
                Platform::Instagram
            ]
        );
    }

    #[test]
    fn short_labels_for_unknown_names_are_letters_and_digits() {
        assert_eq!(short_for("myspace"), "MYSP");
        assert_eq!(short_for("my-space.com"), "MYSP");
        assert_eq!(short_for("大众点评网"), "大众");
        assert_eq!(short_for("A大B"), "A大B");
        assert_eq!(short_for("\u{1b}[31mhi\u{202e}"), "31MH");
        assert_eq!(short_for("!!!"), "?");
        assert_eq!(short_for("straße"), "STRA");
        assert_eq!(short_for("ßa"), "ßA");
    }
}
