//! The real binary against a local server speaking the YouTube Data API v3: `kith account add
//! youtube --token-env … --base-url …`, `kith account test`, `kith sync --once` (published,
//! held and likely-spam comments, every reply), `kith inbox`, `kith reply` (one insert, under the
//! right thread), `kith act … reject` and the refusals YouTube has.

mod cli_common;
mod support;

use cli_common::Env;
use serde_json::{json, Value};
use support::youtube::{api, comment, list, reply, thread, CHANNEL, TOKEN};
use wiremock::matchers::query_param;
use wiremock::{MockServer, ResponseTemplate};

async fn run(env: &Env, args: &[&str]) -> (i32, String, String) {
    env.run_async(args, &[("YT_TOKEN", TOKEN)]).await
}

async fn youtube() -> MockServer {
    let server = MockServer::start().await;
    let top = comment(
        "Ugz1",
        "mariagarcía",
        "¿Habrá subtítulos en español?",
        "2026-03-14T09:19:02Z",
    );
    let r1 = reply(
        "Ugz1.a",
        "Ugz1",
        "leo",
        "+1, y en ruso",
        "2026-03-14T09:30:00Z",
    );
    let r2 = reply(
        "Ugz1.b",
        "Ugz1",
        "ana",
        "¡Sí, por favor!",
        "2026-03-14T09:40:00Z",
    );
    api("GET", "commentThreads")
        .and(query_param("moderationStatus", "published"))
        .respond_with(list(vec![thread(top, vec![r1.clone()], 2)], None))
        .mount(&server)
        .await;
    api("GET", "commentThreads")
        .and(query_param("moderationStatus", "heldForReview"))
        .respond_with(list(
            vec![thread(
                comment(
                    "Ugh1",
                    "olga",
                    "Скидка тут: bit.ly/x",
                    "2026-03-14T10:00:00Z",
                ),
                vec![],
                0,
            )],
            None,
        ))
        .mount(&server)
        .await;
    api("GET", "commentThreads")
        .and(query_param("moderationStatus", "likelySpam"))
        .respond_with(list(vec![], None))
        .mount(&server)
        .await;
    api("GET", "comments")
        .respond_with(list(vec![r1, r2], None))
        .mount(&server)
        .await;
    api("GET", "channels")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [
            {"id": CHANNEL, "snippet": {"title": "Lumo", "customUrl": "@lumo"}}]})))
        .mount(&server)
        .await;
    api("POST", "comments")
        .respond_with(ResponseTemplate::new(200).set_body_json(reply(
            "Ugz1.ours",
            "Ugz1",
            "ourChannel000000000000",
            "¡Sí! La semana que viene.",
            "2026-03-14T11:00:00Z",
        )))
        .mount(&server)
        .await;
    api("POST", "comments/setModerationStatus")
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_sync_inbox_reply_against_a_youtube_server() {
    let server = youtube().await;
    let env = Env::new();
    let uri = server.uri();
    let (code, out, err) = run(
        &env,
        &[
            "account",
            "add",
            "youtube",
            "lumo-yt",
            "--channel-id",
            CHANNEL,
            "--token-env",
            "YT_TOKEN",
            "--base-url",
            &uri,
        ],
    )
    .await;
    assert_eq!(code, 0, "add: {out} {err}");
    let (code, out, err) = run(&env, &["account", "test", "lumo-yt"]).await;
    assert_eq!(code, 0, "{out} {err}");
    assert!(out.contains("@lumo"), "{out}");

    let (code, out, err) = run(&env, &["sync", "--once", "--json"]).await;
    assert_eq!(code, 0, "sync: {out} {err}");
    let report: Value = serde_json::from_str(out.trim()).expect("report");
    assert_eq!(report["error"], Value::Null, "{report}");
    assert_eq!(report["added"], 4, "{report}");

    let (code, out, _) = run(&env, &["inbox", "--json"]).await;
    assert_eq!(code, 0);
    let items: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let texts: Vec<&str> = items.iter().filter_map(|i| i["text"].as_str()).collect();
    assert!(
        texts.contains(&"¡Sí, por favor!"),
        "the reply YouTube did not embed: {texts:?}"
    );
    let held = items
        .iter()
        .find(|i| i["text"] == "Скидка тут: bit.ly/x")
        .expect("the held comment");
    assert!(
        held["tags"]
            .as_array()
            .is_some_and(|t| t.iter().any(|x| x == "held")),
        "{held}"
    );
    let question = items
        .iter()
        .find(|i| i["text"] == "¿Habrá subtítulos en español?")
        .expect("question");
    let id = question["id"].as_str().expect("id").to_string();

    let (code, out, err) = run(&env, &["reply", &id, "¡Sí! La semana que viene."]).await;
    assert_eq!(code, 0, "reply: {out} {err}");
    let inserts: Vec<_> = server
        .received_requests()
        .await
        .expect("recorded")
        .into_iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == "/youtube/v3/comments")
        .collect();
    assert_eq!(inserts.len(), 1, "exactly one insert");
    let body: Value = serde_json::from_slice(&inserts[0].body).expect("json");
    assert_eq!(body["snippet"]["parentId"], "Ugz1");
    assert_eq!(body["snippet"]["textOriginal"], "¡Sí! La semana que viene.");
    assert_eq!(
        inserts[0]
            .headers
            .get("authorization")
            .and_then(|h| h.to_str().ok()),
        Some(format!("Bearer {TOKEN}").as_str())
    );

    let held_id = held["id"].as_str().expect("id").to_string();
    let (code, _, err) = run(&env, &["act", &held_id, "reject"]).await;
    assert_eq!(code, 0, "{err}");
    let moderated: Vec<_> = server
        .received_requests()
        .await
        .expect("recorded")
        .into_iter()
        .filter(|r| r.url.path() == "/youtube/v3/comments/setModerationStatus")
        .collect();
    // setModerationStatus is idempotent, so the client may repeat it after a slow answer on a
    // loaded machine; every request must say the same thing.
    assert!((1..=3).contains(&moderated.len()), "{}", moderated.len());
    for m in &moderated {
        let q: Vec<(String, String)> = m.url.query_pairs().into_owned().collect();
        assert!(q.contains(&("id".into(), "Ugh1".into())), "{q:?}");
        assert!(
            q.contains(&("moderationStatus".into(), "rejected".into())),
            "{q:?}"
        );
    }
    let (code, _, err) = run(&env, &["act", &id, "like"]).await;
    assert_ne!(code, 0);
    assert!(
        err.contains("YouTube has no API to like a comment"),
        "{err}"
    );
}

