//! kith's entry point: parse flags, set up logging, dispatch. See `lib.rs` for the architecture map.

// sled allocates on every operation; mimalloc makes ingest ~1.5x faster than glibc malloc here.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Everything kith writes (the store, sessions, secrets, drafts, exports, logs) is private:
    // customer messages and tokens are nobody else's business on a shared machine.
    // SAFETY: umask only sets the calling process's file mode mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
    let cli = kith::cli::parse();
    let paths = kith::paths::Paths::resolve(cli.data_dir.clone(), cli.config.clone());
    init_logging(&paths.log_file());
    match kith::cli::run(cli) {
        Ok(code) => code,
        // `kith inbox | head`: the reader left; that is not an error.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|x| x.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("{e:#}");
            let msg = kith::text::sanitize_line(&format!("{e:#}"), 2000).text;
            eprintln!("kith: {msg}");
            // Someone else changed or took the item first: scripts can tell this from a failure.
            match e.downcast_ref::<kith::engine::EngineError>() {
                Some(
                    kith::engine::EngineError::Conflict { .. }
                    | kith::engine::EngineError::Claimed { .. }
                    | kith::engine::EngineError::Rewarded(_),
                ) => ExitCode::from(6),
                Some(kith::engine::EngineError::ReadOnly(_)) => ExitCode::from(7),
                _ => ExitCode::from(2),
            }
        }
    }
}

/// Logs go to a file in the state dir, never to the screen. No log file, no logs: never fatal.
fn init_logging(file: &std::path::Path) {
    let Some(dir) = file.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
    else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("KITH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(f))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
}
