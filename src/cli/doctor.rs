//! `kith doctor`: what is in the data dir, what could not be read, and whether config is sound.

use crate::config::{keymap::Keymap, Config};
use crate::domain::audit::Quarantined;
use crate::engine::api::{AccountView, Overview, Request, Response};
use crate::engine::Backend;
use crate::i18n;
use crate::setup::Setup;
use crate::text::sanitize_line;
use crate::text::voice::StyleSheet;
use anyhow::{bail, Result};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// `kith doctor`: exit 4 when a file kith reads has problems or `--verify` found some.
pub async fn run(
    b: &dyn Backend,
    s: &Setup,
    json: bool,
    verify: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let found = Findings::gather(b, s, verify).await?;
    if json {
        found.write_json(s, out)?;
    } else {
        found.write_text(s, out)?;
    }
    let sound = found.files.iter().all(|f| f.problems.is_empty())
        && found.problems.as_ref().is_none_or(|p| p.is_empty());
    Ok(if sound {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(4)
    })
}

/// `kith doctor --compact`: the store copied into a fresh database, with progress on stderr.
pub async fn compact(b: &dyn Backend, out: &mut impl Write) -> Result<()> {
    let started = std::time::Instant::now();
    eprintln!("{}", i18n::t("doctor.compacting"));
    let res = super::output::call_with_progress(b, Request::Compact, "doctor.compact_progress");
    let Response::Compacted {
        keys,
        before,
        after,
    } = res.await?
    else {
        bail!(i18n::t("err.unexpected"))
    };
    let mb = |b: u64| format!("{:.0}", b as f64 / 1e6);
    writeln!(
        out,
        "{}",
        i18n::tf(
            "doctor.compacted",
            &[
                ("keys", &keys),
                ("before", &mb(before)),
                ("after", &mb(after)),
                ("secs", &format!("{:.1}", started.elapsed().as_secs_f64())),
            ]
        )
    )?;
    Ok(())
}

/// What the engine and the files say.
struct Findings {
    overview: Overview,
    connected: Vec<AccountView>,
    quarantined: Vec<Quarantined>,
    /// The consistency check's findings (with `--verify` only).
    problems: Option<Vec<String>>,
    files: Vec<FileCheck>,
}

impl Findings {
    async fn gather(b: &dyn Backend, s: &Setup, verify: bool) -> Result<Findings> {
        let Response::Overview(overview) = b.call(Request::Overview).await? else {
            bail!(i18n::t("err.unexpected"))
        };
        let Response::Doctor(report) = b.call(Request::Doctor { verify }).await? else {
            bail!(i18n::t("err.unexpected"))
        };
        let Response::Accounts(accounts) = b.call(Request::Accounts).await? else {
            bail!(i18n::t("err.unexpected"))
        };
        Ok(Findings {
            overview,
            connected: accounts.into_iter().filter(|a| a.connected).collect(),
            quarantined: report.quarantined,
            problems: report.problems,
            files: check_files(s),
        })
    }

    fn write_json(&self, s: &Setup, out: &mut impl Write) -> Result<()> {
        let o = &self.overview;
        let v = serde_json::json!({
            "data_dir": s.paths.data_dir,
            "config": s.paths.config_file,
            "operator": s.operator,
            "items": o.total,
            "demo": o.demo,
            "accounts": o.by_account.iter().map(|(n, p, c)| serde_json::json!({"name": n, "platform": p, "items": c})).collect::<Vec<_>>(),
            "connected": self.connected,
            "problems": self.problems,
            "quarantined": self.quarantined.iter().map(|q| serde_json::json!({"seq": q.seq, "source": q.source, "reason": q.reason, "bytes": q.raw.len()})).collect::<Vec<_>>(),
            "files": self.files.iter().map(|f| serde_json::json!({"file": f.what, "path": f.path, "present": f.present, "problems": f.problems})).collect::<Vec<_>>(),
        });
        writeln!(out, "{}", super::output::json_text(&v))?;
        Ok(())
    }

    fn write_text(&self, s: &Setup, out: &mut impl Write) -> Result<()> {
        writeln!(
            out,
            "{}: {}",
            i18n::t("doctor.data_dir"),
            s.paths.data_dir.display()
        )?;
        self.write_files(out)?;
        writeln!(
            out,
            "{}: {}",
            i18n::t("doctor.operator"),
            sanitize_line(&s.operator, 80).text
        )?;
        self.write_items(out)?;
        self.write_connected(out)?;
        self.write_quarantined(out)?;
        self.write_verified(out)
    }

