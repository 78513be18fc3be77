//! The terminal UI (placeholder until the TUI lands).
use crate::cli::commands::Setup;
use crate::engine::Backend;
use std::sync::Arc;
pub async fn run(_b: Arc<dyn Backend>, _s: &Setup) -> anyhow::Result<()> {
    Ok(())
}
