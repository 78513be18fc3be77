//! Inbox rules in the engine: `rules.toml` read (at start and whenever it changes) and put in
//! force in the store, whose every arriving item runs them in its own batch; a broken file keeps
//! the rules already in force and is reported; `kith rules test` counts what each rule would
//! have touched among the stored items.

use super::api::{Filter, ListQuery, Response, RuleTest};
use super::{Engine, EngineError};
use crate::domain::pattern::PatternCtx;
use crate::domain::rules::{self, Action, Rules, RulesError};
use crate::domain::Timestamp;
use crate::i18n::ph;
use crate::store::RulesRun;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Counting a rule's matches stops here (the answer says "more").
const COUNT_CAP: u64 = 100_000;
/// Examples shown per rule.
const EXAMPLES: usize = 3;

/// Why a rules file was not put in force.
#[derive(Debug)]
pub enum RulesLoadError {
    Read(std::io::Error),
    Bad(Vec<RulesError>),
    Engine(EngineError),
}

impl std::fmt::Display for RulesLoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RulesLoadError::Read(e) => write!(f, "{e}"),
            RulesLoadError::Bad(errs) => {
                let shown: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
                f.write_str(&shown.join("; "))
            }
            RulesLoadError::Engine(e) => write!(f, "{e}"),
        }
    }
}

/// Reads a rules file; a missing file is no rules.
pub fn read_file(path: &Path) -> Result<Rules, RulesLoadError> {
    match std::fs::read_to_string(path) {
        Ok(text) => rules::parse(&text).map_err(RulesLoadError::Bad),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Rules::default()),
        Err(e) => Err(RulesLoadError::Read(e)),
    }
}

/// The saved replies beside a rules file (`replies.toml` in the same folder; the bundled ones
/// when there is none), as `draft:` finds them: lower-cased name → template.
pub fn read_replies(rules_path: &Path) -> Result<Drafts, RulesLoadError> {
    let path = rules_path.with_file_name("replies.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::domain::saved_reply::BUNDLED.to_string()
        }
        Err(e) => return Err(RulesLoadError::Read(e)),
    };
    crate::domain::saved_reply::templates(&text).map_err(|e| {
        let error = format!("{}: {e}", path.display());
        RulesLoadError::Bad(vec![RulesError {
            line: 1,
            col: None,
            phrase: ph("rules.err.replies", &[("error", &error)]),
        }])
    })
}

/// Saved replies by lower-cased name.
pub type Drafts = HashMap<String, String>;

/// Every `draft:NAME` of the rules that names no saved reply, with its place in the file.
pub fn check_drafts(rules: &Rules, drafts: &Drafts) -> Vec<RulesError> {
    let mut known: Vec<&str> = drafts.keys().map(String::as_str).collect();
    known.sort_unstable();
    let known = known.join(", ");
    let mut out = Vec::new();
    for r in &rules.rules {
        for (a, (line, col)) in r.then.iter().zip(&r.places) {
            if let Action::Draft(name) = a {
                if !drafts.contains_key(&name.to_lowercase()) {
                    out.push(RulesError {
                        line: *line,
                        col: Some(*col),
                        phrase: ph(
                            "rules.err.no_reply",
                            &[("name", &r.name), ("reply", name), ("known", &known)],
                        ),
                    });
                }
            }
        }
    }
    out
}

/// A rules file read and checked against the saved replies beside it, ready to put in force.
pub fn read_checked(path: &Path) -> Result<(Rules, Drafts), RulesLoadError> {
    let rules = read_file(path)?;
    let uses_drafts = rules
        .rules
        .iter()
        .any(|r| r.then.iter().any(|a| matches!(a, Action::Draft(_))));
    if !uses_drafts {
        return Ok((rules, Drafts::new()));
    }
    let drafts = read_replies(path)?;
    let bad = check_drafts(&rules, &drafts);
    if bad.is_empty() {
        Ok((rules, drafts))
    } else {
        Err(RulesLoadError::Bad(bad))
    }
}

