//! The engine's settings, typed: the team's roles, answer targets, member scoring and the
//! scheduler. Read and checked by the config module (or chosen by a test); the engine never reads
//! a config file itself.

use super::outbox::OutboxSettings;
use super::{Engine, EngineError};
use crate::domain::clock::Targets;
use crate::domain::member::Scoring;
use crate::domain::settings::TeamSettings;

#[derive(Debug, Clone, Default)]
pub struct EngineSettings {
    pub team: TeamSettings,
    pub targets: Targets,
    pub scoring: Scoring,
    pub outbox: OutboxSettings,
}

impl Engine {
    /// Takes these settings; a change of member weights re-scores the members once.
    pub fn apply_settings(&self, s: EngineSettings) -> Result<(), EngineError> {
        self.set_team(s.team);
        self.set_targets(s.targets);
        self.set_scoring(s.scoring)?;
        self.set_outbox(s.outbox);
        Ok(())
    }
}
