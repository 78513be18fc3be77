//! How a background task's failed join is logged: a task cancelled because the runtime is
//! shutting down (every one-shot command ends that way) is normal; anything else is an error.

pub(crate) fn log_join_error(what: &str, e: &tokio::task::JoinError) {
    if e.is_cancelled() {
        tracing::debug!("{what}: {e} (shutting down)");
    } else {
        tracing::error!("{what}: {e}");
    }
}
