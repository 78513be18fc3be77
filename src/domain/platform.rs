//! Platforms kith knows, and what each one allows (capabilities are data, not code paths).

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
}

impl Platform {
    pub const ALL: [Platform; 10] = [
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
    ];

    /// Stable one-byte code used in store keys. Never renumber.
    pub fn code(self) -> u8 {
        match self {
            Platform::Mastodon => 1,
            Platform::Bluesky => 2,
            Platform::Telegram => 3,
            Platform::Vk => 4,
            Platform::Youtube => 5,
            Platform::Facebook => 6,
            Platform::Instagram => 7,
            Platform::Google => 8,
            Platform::GooglePlay => 9,
            Platform::File => 10,
        }
    }

    pub fn from_code(c: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == c)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Mastodon => "mastodon",
            Platform::Bluesky => "bluesky",
            Platform::Telegram => "telegram",
            Platform::Vk => "vk",
            Platform::Youtube => "youtube",
            Platform::Facebook => "facebook",
            Platform::Instagram => "instagram",
            Platform::Google => "google",
            Platform::GooglePlay => "google_play",
            Platform::File => "file",
        }
    }

    /// A short label for narrow columns.
    pub fn short(self) -> &'static str {
        match self {
            Platform::Mastodon => "MAS",
            Platform::Bluesky => "BSK",
            Platform::Telegram => "TG",
            Platform::Vk => "VK",
            Platform::Youtube => "YT",
            Platform::Facebook => "FB",
            Platform::Instagram => "IG",
            Platform::Google => "GGL",
            Platform::GooglePlay => "GPL",
            Platform::File => "FILE",
        }
    }

    pub fn capabilities(self) -> Capabilities {
        use Platform::*;
        let (limit, rule) = match self {
            Mastodon => (500, CountRule::Mastodon),
            Bluesky => (300, CountRule::Bluesky),
            Telegram => (4096, CountRule::Utf16),
            Vk => (4096, CountRule::Chars),
            Youtube => (10_000, CountRule::Chars),
            Facebook | Instagram => (8000, CountRule::Chars),
            Google | GooglePlay => (4096, CountRule::Chars),
            File => (100_000, CountRule::Chars),
        };
        Capabilities {
            reply: !matches!(self, File),
            like: matches!(
                self,
                Mastodon | Bluesky | Telegram | Vk | Youtube | Facebook | Instagram
            ),
            hide: matches!(self, Bluesky | Facebook | Instagram | Youtube | Vk),
            delete: matches!(self, Telegram | Vk | Facebook | Instagram | Youtube),
            mute: matches!(self, Mastodon | Bluesky),
            dismiss: matches!(self, Mastodon),
            native_schedule: matches!(self, Mastodon | Vk | Facebook),
            dms: matches!(
                self,
                Mastodon | Bluesky | Telegram | Vk | Facebook | Instagram
            ),
            text_limit: limit,
            count_rule: rule,
        }
    }
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
            &[("value", &format!("{:?}", self.0))],
        ))
    }
}

impl FromStr for Platform {
    type Err = BadPlatform;
    fn from_str(s: &str) -> Result<Self, BadPlatform> {
        let l = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        let p = match l.as_str() {
            "mastodon" | "fediverse" => Platform::Mastodon,
            "bluesky" | "bsky" => Platform::Bluesky,
            "telegram" | "tg" => Platform::Telegram,
            "vk" | "vkontakte" => Platform::Vk,
            "youtube" | "yt" => Platform::Youtube,
            "facebook" | "fb" => Platform::Facebook,
            "instagram" | "ig" => Platform::Instagram,
            "google" | "google_reviews" | "gbp" | "google_business" => Platform::Google,
            "google_play" | "play" | "googleplay" => Platform::GooglePlay,
            "file" | "import" => Platform::File,
            _ => return Err(BadPlatform(s.to_string())),
        };
        Ok(p)
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
    pub native_schedule: bool,
    pub dms: bool,
    pub text_limit: usize,
    pub count_rule: CountRule,
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
}
