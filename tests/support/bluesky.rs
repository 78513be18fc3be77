//! Bluesky as the tests fake it: our DID and handle, sessions, the login endpoint, and a
//! connector on a local server keeping its session under a temp dir.

use super::fake::{ok, on};
use super::net;
use kith::connectors::bluesky::Bluesky;
use kith::connectors::http::RetryPolicy;
use kith::connectors::secrets::SessionFile;
use kith::connectors::AccountConfig;
use kith::domain::Platform;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;
use wiremock::matchers::body_partial_json;
use wiremock::{Mock, MockServer};

/// Our account's DID.
pub const ME: &str = "did:plc:ourshop0000000000";
pub const HANDLE: &str = "shop.bsky.social";
pub const CREATE_SESSION: &str = "/xrpc/com.atproto.server.createSession";

/// A session as `createSession` and `refreshSession` return it.
pub fn session(access: &str, refresh: &str) -> Value {
    json!({"accessJwt": access, "refreshJwt": refresh, "did": ME, "handle": HANDLE})
}

/// `createSession` granting the access token `access` (refresh token "refresh-1").
pub fn login(access: &str) -> Mock {
    on("POST", CREATE_SESSION).respond_with(ok(session(access, "refresh-1")))
}

/// `createSession` granting the access token "access-1", only to our handle with `password`.
pub fn login_with(password: &str) -> Mock {
    on("POST", CREATE_SESSION)
        .and(body_partial_json(
            json!({"identifier": HANDLE, "password": password}),
        ))
        .respond_with(ok(session("access-1", "refresh-1")))
}

/// A server that lets us log in with `password`, and a temp dir for the session file.
pub async fn logged_in(password: &str) -> (MockServer, tempfile::TempDir) {
    let server = MockServer::start().await;
    login_with(password).mount(&server).await;
    (server, tempfile::tempdir().expect("tmp"))
}

/// Account `name` (@shop.bsky.social) on `server`.
pub fn account(name: &str, server: &MockServer) -> AccountConfig {
    AccountConfig {
        handle: Some(HANDLE.into()),
        ..net::account(name, Platform::Bluesky, server.uri())
    }
}

/// The connector for `cfg`, logging in with `password`, its session file under `dir`.
pub fn connector(cfg: &AccountConfig, password: &str, policy: RetryPolicy, dir: &Path) -> Bluesky {
    Bluesky::new(
        cfg,
        password.into(),
        net::http(password, Duration::from_secs(2), policy),
        SessionFile::for_account(dir, &cfg.name),
    )
}
