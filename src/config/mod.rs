//! Layered configuration: built-in defaults ← config file ← environment ← flags.
//! A bad file is reported with its path, line and key; kith never starts on a half-read config.

pub mod keymap;
pub mod replies;

use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// UI language: en, ru or zh. Empty = from the locale.
    pub lang: String,
    /// Who is at the keyboard; defaults to the Unix user.
    pub operator: String,
    /// Snooze choices offered by the snooze popup (`30m`, `3h`, `tomorrow`, `1w`...).
    pub snooze_presets: Vec<String>,
    /// Rows fetched per page in the list.
    pub page_size: usize,
    pub team: TeamConfig,
    /// Answer-time targets per kind (`dm = "15m"`, `review = "1h"`); see `domain::clock`.
    pub response_targets: std::collections::BTreeMap<String, String>,
    /// Member ranking: weights per kind and the half-life of the decay.
    pub members: MembersConfig,
    /// Publishing: time zone, queue slots, how late a post may still go out.
    pub schedule: ScheduleConfig,
}

/// `[schedule]`: `timezone = "Europe/Berlin"`, `late_limit_minutes = 60`,
/// `[schedule.slots] default = ["09:00", "18:00"]`, `shop = ["12:00"]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScheduleConfig {
    /// IANA zone for times operators type and read; empty = the system's.
    pub timezone: String,
    /// A post found later than this (the machine was off) waits for a person to confirm.
    pub late_limit_minutes: u64,
    /// Sends refused for a passing reason (rate limits, server errors) before giving up.
    pub max_attempts: u32,
    /// Queue slots (local times) per account; `default` for accounts without their own.
    pub slots: std::collections::BTreeMap<String, Vec<String>>,
    /// A style sheet of words to avoid or prefer, highlighted while writing (TOML).
    pub style_sheet: String,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            timezone: String::new(),
            late_limit_minutes: 60,
            max_attempts: 8,
            slots: Default::default(),
            style_sheet: String::new(),
        }
    }
}

/// `[members]`: `half_life_days = 30`, `[members.weights] review = 5`...
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MembersConfig {
    pub half_life_days: Option<f64>,
    pub weights: std::collections::BTreeMap<String, f64>,
}

/// Team settings (`[team]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TeamConfig {
    /// Operators who may read but not change anything. The engine enforces it.
    pub read_only: Vec<String>,
    /// The team's roster: names `@` (assign) offers; others seen in the audit log are offered
    /// too, and any other name is asked about first.
    pub operators: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            lang: String::new(),
            operator: String::new(),
            snooze_presets: vec!["1h".into(), "3h".into(), "tomorrow".into(), "1w".into()],
            page_size: 200,
            team: TeamConfig::default(),
            response_targets: Default::default(),
            members: Default::default(),
            schedule: Default::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config {path}: {message}")]
    Parse { path: String, message: String },
}

/// Turns a toml error into "line L, column C: message" — toml's own text carries the key.
pub fn describe_toml_error(src: &str, e: &toml::de::Error) -> String {
    let msg = e.message().to_string();
    match e.span() {
        Some(span) => {
            let before = &src[..span.start.min(src.len())];
            let line = before.matches('\n').count() + 1;
            let col = before
                .rsplit('\n')
                .next()
                .map(|l| l.chars().count() + 1)
                .unwrap_or(1);
            format!("line {line}, column {col}: {msg}")
        }
        None => msg,
    }
}

impl Config {
    /// Reads `path`. A missing file is fine unless it was named explicitly.
    pub fn load(path: &Path, must_exist: bool) -> Result<Config, ConfigError> {
        let src = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => {
                return Ok(Config::default())
            }
            Err(e) => {
                return Err(ConfigError::Read {
                    path: path.display().to_string(),
                    source: e,
                })
            }
        };
        let cfg: Config = toml::from_str(&src).map_err(|e| ConfigError::Parse {
            path: path.display().to_string(),
            message: describe_toml_error(&src, &e),
        })?;
        if !cfg.lang.is_empty() && crate::i18n::Lang::parse(&cfg.lang).is_none() {
            return Err(ConfigError::Parse {
                path: path.display().to_string(),
                message: format!("key `lang`: {:?} is not one of en, ru, zh", cfg.lang),
            });
        }
        if let Err(message) = cfg.scoring() {
            return Err(ConfigError::Parse {
                path: path.display().to_string(),
                message,
            });
        }
        if let Err(message) = cfg.targets() {
            return Err(ConfigError::Parse {
                path: path.display().to_string(),
                message,
            });
        }
        if let Err(message) = cfg.outbox() {
            return Err(ConfigError::Parse {
                path: path.display().to_string(),
                message,
            });
        }
        if cfg.page_size == 0 || cfg.page_size > 5000 {
            return Err(ConfigError::Parse {
                path: path.display().to_string(),
                message: format!("key `page_size`: {} is outside 1..=5000", cfg.page_size),
            });
        }
        Ok(cfg)
    }
}

