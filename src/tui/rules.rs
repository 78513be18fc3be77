//! The Rules panel (`g r`, `:rules`): the inbox rules in force in order, how many of the last 30
//! days' items each matches (and examples of the selected one), the rules file and a broken
//! file's problems; `e` edits the file in `$EDITOR` (starting it from an example when there is
//! none) and has the engine read it again at once.

use super::cx::Cx;
use super::keys::Input;
use super::msg::{Cmd, Effect, Out, Tag};
use crate::config::keymap::Action;
use crate::domain::Timestamp;
use crate::engine::api::{Request, Response, RuleTest};
use crate::engine::rules_status::{RuleProblem, RulesStatus};
use crate::engine::EngineError;
use crate::i18n::{t, tf};
use crate::text::sanitize_line;

/// A commented `rules.toml` that `e` starts from when there is none.
pub const EXAMPLE: &str = include_str!("../../assets/rules.example.toml");

/// The counts look this far back.
const WINDOW_MS: i64 = 30 * 86_400_000;

#[derive(Debug, Clone, Default)]
pub struct RulesPanel {
    pub status: Option<RulesStatus>,
    /// What each rule matches (None while they are counted).
    pub tests: Option<Vec<RuleTest>>,
    pub sel: usize,
    /// Request generation: answers to older requests are dropped.
    pub gen: u64,
}

impl RulesPanel {
    /// The counts of the rule named `name`, once they came.
    pub fn test_of(&self, name: &str) -> Option<&RuleTest> {
        self.tests.as_ref()?.iter().find(|r| r.name == name)
    }

    fn len(&self) -> usize {
        self.status.as_ref().map_or(0, |s| s.rules.len())
    }
}

/// `g r`: the panel, and the requests that fill it.
pub fn open(cx: &Cx) -> (Box<RulesPanel>, Vec<Effect>) {
    let mut p = Box::<RulesPanel>::default();
    p.gen = 1;
    let fx = vec![
        Effect::Call(
            Tag::RulesStatus {
                gen: p.gen,
                reloaded: false,
            },
            Request::RulesStatus,
        ),
        counts(&p, cx.now),
    ];
    (p, fx)
}

fn counts(p: &RulesPanel, now: Timestamp) -> Effect {
    Effect::Call(
        Tag::RulesTest { gen: p.gen },
        Request::RulesTest {
            since: Some(Timestamp(now.0 - WINDOW_MS)),
        },
    )
}

/// Has the engine read the file again; the answer says how it went.
fn reload(p: &mut RulesPanel) -> Vec<Effect> {
    p.gen += 1;
    p.tests = None;
    vec![Effect::Call(
        Tag::RulesStatus {
            gen: p.gen,
            reloaded: true,
        },
        Request::RulesReload,
    )]
}

/// A key while the panel is open (the keymap's `rules` context).
pub fn key(p: &mut RulesPanel, cx: &mut Cx, input: Input) -> Out {
    let Input::Act(action) = input else {
        return Out::default();
    };
    let last = p.len().saturating_sub(1);
    match action {
        Action::Close => return Out::cmd(Cmd::Close),
        Action::Down => p.sel = (p.sel + 1).min(last),
        Action::Up => p.sel = p.sel.saturating_sub(1),
        Action::Top => p.sel = 0,
        Action::Bottom => p.sel = last,
        Action::Reload => return Out::fx(reload(p)),
        Action::EditRules => {
            let Some(path) = p.status.as_ref().and_then(|s| s.path.clone()) else {
                cx.error(&t("rules.panel.no_file"));
                return Out::default();
            };
            let exists = p.status.as_ref().is_some_and(|s| s.exists);
            return Out::fx(vec![Effect::EditFile {
                path: path.into(),
                seed: (!exists).then(|| EXAMPLE.to_string()),
            }]);
        }
        _ => {}
    }
    Out::default()
}

/// `$EDITOR` closed: the engine reads the file now (or the editor's failure is said). An
/// example left as it was is not a rules file anybody wrote: it was taken away, and said so.
pub fn edited(p: Option<&mut RulesPanel>, cx: &mut Cx, r: Result<bool, String>) -> Vec<Effect> {
    match (p, r) {
        (_, Ok(false)) => {
            cx.info(t("rules.panel.example_untouched"));
            Vec::new()
        }
        (Some(p), Ok(true)) => reload(p),
        (None, Ok(true)) => Vec::new(),
        (_, Err(e)) => {
            cx.error(&tf(
                "rules.panel.editor_failed",
                &[("error", &sanitize_line(&e, 300).text)],
            ));
            Vec::new()
        }
    }
}

