//! Where kith keeps things: data (the store), config, state (logs). XDG locations with KITH_*
//! and flag overrides; resolved once at start-up.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub config_file: PathBuf,
    /// Whether the config file was named explicitly (then it must exist).
    pub config_explicit: bool,
    pub config_dir: PathBuf,
    pub state_dir: PathBuf,
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn xdg(var: &str, fallback: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(v) if Path::new(&v).is_absolute() => PathBuf::from(v),
        _ => home().join(fallback),
    }
}

impl Paths {
    /// The inbox rules: `rules.toml` next to the config file.
    pub fn rules_file(&self) -> PathBuf {
        self.config_file.with_file_name("rules.toml")
    }

    /// `data_dir` and `config` come from flags (clap already folds in KITH_DATA_DIR/KITH_CONFIG).
    pub fn resolve(data_dir: Option<PathBuf>, config: Option<PathBuf>) -> Paths {
        let config_dir = xdg("XDG_CONFIG_HOME", ".config").join("kith");
        let config_explicit = config.is_some();
        Paths {
            data_dir: data_dir.unwrap_or_else(|| xdg("XDG_DATA_HOME", ".local/share").join("kith")),
            config_file: config.unwrap_or_else(|| config_dir.join("config.toml")),
            config_explicit,
            config_dir,
            state_dir: xdg("XDG_STATE_HOME", ".local/state").join("kith"),
        }
    }

    /// Saved replies live next to the config file so a team can edit them together.
    pub fn replies_file(&self) -> PathBuf {
        self.config_file
            .parent()
            .map(|p| p.join("replies.toml"))
            .unwrap_or_else(|| self.config_dir.join("replies.toml"))
    }

    pub fn keymap_file(&self) -> PathBuf {
        self.config_file
            .parent()
            .map(|p| p.join("keymap.toml"))
            .unwrap_or_else(|| self.config_dir.join("keymap.toml"))
    }

    pub fn log_file(&self) -> PathBuf {
        self.state_dir.join("kith.log")
    }
}