/// `POST /token` for the device code: "authorization_pending" once, then the tokens.
struct DeviceToken(std::sync::atomic::AtomicUsize);

impl wiremock::Respond for DeviceToken {
    fn respond(&self, req: &wiremock::Request) -> ResponseTemplate {
        let body = String::from_utf8_lossy(&req.body);
        assert!(body.contains("device_code=dev-123"), "{body}");
        assert!(body.contains("client_secret=kith-client-secret"), "{body}");
        if self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            return ResponseTemplate::new(428)
                .set_body_json(json!({"error": "authorization_pending"}));
        }
        ResponseTemplate::new(200).set_body_json(json!({"access_token": "ya29.device-granted",
            "refresh_token": "1//refresh-granted", "expires_in": 3599, "token_type": "Bearer"}))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_flow_prints_the_code_waits_and_keeps_the_token_set_0600() {
    let server = youtube().await;
    support::fake::on("POST", "/device/code")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "device_code": "dev-123", "user_code": "GQVQ-JKEC",
            "verification_url": "https://www.google.com/device",
            "expires_in": 1800, "interval": 1})))
        .mount(&server)
        .await;
    support::fake::on("POST", "/token")
        .respond_with(DeviceToken(Default::default()))
        .mount(&server)
        .await;
    let env = Env::new();
    let uri = server.uri();
    // Without a client, the reason and where to put one.
    let (code, _, err) = run(
        &env,
        &[
            "account",
            "add",
            "youtube",
            "yt",
            "--channel-id",
            CHANNEL,
            "--base-url",
            &uri,
            "--auth-url",
            &uri,
        ],
    )
    .await;
    assert_ne!(code, 0);
    assert!(err.contains("KITH_YOUTUBE_CLIENT_ID"), "{err}");
    let mut c = env.command();
    c.env("KITH_YOUTUBE_CLIENT_ID", "kith.apps.googleusercontent.com")
        .env("KITH_YOUTUBE_CLIENT_SECRET", "kith-client-secret")
        .args([
            "account",
            "add",
            "youtube",
            "yt",
            "--channel-id",
            CHANNEL,
            "--base-url",
            &uri,
            "--auth-url",
            &uri,
        ]);
    let out = tokio::task::spawn_blocking(move || c.output().expect("run"))
        .await
        .expect("join");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("https://www.google.com/device") && stdout.contains("GQVQ-JKEC"),
        "{stdout}"
    );
    // The granted token is used, and kept only in the engine's own 0600 file.
    let (code, out, err) = run(&env, &["sync", "--once", "--json"]).await;
    assert_eq!(code, 0, "{out} {err}");
    let used = server
        .received_requests()
        .await
        .expect("recorded")
        .into_iter()
        .filter(|r| r.url.path() == "/youtube/v3/commentThreads")
        .all(|r| {
            r.headers.get("authorization").and_then(|h| h.to_str().ok())
                == Some("Bearer ya29.device-granted")
        });
    assert!(used);
    let mut holders = Vec::new();
    let mut stack = vec![env.dir.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read(&p)
                .is_ok_and(|b| String::from_utf8_lossy(&b).contains("1//refresh-granted"))
            {
                holders.push(p);
            }
        }
    }
    assert!(!holders.is_empty(), "the refresh token is kept");
    use std::os::unix::fs::PermissionsExt;
    for h in &holders {
        let mode = std::fs::metadata(h).expect("meta").permissions().mode();
        assert_eq!(mode & 0o077, 0, "{} is readable by others", h.display());
    }
}