/// A problem as one line: "3:12 rule "x": …".
pub fn problem_line(p: &RuleProblem) -> String {
    let msg = sanitize_line(&p.message.to_string(), 600).text;
    match (p.line, p.col) {
        (Some(l), Some(c)) => tf(
            "rules.panel.at_col",
            &[("line", &l), ("col", &c), ("msg", &msg)],
        ),
        (Some(l), None) => tf("rules.panel.at_line", &[("line", &l), ("msg", &msg)]),
        _ => msg,
    }
}

/// The engine's answers to the panel's requests.
pub fn done(
    p: Option<&mut RulesPanel>,
    cx: &mut Cx,
    tag: Tag,
    r: Result<Response, EngineError>,
) -> Vec<Effect> {
    let Some(p) = p else {
        if let Err(e) = r {
            cx.error(&e.to_string());
        }
        return Vec::new();
    };
    match (tag, r) {
        (Tag::RulesStatus { gen, reloaded }, Ok(Response::RulesStatus(s))) if gen == p.gen => {
            if reloaded {
                match s.problems.first() {
                    None => cx.info(tf("rules.panel.in_force", &[("n", &s.rules.len())])),
                    Some(first) => cx.error(&tf(
                        "rules.panel.not_in_force",
                        &[("problem", &problem_line(first))],
                    )),
                }
            }
            p.sel = p.sel.min(s.rules.len().saturating_sub(1));
            p.status = Some(*s);
            if reloaded {
                return vec![counts(p, cx.now)];
            }
            Vec::new()
        }
        (Tag::RulesTest { gen }, Ok(Response::RulesTest(v))) if gen == p.gen => {
            p.tests = Some(v);
            Vec::new()
        }
        (Tag::RulesTest { gen }, Err(e)) if gen == p.gen => {
            p.tests = Some(Vec::new());
            cx.error(&e.to_string());
            Vec::new()
        }
        (_, Err(e)) => {
            cx.error(&e.to_string());
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Writes `seed` to `path` when no file is there (the folder made too), so the editor opens
/// a commented example instead of an empty file. Says whether it wrote it.
pub fn seed_file(path: &std::path::Path, seed: Option<&str>) -> Result<bool, String> {
    let Some(seed) = seed else {
        return Ok(false);
    };
    if path.exists() {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, seed).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(true)
}

/// After the editor: an example written by `seed_file` and saved unchanged is taken away (its
/// rules would otherwise be put in force without anybody choosing them). Whether a file stays.
pub fn keep_unless_untouched(path: &std::path::Path, seeded: Option<&str>) -> Result<bool, String> {
    let Some(seed) = seeded else {
        return Ok(true);
    };
    match std::fs::read_to_string(path) {
        Ok(text) if text == seed => {
            std::fs::remove_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(false)
        }
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Runs `$VISUAL` / `$EDITOR` (default `vi`) on `path`, after seeding it; blocks until the
/// editor exits. The caller has handed over the terminal. Whether there is a file to read.
pub fn edit_file(path: &std::path::Path, seed: Option<&str>) -> Result<bool, String> {
    let wrote = seed_file(path, seed)?;
    let seeded = seed.filter(|_| wrote);
    let cmd = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| std::env::var("EDITOR").ok())
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    let mut parts = cmd.split_whitespace();
    let prog = parts.next().unwrap_or("vi");
    let ran = match std::process::Command::new(prog)
        .args(parts)
        .arg(path)
        .status()
    {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("{prog}: {s}")),
        Err(e) => Err(format!("{prog}: {e}")),
    };
    let kept = keep_unless_untouched(path, seeded);
    ran?;
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_parses_with_real_rules() {
        let rules = crate::domain::rules::parse(EXAMPLE).expect("the example parses");
        let names: Vec<&str> = rules.rules.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["delivery", "spam-wave", "negative-review"]);
        assert!(rules.rules[1].stop && !rules.rules[1].reviews);
        // The commented rule parses too, once uncommented.
        let open: String = EXAMPLE
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|x| x.starts_with(['[', 'n', 'w', 't']))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let all = crate::domain::rules::parse(&open).expect("uncommented example parses");
        assert_eq!(all.rules.len(), 4);
    }

    #[test]
    fn seeding_writes_only_a_missing_file() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("conf").join("rules.toml");
        assert_eq!(seed_file(&path, Some(EXAMPLE)), Ok(true));
        assert_eq!(std::fs::read_to_string(&path).expect("read"), EXAMPLE);
        // Saved as it was: taken away.
        assert_eq!(keep_unless_untouched(&path, Some(EXAMPLE)), Ok(false));
        assert!(!path.exists());
        std::fs::write(&path, "# mine\n").expect("write");
        assert_eq!(seed_file(&path, Some(EXAMPLE)), Ok(false));
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "# mine\n");
        assert_eq!(keep_unless_untouched(&path, None), Ok(true));
        // Changed after seeding: kept.
        std::fs::write(&path, format!("{EXAMPLE}# mine\n")).expect("write");
        assert_eq!(keep_unless_untouched(&path, Some(EXAMPLE)), Ok(true));
    }
}
