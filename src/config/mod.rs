//! Layered configuration: built-in defaults ← config file ← environment ← flags.
//! A bad file is reported with its path, line and key; kith never starts on a half-read config.

mod approvals;
mod check;
mod error;
pub mod keymap;
pub mod replies;
mod spans;
pub mod tags;
pub mod views;

pub use error::{ConfigError, ValueError};

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
    /// Connecting YouTube channels: the OAuth client kith signs in with.
    pub youtube: YoutubeConfig,
    /// Item tags: their colours in the list.
    pub tags: tags::TagsConfig,
    /// The operator's own saved views (`NAME = "PATTERN"`), after the team's in the sidebar.
    pub views: views::ViewsConfig,
}

/// `[youtube]`: the OAuth client ("TVs and Limited Input devices" type) from the Google Cloud
/// project whose quota kith spends. `KITH_YOUTUBE_CLIENT_ID` / `KITH_YOUTUBE_CLIENT_SECRET`
/// win over these. Only read when a channel is connected; kept with its token after that.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct YoutubeConfig {
    pub client_id: String,
    pub client_secret: String,
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

/// Team settings (`[team]`): plain data the engine takes as it is.
pub use crate::domain::settings::TeamSettings as TeamConfig;

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
            youtube: Default::default(),
            tags: Default::default(),
            views: Default::default(),
        }
    }
}

/// The config as kith uses it: every value checked and turned into its type once, when the
/// file is read. The engine's part goes to the engine; the rest stays with the front end.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The file as written (for what has no type of its own: language, operator, presets).
    pub file: Config,
    pub engine: crate::engine::EngineSettings,
    /// The operator's zone for times typed and shown (the same as the scheduler's).
    pub zone: crate::domain::when::Zone,
}

impl Settings {
    /// Reads and checks the config file (see `Config::load`) and types every value.
    pub fn load(path: &Path, must_exist: bool) -> Result<Settings, ConfigError> {
        let name = path.display().to_string();
        let file = Config::load(path, must_exist)?;
        let src = std::fs::read_to_string(path).unwrap_or_default();
        file.settings().map_err(|e| e.in_file(&name, &src))
    }
}

impl Default for Settings {
    fn default() -> Self {
        // The built-in defaults always check out (a test makes sure).
        Config::default().settings().unwrap_or_else(|_| Settings {
            file: Config::default(),
            engine: Default::default(),
            zone: crate::domain::when::Zone::UTC,
        })
    }
}

impl Config {
    /// The typed settings of a checked config.
    pub fn settings(&self) -> Result<Settings, ValueError> {
        let outbox = self.outbox()?;
        Ok(Settings {
            file: self.clone(),
            zone: outbox.zone,
            engine: crate::engine::EngineSettings {
                team: self.team.clone(),
                targets: self.targets()?,
                scoring: self.scoring()?,
                outbox,
            },
        })
    }

    /// Reads `path` and checks every value. A missing file is fine unless it was named
    /// explicitly.
    pub fn load(path: &Path, must_exist: bool) -> Result<Config, ConfigError> {
        let name = path.display().to_string();
        let src = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => {
                return Ok(Config::default())
            }
            Err(e) => {
                return Err(ConfigError::Read {
                    path: name,
                    source: e,
                })
            }
        };
        let cfg: Config = toml::from_str(&src).map_err(|e| error::parse_error(&name, &src, &e))?;
        cfg.check().map_err(|e| e.in_file(&name, &src))?;
        Ok(cfg)
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
        assert!(
            e.starts_with(&format!("{}:2:1: unknown field `colour`", p.display())),
            "{e}"
        );
    }

    #[test]
    fn bad_values_are_named() {
        let d = tempfile::tempdir().expect("tmp");
        let e = Config::load(&write(&d, "lang = \"fr\"\n"), true)
            .expect_err("bad")
            .to_string();
        assert!(
            e.ends_with("config.toml:1: key `lang`: \"fr\" is not one of en, ru, zh"),
            "{e}"
        );
        let e = Config::load(&write(&d, "page_size = \"many\"\n"), true)
            .expect_err("bad")
            .to_string();
        assert!(
            e.ends_with(
                "config.toml:1:13: key `page_size`: invalid type: string \"many\", expected usize"
            ),
            "{e}"
        );
    }
}
