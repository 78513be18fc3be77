//! Every config value checked when the file is loaded, and turned into the typed settings the
//! engine takes. A value kith cannot use is refused with its key, never silently dropped later.

use super::error::ValueError;
use super::Config;
use crate::domain::time::{parse_duration, parse_until_checked, UntilError};
use crate::domain::Timestamp;
use crate::i18n::tf;

fn shown(v: &str) -> String {
    format!("{:?}", crate::text::sanitize_line(v, 60).text)
}

fn outside(value: &dyn std::fmt::Display, range: &str) -> String {
    tf("cfg.why.range", &[("value", value), ("range", &range)])
}

impl Config {
    /// Every value, in the order a person reads the file; the first problem found.
    pub fn check(&self) -> Result<(), ValueError> {
        if !self.lang.is_empty() && crate::i18n::Lang::parse(&self.lang).is_none() {
            return Err(ValueError::new(
                &["lang"],
                tf("cfg.why.lang", &[("value", &shown(&self.lang))]),
            ));
        }
        if self.operator.chars().any(char::is_control) {
            return Err(ValueError::new(
                &["operator"],
                tf("cfg.why.operator", &[("value", &shown(&self.operator))]),
            ));
        }
        // Relative presets are checked against now; what matters is that each one parses.
        let now = Timestamp::now();
        for (i, p) in self.snooze_presets.iter().enumerate() {
            parse_until_checked(p, now)
                .map_err(|e| ValueError::new(&["snooze_presets"], e.to_string()).item(i))?;
        }
        if self.page_size == 0 || self.page_size > 5000 {
            return Err(ValueError::new(
                &["page_size"],
                outside(&self.page_size, "1..=5000"),
            ));
        }
        for (i, op) in self.team.read_only.iter().enumerate() {
            if op.trim().is_empty() || op.chars().any(char::is_control) {
                return Err(ValueError::new(
                    &["team", "read_only"],
                    tf("cfg.why.operator", &[("value", &shown(op))]),
                )
                .item(i));
            }
        }
        self.check_approvals()?;
        self.targets()?;
        self.scoring()?;
        self.outbox()?;
        self.tags.colors()?;
        self.views.check()?;
        Ok(())
    }

    /// The outbox settings from `[schedule]`, checked.
    pub fn outbox(&self) -> Result<crate::engine::outbox::OutboxSettings, ValueError> {
        use crate::domain::when;
        let s = &self.schedule;
        let zone = when::Zone::from_config(Some(s.timezone.as_str()).filter(|z| !z.is_empty()))
            .map_err(|e| ValueError::new(&["schedule", "timezone"], e))?;
        if s.late_limit_minutes > 7 * 24 * 60 {
            return Err(ValueError::new(
                &["schedule", "late_limit_minutes"],
                tf("cfg.why.week", &[("value", &s.late_limit_minutes)]),
            ));
        }
        if !(1..=100).contains(&s.max_attempts) {
            return Err(ValueError::new(
                &["schedule", "max_attempts"],
                outside(&s.max_attempts, "1..=100"),
            ));
        }
        let mut slots = std::collections::BTreeMap::new();
        for (account, list) in &s.slots {
            let mut parsed = Vec::new();
            for (i, slot) in list.iter().enumerate() {
                let one = when::parse_slots(slot).map_err(|e| {
                    ValueError::new(&["schedule", "slots", account], e.to_string()).item(i)
                })?;
                parsed.extend(one);
            }
            parsed.sort();
            parsed.dedup();
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
    pub fn scoring(&self) -> Result<crate::domain::member::Scoring, ValueError> {
        use crate::domain::member::{Act, Scoring};
        let mut s = Scoring::default();
        if let Some(h) = self.members.half_life_days {
            if !h.is_finite() || !(0.0..=36_500.0).contains(&h) {
                return Err(ValueError::new(
                    &["members", "half_life_days"],
                    outside(&h, "0..=36500 (0 = no decay)"),
                ));
            }
            s.half_life_days = h;
        }
        for (k, w) in &self.members.weights {
            let Some(act) = Act::parse(k) else {
                let names: Vec<&str> = Act::ALL.iter().map(|a| a.as_str()).collect();
                return Err(ValueError::new(
                    &["members", "weights", k],
                    tf("cfg.why.kind", &[("kinds", &names.join(", "))]),
                ));
            };
            if !w.is_finite() || !(0.0..=1000.0).contains(w) {
                return Err(ValueError::new(
                    &["members", "weights", k],
                    outside(w, "0..=1000"),
                ));
            }
            s.weights[act.index()] = *w;
        }
        Ok(s)
    }

    /// The response targets: defaults, overridden per kind by `[response_targets]`.
    pub fn targets(&self) -> Result<crate::domain::clock::Targets, ValueError> {
        use crate::domain::Kind;
        let mut t = crate::domain::clock::Targets::default();
        for (k, v) in &self.response_targets {
            let at = |reason: String| ValueError::new(&["response_targets", k], reason);
            let kind: Kind = k.parse().map_err(|_| {
                let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                at(tf("cfg.why.kind", &[("kinds", &names.join(", "))]))
            })?;
            let ms = match parse_duration(v) {
                Ok(Some(ms)) if ms > 0 => ms,
                Err(e @ UntilError::TooFar(_)) => return Err(at(e.to_string())),
                _ => return Err(at(tf("cfg.why.duration", &[("value", &shown(v))]))),
            };
            t.0[(kind.code() - 1) as usize] = ms;
        }
        Ok(t)
    }
}
