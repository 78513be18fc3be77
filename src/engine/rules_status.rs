//! Where the rules stand, for the Rules panel: which file they come from, the rules in force,
//! and why the file as it is on disk is not in force (the rules read before stay); and reading
//! the file again when asked, without waiting for `kith serve`'s watcher.

use super::api::Response;
use super::rules::RulesLoadError;
use super::{Engine, EngineError};
use crate::i18n::{ph, Phrase};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What the engine last read of its rules file.
#[derive(Debug, Default)]
pub struct RulesRecord {
    pub(super) path: Option<PathBuf>,
    problems: Vec<RuleProblem>,
}

/// The rules file's state as the Rules panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesStatus {
    /// The file rules are read from (None: this engine was given none).
    pub path: Option<String>,
    pub exists: bool,
    /// The rules in force, in order.
    pub rules: Vec<RuleInForce>,
    /// Why the file on disk is not in force (empty when it is); the rules above stay.
    pub problems: Vec<RuleProblem>,
}

/// One rule in force, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInForce {
    pub name: String,
    pub when: String,
    pub then: Vec<String>,
    pub stop: bool,
    pub reviews: bool,
    /// Where it starts in the file (1-based).
    pub line: usize,
}

/// One problem of a rules file: where (when known) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleProblem {
    pub line: Option<usize>,
    pub col: Option<usize>,
    pub message: Phrase,
}

fn problems(e: &RulesLoadError) -> Vec<RuleProblem> {
    match e {
        RulesLoadError::Bad(errs) => errs
            .iter()
            .map(|x| RuleProblem {
                line: Some(x.line),
                col: x.col,
                message: x.phrase.clone(),
            })
            .collect(),
        RulesLoadError::Read(io) => vec![RuleProblem {
            line: None,
            col: None,
            message: ph("rules.panel.unreadable", &[]).with("error", Phrase::raw(io.to_string())),
        }],
        RulesLoadError::Engine(err) => vec![RuleProblem {
            line: None,
            col: None,
            message: ph("rules.panel.engine_error", &[])
                .with("error", Phrase::raw(err.to_string())),
        }],
    }
}

impl Engine {
    /// Puts the rules of `path` in force (as `load_rules`) and keeps how it went, for
    /// `Request::RulesStatus`: start-up and the watcher read the file through here.
    pub fn load_rules_file(&self, path: &Path) -> Result<usize, RulesLoadError> {
        let loaded = self.load_rules(path);
        if let Ok(mut r) = self.rules_record.write() {
            r.path = Some(path.to_path_buf());
            r.problems = match &loaded {
                Ok(_) => Vec::new(),
                Err(e) => problems(e),
            };
        }
        loaded
    }

    /// The rules file, the rules in force and the file's problems.
    pub(super) fn rules_status(&self) -> Response {
        let (path, problems) = match self.rules_record.read() {
            Ok(r) => (r.path.clone(), r.problems.clone()),
            Err(_) => (None, Vec::new()),
        };
        let rules = self
            .store
            .rules_run()
            .map(|run| {
                run.rules
                    .rules
                    .iter()
                    .map(|r| RuleInForce {
                        name: r.name.clone(),
                        when: r.when_text.clone(),
                        then: r.then.iter().map(|a| a.to_string()).collect(),
                        stop: r.stop,
                        reviews: r.reviews,
                        line: r.line,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Response::RulesStatus(Box::new(RulesStatus {
            exists: path.as_deref().is_some_and(Path::exists),
            path: path.map(|p| p.display().to_string()),
            rules,
            problems,
        }))
    }

    /// Reads the rules file again now; answers with where the rules stand after it. The one
    /// who asked sees the answer; other front ends hear it from `kith serve`'s watcher, which
    /// sees the file changed.
    pub(super) fn rules_reload(&self) -> Result<Response, EngineError> {
        let path = self.rules_record.read().ok().and_then(|r| r.path.clone());
        let Some(path) = path else {
            return Err(EngineError::Invalid(ph("rules.panel.no_file", &[])));
        };
        match self.load_rules_file(&path) {
            Ok(n) => tracing::info!("{n} rules in force from {} (asked)", path.display()),
            Err(e) => tracing::warn!("rules {} not applied: {e}", path.display()),
        }
        Ok(self.rules_status())
    }
}
