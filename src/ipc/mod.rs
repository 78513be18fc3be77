//! The engine over a Unix socket: `kith serve` owns the store and serves every front end
//! (`server`), front ends attach as a `Backend` (`client`), and `spawn` starts the engine in the
//! background when none runs. Messages are the engine's own `Request`/`Response`/`Event`,
//! framed as length-prefixed JSON (`frame`).

pub mod client;
pub mod frame;
pub mod path;
pub mod server;
pub mod spawn;

pub use client::{ClientOptions, Remote};
pub use path::socket_path;

use crate::engine::api::{Event, Operator, Request, Response};
use crate::engine::EngineError;
use serde::{Deserialize, Serialize};

/// Bumped whenever a message changes shape; with the crate version it must match exactly.
pub const PROTOCOL: u32 = 2;

/// Crate version, protocol, and the build's id: an engine left running from an older build
/// is refused even when the version number is the same.
pub fn version() -> String {
    format!(
        "{}+p{PROTOCOL}+{}",
        env!("CARGO_PKG_VERSION"),
        env!("KITH_BUILD_ID")
    )
}

/// What a front end sends. Lives only until written, so the size difference costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ClientMsg {
    Hello {
        version: String,
        operator: String,
        /// The config file this front end read (engine settings come from the engine's own).
        #[serde(default)]
        config: Option<std::path::PathBuf>,
    },
    Call {
        id: u64,
        req: Request,
    },
    /// Ask the engine to stop (`kith serve --stop`).
    Stop,
}

/// What the engine sends.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ServerMsg {
    Welcome {
        version: String,
        pid: u32,
        operator: Operator,
        /// The config file the engine's settings come from.
        #[serde(default)]
        config: Option<std::path::PathBuf>,
    },
    /// The handshake failed, or a request that is not a call was refused.
    Refused(crate::i18n::Phrase),
    Reply {
        id: u64,
        result: Result<Response, EngineError>,
    },
    Event(Event),
    /// This connection missed events: the front end should reload what it shows.
    Lagged,
    /// The engine stops on purpose (`kith serve --stop`, a signal): front ends do not start it
    /// again by themselves.
    Stopping,
}

#[derive(Debug, thiserror::Error)]
pub enum IpcError {
    /// Nothing listens on the socket (no engine, or a stale socket file).
    #[error("{0}")]
    NotRunning(String),
    /// The engine refused us (version mismatch), or the socket is unsafe; a catalog message.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Io(String),
}