impl Config {
    /// The outbox settings from `[schedule]`, checked.
    pub fn outbox(&self) -> Result<crate::engine::outbox::OutboxSettings, String> {
        use crate::domain::when;
        let s = &self.schedule;
        let zone = when::Zone::from_config(Some(s.timezone.as_str()).filter(|z| !z.is_empty()))
            .map_err(|e| format!("key `schedule.timezone`: {e}"))?;
        if s.late_limit_minutes > 7 * 24 * 60 {
            return Err(format!(
                "key `schedule.late_limit_minutes`: {} is more than a week",
                s.late_limit_minutes
            ));
        }
        if !(1..=100).contains(&s.max_attempts) {
            return Err(format!(
                "key `schedule.max_attempts`: {} is outside 1..=100",
                s.max_attempts
            ));
        }
        let mut slots = std::collections::BTreeMap::new();
        for (account, list) in &s.slots {
            let parsed = when::parse_slots(&list.join(","))
                .map_err(|e| format!("key `schedule.slots.{account}`: {e}"))?;
            let key = if account == "default" { "" } else { account };
            slots.insert(key.to_string(), parsed);
        }
        Ok(crate::engine::outbox::OutboxSettings {
            late_limit_ms: s.late_limit_minutes as i64 * 60_000,
            max_attempts: s.max_attempts,
            slots,
            zone,
            ..Default::default()
        })
    }

    /// The member scoring: defaults, overridden by `[members]`.
    pub fn scoring(&self) -> Result<crate::domain::member::Scoring, String> {
        use crate::domain::member::{Act, Scoring};
        let mut s = Scoring::default();
        if let Some(h) = self.members.half_life_days {
            if !h.is_finite() || !(0.0..=36_500.0).contains(&h) {
                return Err(format!(
                    "key `members.half_life_days`: {h} is outside 0..=36500 (0 = no decay)"
                ));
            }
            s.half_life_days = h;
        }
        for (k, w) in &self.members.weights {
            let Some(act) = Act::parse(k) else {
                let names: Vec<&str> = Act::ALL.iter().map(|a| a.as_str()).collect();
                return Err(format!(
                    "key `members.weights.{k}`: not a kind; kinds are {}",
                    names.join(", ")
                ));
            };
            if !w.is_finite() || !(0.0..=1000.0).contains(w) {
                return Err(format!(
                    "key `members.weights.{k}`: {w} is outside 0..=1000"
                ));
            }
            s.weights[act.index()] = *w;
        }
        Ok(s)
    }

    /// The response targets: defaults, overridden per kind by `[response_targets]`.
    pub fn targets(&self) -> Result<crate::domain::clock::Targets, String> {
        use crate::domain::{time::parse_until, Kind, Timestamp};
        let mut t = crate::domain::clock::Targets::default();
        for (k, v) in &self.response_targets {
            let kind: Kind = k.parse().map_err(|_| {
                format!(
                    "key `response_targets.{k}`: not a kind (comment, reply, mention, quote, dm, review)"
                )
            })?;
            let ms = parse_until(v, Timestamp(0))
                .map(|x| x.0)
                .filter(|ms| {
                    *ms > 0
                        && v.trim().starts_with(|c: char| c.is_ascii_digit())
                        && !v.contains('-')
                        && !v.contains(':')
                })
                .ok_or_else(|| {
                    format!("key `response_targets.{k}`: {v:?} is not a duration like 15m, 1h, 2d")
                })?;
            t.0[(kind.code() - 1) as usize] = ms;
        }
        Ok(t)
    }
}

/// The Unix user name, for the default operator.
pub fn unix_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "operator".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, body: &str) -> std::path::PathBuf {
        let p = dir.path().join("config.toml");
        std::fs::write(&p, body).expect("write");
        p
    }

    #[test]
    fn response_targets_override_defaults_per_kind() {
        let d = tempfile::tempdir().expect("tmp");
        let c = Config::load(
            &write(&d, "[response_targets]\ndm = \"5m\"\nreview = \"2d\"\n"),
            true,
        )
        .expect("load");
        let t = c.targets().expect("targets");
        assert_eq!(t.of(crate::domain::Kind::Dm), 5 * 60_000);
        assert_eq!(t.of(crate::domain::Kind::Review), 2 * 86_400_000);
        assert_eq!(t.of(crate::domain::Kind::Comment), 4 * 3_600_000);
        for bad in ["\"tomorrow\"", "\"2026-01-01\"", "\"0m\"", "\"soon\""] {
            let e = Config::load(
                &write(&d, &format!("[response_targets]\ndm = {bad}\n")),
                true,
            )
            .expect_err(bad)
            .to_string();
            assert!(e.contains("response_targets.dm"), "{e}");
        }
    }

    #[test]
    fn missing_file_is_default_unless_explicit() {
        let d = tempfile::tempdir().expect("tmp");
        let p = d.path().join("nope.toml");
        assert_eq!(Config::load(&p, false).expect("default"), Config::default());
        assert!(matches!(
            Config::load(&p, true),
            Err(ConfigError::Read { .. })
        ));
    }

    #[test]
    fn unknown_key_names_line_and_key() {
        let d = tempfile::tempdir().expect("tmp");
        let p = write(&d, "lang = \"ru\"\ncolour = 3\n");
        let e = Config::load(&p, true).expect_err("bad").to_string();
        assert!(e.contains("line 2"), "{e}");
        assert!(e.contains("colour"), "{e}");
        assert!(e.contains("config.toml"), "{e}");
    }

    #[test]
    fn bad_values_are_named() {
        let d = tempfile::tempdir().expect("tmp");
        let e = Config::load(&write(&d, "lang = \"fr\"\n"), true)
            .expect_err("bad")
            .to_string();
        assert!(e.contains("`lang`") && e.contains("fr"), "{e}");
        let e = Config::load(&write(&d, "page_size = \"many\"\n"), true)
            .expect_err("bad")
            .to_string();
        assert!(e.contains("line 1"), "{e}");
    }
}
