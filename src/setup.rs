//! The composition root: everything a run of kith needs, built once from the command line —
//! paths, the checked and typed settings, the operator and the UI language — and the engine
//! opened on them. The CLI and the TUI take a `Setup`; neither reads the config file again.

use crate::config::{ConfigError, Settings};
use crate::engine::Engine;
use crate::i18n::{self, tf, Lang};
use crate::paths::Paths;
use crate::store::Store;
use anyhow::{anyhow, bail, Result};
use std::path::PathBuf;
use std::sync::Arc;

/// Everything a command needs, set up once.
pub struct Setup {
    pub paths: Paths,
    pub settings: Settings,
    pub operator: String,
}

/// What the command line says about where and who (each may be absent).
#[derive(Debug, Clone, Default)]
pub struct Given {
    pub data_dir: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub lang: Option<String>,
    pub operator: Option<String>,
}

impl Setup {
    /// Resolves paths, reads and checks the config, chooses the language and the operator.
    pub fn new(given: &Given) -> Result<Setup> {
        let paths = Paths::resolve(given.data_dir.clone(), given.config.clone());
        let settings = Settings::load(&paths.config_file, paths.config_explicit)?;
        Setup::with(given, paths, settings)
    }

    /// Like `new`, but a config kith refuses is replaced by the defaults (for `kith doctor`,
    /// which reports the config's problem itself). The problem is returned beside.
    pub fn lenient(given: &Given) -> Result<(Setup, Option<ConfigError>)> {
        let paths = Paths::resolve(given.data_dir.clone(), given.config.clone());
        match Settings::load(&paths.config_file, paths.config_explicit) {
            Ok(settings) => Ok((Setup::with(given, paths, settings)?, None)),
            Err(e) => Ok((Setup::with(given, paths, Settings::default())?, Some(e))),
        }
    }

    fn with(given: &Given, paths: Paths, settings: Settings) -> Result<Setup> {
        let file = &settings.file;
        let lang = match given.lang.as_deref() {
            Some(l) => Lang::parse(l)
                .ok_or_else(|| anyhow!(tf("err.lang", &[("value", &format!("{l:?}"))])))?,
            None if !file.lang.is_empty() => Lang::parse(&file.lang).unwrap_or(Lang::En),
            None => Lang::from_env(),
        };
        i18n::init(lang);
        let operator = given
            .operator
            .clone()
            .or_else(|| Some(file.operator.clone()).filter(|s| !s.is_empty()))
            .unwrap_or_else(crate::config::unix_user);
        if operator.trim().is_empty() || operator.chars().any(char::is_control) {
            bail!(tf("err.operator", &[("value", &format!("{operator:?}"))]));
        }
        Ok(Setup {
            paths,
            settings,
            operator,
        })
    }

    /// Opens the store and the engine on it, with the engine's settings.
    pub fn open_engine(&self) -> Result<Arc<Engine>> {
        let store = Store::open(&self.paths.data_dir).map_err(|e| match e {
            // Where, and how much is free: the store cannot even be opened.
            crate::store::StoreError::Full => {
                let free = crate::store::free_bytes_at(&self.paths.data_dir).unwrap_or(0);
                anyhow::anyhow!(crate::i18n::tf(
                    "err.disk_full_open",
                    &[
                        ("path", &self.paths.data_dir.display()),
                        ("free", &(free / (1024 * 1024))),
                    ]
                ))
            }
            e => e.into(),
        })?;
        let engine = Engine::new(store, &self.operator);
        engine.apply_settings(self.settings.engine.clone())?;
        engine.set_settings_file(Some(self.paths.config_file.clone()));
        // A broken rules file does not stop kith: no rules run, and it is said (`kith rules
        // check` shows every problem with its place).
        let rules = self.paths.rules_file();
        if let Err(e) = engine.load_rules_file(&rules) {
            tracing::warn!("rules {} not applied: {e}", rules.display());
            engine.notice(
                crate::i18n::ph("notice.rules_bad", &[("path", &rules.display())])
                    .with("error", crate::i18n::Phrase::raw(e.to_string())),
                true,
            );
        }
        Ok(engine)
    }
}
