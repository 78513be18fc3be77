//! The UI string catalog. Every user-visible string is looked up here by key; catalogs live in
//! `assets/i18n/{en,ru,zh}.toml` and are compiled in. A missing key falls back to English, then
//! to the key itself (tests make sure no catalog misses one).

mod phrase;

pub use phrase::{ph, shown, Arg, Phrase};

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ru,
    Zh,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        let l = s.trim().to_ascii_lowercase();
        let base = l.split(['_', '-', '.']).next().unwrap_or("");
        match base {
            "en" | "c" | "posix" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// From the locale environment (LC_ALL, LC_MESSAGES, LANG), defaulting to English.
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var) {
                if !v.is_empty() {
                    return Lang::parse(&v).unwrap_or(Lang::En);
                }
            }
        }
        Lang::En
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Zh => "zh",
        }
    }
}

pub const EN: &str = include_str!("../assets/i18n/en.toml");
pub const RU: &str = include_str!("../assets/i18n/ru.toml");
pub const ZH: &str = include_str!("../assets/i18n/zh.toml");

struct Catalogs {
    lang: Lang,
    en: HashMap<String, String>,
    current: HashMap<String, String>,
}

static CATALOGS: OnceLock<Catalogs> = OnceLock::new();

/// Parses a catalog: a flat TOML table of `key = "text"` (dotted keys allowed).
pub fn parse_catalog(src: &str) -> Result<HashMap<String, String>, String> {
    let value: toml::Table = src.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let mut out = HashMap::new();
    flatten("", &toml::Value::Table(value), &mut out);
    Ok(out)
}

fn flatten(prefix: &str, v: &toml::Value, out: &mut HashMap<String, String>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::En => EN,
        Lang::Ru => RU,
        Lang::Zh => ZH,
    }
}

/// Chooses the UI language once, at start-up. Later calls are ignored.
pub fn init(lang: Lang) {
    CATALOGS.get_or_init(|| Catalogs {
        lang,
        en: parse_catalog(EN).unwrap_or_default(),
        current: parse_catalog(source(lang)).unwrap_or_default(),
    });
}

pub fn current() -> Lang {
    CATALOGS.get().map(|c| c.lang).unwrap_or(Lang::En)
}

/// The text for `key` in the current language.
pub fn t(key: &str) -> String {
    let cats = CATALOGS.get_or_init(|| Catalogs {
        lang: Lang::En,
        en: parse_catalog(EN).unwrap_or_default(),
        current: parse_catalog(EN).unwrap_or_default(),
    });
    cats.current
        .get(key)
        .or_else(|| cats.en.get(key))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// Whether the catalog has `key` (in English, which every catalog follows).
pub fn has(key: &str) -> bool {
    let cats = CATALOGS.get_or_init(|| Catalogs {
        lang: Lang::En,
        en: parse_catalog(EN).unwrap_or_default(),
        current: parse_catalog(EN).unwrap_or_default(),
    });
    cats.en.contains_key(key)
}

/// `t(key)` with `{name}` placeholders filled from `args`.
pub fn tf(key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    fill(t(key), args)
}

fn fill(mut s: String, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), &value.to_string());
    }
    s
}

static BY_LANG: OnceLock<[HashMap<String, String>; 3]> = OnceLock::new();

/// The text for `key` in `lang`, whatever the UI language is (for output that names its
/// language, e.g. a confirmation shown in the operator's language; and for tests).
pub fn t_in(lang: Lang, key: &str) -> String {
    let cats =
        BY_LANG.get_or_init(|| [EN, RU, ZH].map(|src| parse_catalog(src).unwrap_or_default()));
    let i = match lang {
        Lang::En => 0,
        Lang::Ru => 1,
        Lang::Zh => 2,
    };
    cats[i]
        .get(key)
        .or_else(|| cats[0].get(key))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// `t_in(lang, key)` with `{name}` placeholders filled from `args`.
pub fn tf_in(lang: Lang, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    fill(t_in(lang, key), args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_parse_and_have_the_same_keys() {
        let en = parse_catalog(EN).expect("en parses");
        for (name, src) in [("ru", RU), ("zh", ZH)] {
            let other = parse_catalog(src).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
            let mut missing: Vec<_> = en.keys().filter(|k| !other.contains_key(*k)).collect();
            let mut extra: Vec<_> = other.keys().filter(|k| !en.contains_key(*k)).collect();
            missing.sort();
            extra.sort();
            assert!(missing.is_empty(), "{name} lacks {missing:?}");
            assert!(extra.is_empty(), "{name} has keys en lacks: {extra:?}");
        }
    }

    #[test]
    fn placeholders_survive_translation() {
        let en = parse_catalog(EN).expect("en");
        for (name, src) in [("ru", RU), ("zh", ZH)] {
            let other = parse_catalog(src).expect("parses");
            for (k, v) in &en {
                let holes = |s: &str| {
                    let mut h: Vec<String> = s
                        .split('{')
                        .skip(1)
                        .filter_map(|p| p.split_once('}').map(|(a, _)| a.to_string()))
                        .collect();
                    h.sort();
                    h
                };
                assert_eq!(holes(v), holes(&other[k]), "{name}:{k} placeholders differ");
            }
        }
    }

    #[test]
    fn lang_from_locale_strings() {
        assert_eq!(Lang::parse("ru_RU.UTF-8"), Some(Lang::Ru));
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("C.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("de_DE"), None);
    }
}