impl Engine {
    /// Puts the rules of `path` in force (none when it does not exist). On any error the rules
    /// already in force stay. Returns how many rules are in force.
    pub fn load_rules(&self, path: &Path) -> Result<usize, RulesLoadError> {
        let (rules, drafts) = read_checked(path)?;
        self.put_rules(rules, drafts)
            .map_err(RulesLoadError::Engine)
    }

    /// Puts `rules` in force, with what their patterns need (top members, people named) and the
    /// saved replies their `draft:` actions prepare (checked by `read_checked`).
    pub fn put_rules(&self, rules: Rules, drafts: Drafts) -> Result<usize, EngineError> {
        let n = rules.rules.len();
        if n == 0 {
            self.store.set_rules(None);
            return Ok(0);
        }
        let ctx = self.rules_ctx(&rules)?;
        self.store
            .set_rules(Some(Arc::new(RulesRun { rules, ctx, drafts })));
        Ok(n)
    }

    /// Puts the rules file in force now (a test or an apply right after an edit must not wait
    /// for the watcher), recording how it went for the Rules panel. `strict`: a broken file is
    /// the answer (an apply); otherwise the rules in force before it stay and are used (a test:
    /// the panel shows the file's problems beside their counts).
    pub(super) fn fresh_rules(&self, strict: bool) -> Result<(), EngineError> {
        let recorded = self.rules_record.read().ok().and_then(|r| r.path.clone());
        let path =
            recorded.or_else(|| self.settings_file().map(|c| c.with_file_name("rules.toml")));
        let Some(path) = path else {
            return Ok(());
        };
        match self.load_rules_file(&path) {
            Ok(_) => Ok(()),
            Err(_) if !strict => Ok(()),
            Err(e) => Err(EngineError::Invalid(
                ph("notice.rules_bad", &[("path", &path.display())])
                    .with("error", crate::i18n::Phrase::raw(e.to_string())),
            )),
        }
    }

    /// One context for every rule's pattern (rules have no operator: `~o me` matches nobody).
    fn rules_ctx(&self, rules: &Rules) -> Result<PatternCtx, EngineError> {
        let mut ctx = PatternCtx::at(self.now(), self.targets());
        for r in &rules.rules {
            let c = self.pattern_ctx("", &r.when)?;
            ctx.top.extend(c.top);
            ctx.authors.extend(c.authors);
        }
        ctx.me = None;
        Ok(ctx)
    }

    /// The rules in force, each with how many stored items (created since `since`) it matches
    /// and the newest few.
    pub(super) fn rules_test(&self, since: Option<Timestamp>) -> Result<Response, EngineError> {
        self.fresh_rules(false)?;
        let Some(run) = self.store.rules_run() else {
            return Ok(Response::RulesTest(Vec::new()));
        };
        let mut out = Vec::new();
        for r in &run.rules.rules {
            let mut ctx = run.ctx.clone();
            ctx.now = self.now();
            let mut q = ListQuery {
                filter: Filter {
                    since,
                    pattern: Some(r.when_text.clone()),
                    ..Filter::default()
                },
                limit: 10_000,
                ..ListQuery::default()
            };
            let (mut count, mut examples, mut more) = (0u64, Vec::new(), false);
            loop {
                let page = self.store.list_with(&q, &ctx)?;
                count += page.items.len() as u64;
                for it in page.items {
                    if examples.len() < EXAMPLES {
                        examples.push(it);
                    }
                }
                match page.cursor {
                    Some(c) if page.more => {
                        if count >= COUNT_CAP {
                            more = true;
                            break;
                        }
                        q.after = Some(c);
                    }
                    _ => break,
                }
            }
            out.push(RuleTest {
                name: r.name.clone(),
                when: r.when_text.clone(),
                then: r.then.iter().map(|a| a.to_string()).collect(),
                count,
                more,
                examples,
            });
        }
        Ok(Response::RulesTest(out))
    }
}