    fn write_files(&self, out: &mut impl Write) -> Result<()> {
        for f in &self.files {
            let state = if !f.problems.is_empty() {
                i18n::tf("doctor.check.problems", &[("count", &f.problems.len())])
            } else if f.present {
                i18n::t("doctor.check.ok")
            } else {
                i18n::t("doctor.check.absent")
            };
            writeln!(
                out,
                "{}: {} — {state}",
                i18n::t(f.label),
                sanitize_line(&f.path.display().to_string(), 300).text
            )?;
            for p in &f.problems {
                writeln!(out, "  {}", sanitize_line(p, 400).text)?;
            }
        }
        Ok(())
    }

    fn write_items(&self, out: &mut impl Write) -> Result<()> {
        let o = &self.overview;
        writeln!(
            out,
            "{}: {}{}",
            i18n::t("doctor.items"),
            o.total,
            if o.demo {
                format!(" ({})", i18n::t("status.demo"))
            } else {
                String::new()
            }
        )?;
        for (name, platform, n) in &o.by_account {
            writeln!(
                out,
                "  {platform:<12} {:<30} {n}",
                sanitize_line(name, 30).text
            )?;
        }
        Ok(())
    }

    fn write_connected(&self, out: &mut impl Write) -> Result<()> {
        writeln!(
            out,
            "{}: {}",
            i18n::t("doctor.connected"),
            self.connected.len()
        )?;
        for a in &self.connected {
            let state = a
                .state_at(crate::domain::Timestamp::now())
                .phrase()
                .to_string();
            writeln!(
                out,
                "  {:<12} {:<30} {state}",
                a.platform.as_str(),
                sanitize_line(&a.name, 30).text
            )?;
            if let Some(e) = &a.state.last_error {
                writeln!(out, "    {}", sanitize_line(&e.to_string(), 300).text)?;
            }
        }
        Ok(())
    }

    fn write_quarantined(&self, out: &mut impl Write) -> Result<()> {
        writeln!(
            out,
            "{}: {}",
            i18n::t("doctor.quarantined"),
            self.quarantined.len()
        )?;
        for q in &self.quarantined {
            writeln!(
                out,
                "  #{} {} — {} ({} B)",
                q.seq,
                sanitize_line(&q.source, 60).text,
                sanitize_line(&q.reason, 200).text,
                q.raw.len()
            )?;
        }
        Ok(())
    }

    fn write_verified(&self, out: &mut impl Write) -> Result<()> {
        let Some(problems) = &self.problems else {
            return Ok(());
        };
        if problems.is_empty() {
            writeln!(out, "{}", i18n::t("doctor.verify_ok"))?;
        } else {
            writeln!(
                out,
                "{}",
                i18n::tf("doctor.verify_problems", &[("count", &problems.len())])
            )?;
            for p in problems {
                writeln!(out, "  {}", sanitize_line(p, 300).text)?;
            }
        }
        Ok(())
    }
}

/// A file kith reads besides the store, and what is wrong in it (each problem names the file
/// and the line).
struct FileCheck {
    /// Its name in JSON.
    what: &'static str,
    /// Its name on screen (catalog key).
    label: &'static str,
    path: PathBuf,
    present: bool,
    problems: Vec<String>,
}

/// The config, the keymap, the saved replies and the style sheet, each parsed as kith would.
fn check_files(s: &Setup) -> Vec<FileCheck> {
    let check = |what, label, path: PathBuf, problems: Vec<String>| FileCheck {
        what,
        label,
        present: path.exists(),
        path,
        problems,
    };
    let config = &s.paths.config_file;
    let config_problems = match Config::load(config, s.paths.config_explicit) {
        Ok(_) => Vec::new(),
        Err(e) => vec![e.to_string()],
    };
    let keymap = s.paths.keymap_file();
    let (_, keymap_errors) = Keymap::load(&keymap);
    let replies = s.paths.replies_file();
    let replies_problems = match crate::config::replies::load(&replies) {
        Ok(_) => Vec::new(),
        Err(e) => vec![e.to_string()],
    };
    let mut v = vec![
        check("config", "doctor.config", config.clone(), config_problems),
        check(
            "keymap",
            "doctor.check.keymap",
            keymap,
            keymap_errors.iter().map(|e| e.to_string()).collect(),
        ),
        check("replies", "doctor.check.replies", replies, replies_problems),
    ];
    let sheet = s.settings.file.schedule.style_sheet.as_str();
    if !sheet.is_empty() {
        // Where the composer reads it from.
        let path = s.paths.config_dir.join(sheet);
        let problem = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|src| {
                StyleSheet::from_toml(&src)
                    .map(drop)
                    .map_err(|e| e.to_string())
            })
            .err()
            .map(|e| format!("{}: {e}", path.display()));
        v.push(check(
            "style_sheet",
            "doctor.check.style_sheet",
            path,
            problem.into_iter().collect(),
        ));
    }
    v
}
