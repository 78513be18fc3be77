//! `[team] needs_approval`, `approvers`, `approve_replies` checked when the file is read: a
//! setting that would leave posts waiting for nobody, or name someone the team does not know, is
//! refused with its key and line like every other value.

use super::error::ValueError;
use super::Config;
use crate::i18n::tf;

fn shown(v: &str) -> String {
    format!("{:?}", crate::text::sanitize_line(v, 60).text)
}

impl Config {
    pub(super) fn check_approvals(&self) -> Result<(), ValueError> {
        let team = &self.team;
        for (key, names) in [
            ("needs_approval", &team.needs_approval),
            ("approvers", &team.approvers),
        ] {
            for (i, op) in names.iter().enumerate() {
                let at = |reason: String| ValueError::new(&["team", key], reason).item(i);
                if op.trim().is_empty() || op.chars().any(char::is_control) {
                    return Err(at(tf("cfg.why.operator", &[("value", &shown(op))])));
                }
                // With a roster, a name on neither list is a typo that would never match.
                let known = team
                    .operators
                    .iter()
                    .chain(&team.read_only)
                    .any(|n| n == op);
                if !team.operators.is_empty() && !known {
                    return Err(at(tf("approvals.cfg.unknown", &[("name", &shown(op))])));
                }
            }
        }
        for (i, op) in team.approvers.iter().enumerate() {
            let at = |key: &str| tf(key, &[("name", &shown(op))]);
            if team.needs_approval.contains(op) {
                return Err(
                    ValueError::new(&["team", "approvers"], at("approvals.cfg.both")).item(i),
                );
            }
            if team.read_only.contains(op) {
                return Err(
                    ValueError::new(&["team", "approvers"], at("approvals.cfg.read_only")).item(i),
                );
            }
        }
        if !team.needs_approval.is_empty() && team.approvers.is_empty() {
            return Err(ValueError::new(
                &["team", "needs_approval"],
                tf("approvals.cfg.no_approvers", &[]),
            ));
        }
        Ok(())
    }
}
