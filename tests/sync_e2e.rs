//! The real binary against a local server speaking Mastodon's API: `kith account add`, `kith sync
//! --once`, `kith inbox --json`, `kith reply`, then what the server received (one reply, in the
//! right thread, with its idempotency key), and that the token never shows up anywhere. Rate
//! limits: a short one waited out (counted down on stderr) and the pass finished, a long one
//! reported with the local time it lifts.

mod cli_common;
mod support;

use cli_common::Env;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use support::fake::{answer, ok, on, on_any, Fake};
use support::mastodon::{self, NOTIFICATIONS, STATUSES};
use wiremock::matchers::{header, query_param, query_param_is_missing};
use wiremock::{MockServer, ResponseTemplate};

const TOKEN: &str = "e2e-secret-token-5f1c9a";

/// Runs the binary with `KITH_TOKEN` set, off the async threads (the mock server keeps serving
/// meanwhile).
async fn run(env: &Env, args: &[&str], token: &str) -> (i32, String, String) {
    run_with(env, args, token, &[]).await
}

async fn run_with(
    env: &Env,
    args: &[&str],
    token: &str,
    extra: &[(&str, &str)],
) -> (i32, String, String) {
    let mut vars = vec![("KITH_TOKEN", token)];
    vars.extend_from_slice(extra);
    env.run_async(args, &vars).await
}

fn mention(nid: &str, sid: &str, acct: &str, html: &str, reply_to: Option<&str>) -> Value {
    json!({
        "id": nid, "type": "mention", "created_at": "2026-03-14T09:21:07.512Z",
        "account": {"id": format!("a-{acct}"), "username": acct.split('@').next().expect("user"),
                    "acct": acct, "display_name": "Léa Müller 🌿", "followers_count": 1284, "bot": false},
        "status": {"id": sid, "in_reply_to_id": reply_to, "in_reply_to_account_id": reply_to.map(|_| "42"),
                   "visibility": "public", "language": "fr", "created_at": "2026-03-14T09:21:07.401Z",
                   "spoiler_text": "", "url": format!("https://social.example.fr/@lea/{sid}"),
                   "content": html, "mentions": [{"id": "42", "username": "shop", "acct": "shop"}],
                   "account": {"id": format!("a-{acct}"), "acct": acct, "username": "lea",
                               "display_name": "Léa Müller 🌿"}}
    })
}

async fn mastodon() -> MockServer {
    let first = json!([
        mention("1002", "112018845560771235", "lea@social.example.fr",
            "<p><span class=\"h-card\"><a href=\"https://our.example/@shop\" class=\"u-url mention\">@<span>shop</span></a></span> Где мой заказ? Жду уже неделю</p>",
            Some("112018801234567890")),
        mention("1001", "112018845560771234", "lea@social.example.fr",
            "<p><span class=\"h-card\"><a href=\"https://our.example/@shop\" class=\"u-url mention\">@<span>shop</span></a></span> Merci ! Colis reçu à Zürich 🎉</p>",
            None),
        {"id": "1000", "type": "favourite", "created_at": "2026-03-14T09:00:00.000Z",
         "account": {"id": "a-fan", "username": "fan", "acct": "fan@x.example", "display_name": "Fan"},
         "status": {"id": "112018801234567890", "in_reply_to_id": null, "visibility": "public",
                    "created_at": "2026-03-14T08:00:00.000Z", "content": "<p>our post</p>", "spoiler_text": "",
                    "url": "https://our.example/@shop/112018801234567890",
                    "account": {"id": "42", "acct": "shop", "username": "shop"}}}
    ]);
    // The first sync asks without a cursor; later polls ask from just below the last ids they
    // have (here all three: min_id = 1000) and find the two above it again.
    let above_1000 = json!([first[0].clone(), first[1].clone()]);
    Fake::new()
        .with(mastodon::me_for(TOKEN))
        .with(mastodon::instance(500))
        .with(
            on("GET", NOTIFICATIONS)
                .and(query_param_is_missing("min_id"))
                .and(query_param_is_missing("max_id"))
                .respond_with(ok(first)),
        )
        .with(
            on("GET", NOTIFICATIONS)
                .and(query_param("min_id", "1000"))
                .respond_with(ok(above_1000)),
        )
        .with(
            on("GET", NOTIFICATIONS)
                .and(query_param("max_id", "1000"))
                .respond_with(ok(json!([]))),
        )
        .with(
            on_any("GET", "^/api/v1/statuses/[0-9]+$")
                .respond_with(ok(json!({"id": "112018845560771235", "visibility": "public"}))),
        )
        .post(STATUSES, json!({
            "id": "9001", "url": "https://our.example/@shop/9001", "uri": "https://our.example/statuses/9001",
            "created_at": "2026-03-14T10:00:00.000Z", "in_reply_to_id": "112018845560771235",
            "visibility": "public", "content": "<p>ok</p>", "spoiler_text": "",
            "account": {"id": "42", "acct": "shop", "username": "shop"}
        }))
        .start()
        .await
}

fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return hits;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            hits.extend(files_containing(&p, needle));
        } else if let Ok(bytes) = std::fs::read(&p) {
            if bytes.windows(needle.len()).any(|w| w == needle) {
                hits.push(p);
            }
        }
    }
    hits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_sync_inbox_reply_against_a_mastodon_server() {
    let server = mastodon().await;
    let env = Env::new();

    let (code, out, err) = account_add(&env, &server, TOKEN, &[]).await;
    assert_eq!(code, 0, "add failed: {out} {err}");
    assert!(out.contains("signed in as shop"), "{out}");

    let (code, out, err) = run(&env, &["sync", "--once", "--json"], TOKEN).await;
    assert_eq!(code, 0, "sync failed: {out} {err}");
    let report: Value = serde_json::from_str(out.trim()).expect("one JSON report");
    assert_eq!(report["account"], "shop");
    assert_eq!(report["added"], 2);
    assert_eq!(report["activity"], 1);
    assert_eq!(report["error"], Value::Null);

    let (code, out, _) = run(&env, &["inbox", "--json"], TOKEN).await;
    assert_eq!(code, 0);
    let items: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(items.len(), 2);
    let texts: Vec<&str> = items.iter().map(|i| i["text"].as_str().unwrap()).collect();
    assert_eq!(
        texts,
        vec![
            "@shop Где мой заказ? Жду уже неделю",
            "@shop Merci ! Colis reçu à Zürich 🎉"
        ]
    );
    assert!(items
        .iter()
        .all(|i| i["platform"] == "mastodon" && i["account"] == "shop"));
    let complaint = items[0]["id"].as_str().unwrap().to_string();

    // Nothing new: one request, nothing stored.
    let before = server.received_requests().await.unwrap().len();
    let (code, out, _) = run(&env, &["sync", "--once", "--json"], TOKEN).await;
    assert_eq!(code, 0);
    let report: Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(
        (report["added"].as_u64(), report["requests"].as_u64()),
        (Some(0), Some(1))
    );
    let after = server.received_requests().await.unwrap();
    let polls: Vec<_> = after[before..]
        .iter()
        .filter(|r| r.url.path() == NOTIFICATIONS)
        .collect();
    assert_eq!(polls.len(), 1, "an idle sync costs one request");

    let (code, out, err) = run(
        &env,
        &["reply", &complaint, "Простите! Проверим и напишем сегодня."],
        TOKEN,
    )
    .await;
    assert_eq!(code, 0, "reply failed: {out} {err}");
    assert!(out.contains("https://our.example/@shop/9001"), "{out}");

    let posts: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == "/api/v1/statuses")
        .collect();
    assert_eq!(posts.len(), 1, "exactly one reply reached the server");
    let body: Value = serde_json::from_slice(&posts[0].body).expect("json body");
    assert_eq!(body["in_reply_to_id"], "112018845560771235");
    assert_eq!(
        body["status"],
        "@lea@social.example.fr Простите! Проверим и напишем сегодня."
    );
    let key = posts[0]
        .headers
        .get("idempotency-key")
        .expect("Idempotency-Key sent")
        .to_str()
        .unwrap();
    assert!(!key.is_empty());

    // The thread shows our reply, sent, with its link.
    let (code, out, _) = run(&env, &["show", &complaint, "--json"], TOKEN).await;
    assert_eq!(code, 0);
    assert!(out.contains("https://our.example/@shop/9001"), "{out}");

    // The token is nowhere: not in output, not in the store, not in logs.
    let (_, out, err) = run(&env, &["account", "list", "--json"], TOKEN).await;
    assert!(out.contains("kept:env:KITH_TOKEN"), "{out}");
    assert!(!out.contains(TOKEN) && !err.contains(TOKEN));
    // The token is only in the engine's own 0600 copy, never in the store, logs or output.
    let kept = files_containing(env.dir.path(), TOKEN.as_bytes());
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].starts_with(env.data().join("secrets")), "{kept:?}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&kept[0])
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_marks_the_account_and_exits_5() {
    let server = mastodon().await;
    // A revoked token is refused everywhere, as a real instance does.
    on_any("GET", "^/api/v[12]/")
        .and(header("authorization", "Bearer wrong-token-77"))
        .respond_with(answer(401, json!({"error": "The access token is invalid"})))
        .with_priority(1)
        .mount(&server)
        .await;
    let env = Env::new();
    let (code, _, _) = account_add(&env, &server, "wrong-token-77", &["--no-test"]).await;
    assert_eq!(code, 0);
    let (code, out, err) = run(&env, &["sync", "--once"], "wrong-token-77").await;
    assert_eq!(code, 5, "{out} {err}");
    assert!(out.contains("needs re-authentication"), "{out}");
    assert!(out.contains("The access token is invalid"), "{out}");
    assert!(!out.contains("wrong-token-77") && !err.contains("wrong-token-77"));
    let (_, out, _) = run(&env, &["account", "list"], "wrong-token-77").await;
    assert!(out.contains("needs re-auth"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secrets_file_others_can_read_is_refused_with_the_chmod() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let file = env.dir.path().join("token");
    std::fs::write(&file, format!("{TOKEN}\n")).expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let f = file.display().to_string();
    let args = [
        "account",
        "add",
        "mastodon",
        "shop",
        "--base-url",
        "http://127.0.0.1:9",
        "--token-file",
        &f,
        "--no-test",
    ];
    let (code, out, err) = run(&env, &args, "").await;
    assert_eq!(code, 2, "{out}");
    assert!(err.contains(&format!("chmod 600 {f}")), "{err}");
    assert!(!err.contains(TOKEN) && !out.contains(TOKEN));
    // Fixed permissions: accepted (the token is read, never stored).
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let (code, out, err) = run(&env, &args, "").await;
    assert_eq!(code, 0, "{out} {err}");
    // The same name again is refused unless replacing is asked for.
    let (code, _, err) = run(&env, &args, "").await;
    assert_eq!(code, 2);
    assert!(
        err.contains("already exists") && err.contains("--replace"),
        "{err}"
    );
    let mut replace = args.to_vec();
    replace.push("--replace");
    let (code, out, err) = run(&env, &replace, "").await;
    assert_eq!(code, 0, "{out} {err}");
    let (_, out, _) = run(&env, &["account", "list", "--json"], "").await;
    let v: Value = serde_json::from_str(out.lines().next().expect("one account")).expect("json");
    assert_eq!(v["secret_source"], format!("file:{f}"));
    // Neither flag, or both: a clear message.
    let (code, _, err) = run(
        &env,
        &["account", "add", "telegram", "bot", "--no-test"],
        "",
    )
    .await;
    assert_eq!(code, 2);
    assert!(
        err.contains("--token-env") && err.contains("--token-file"),
        "{err}"
    );
}

/// `kith account add mastodon shop` on `server`, the token in `KITH_TOKEN`, with `extra` flags.
async fn account_add(
    env: &Env,
    server: &MockServer,
    token: &str,
    extra: &[&str],
) -> (i32, String, String) {
    let uri = server.uri();
    let mut args = vec![
        "account",
        "add",
        "mastodon",
        "shop",
        "--base-url",
        &uri,
        "--token-env",
        "KITH_TOKEN",
    ];
    args.extend_from_slice(extra);
    run(env, &args, token).await
}

async fn add_account(env: &Env, server: &MockServer) {
    let (code, out, err) = account_add(env, server, TOKEN, &["--no-test"]).await;
    assert_eq!(code, 0, "add failed: {out} {err}");
}

async fn rate_limit(server: &MockServer, times: u64, answer: ResponseTemplate) {
    on("GET", NOTIFICATIONS)
        .respond_with(answer)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
}

fn added(out: &str) -> (u64, Value) {
    let report: Value = serde_json::from_str(out.trim()).expect("one JSON report");
    (report["added"].as_u64().unwrap_or(0), report)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_retry_after_wins_over_a_window_reset_minutes_away() {
    let server = mastodon().await;
    let env = Env::new();
    add_account(&env, &server).await;
    let reset = (chrono::Utc::now() + chrono::Duration::minutes(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    rate_limit(
        &server,
        1,
        ResponseTemplate::new(429)
            .insert_header("retry-after", "2")
            .insert_header("x-ratelimit-limit", "300")
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", reset.as_str())
            .set_body_json(json!({"error": "Too many requests"})),
    )
    .await;
    let t = std::time::Instant::now();
    let (code, out, err) = run(&env, &["sync", "--once", "--json"], TOKEN).await;
    assert_eq!(code, 0, "{out} {err}");
    let (n, report) = added(&out);
    assert_eq!((n, &report["error"]), (2, &Value::Null), "{report}");
    assert!(t.elapsed() >= std::time::Duration::from_millis(1900));
    let (_, out, _) = run(&env, &["inbox", "--json"], TOKEN).await;
    assert_eq!(out.lines().count(), 2, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_that_outlasts_the_retries_is_counted_down_and_the_pass_goes_on() {
    let server = mastodon().await;
    let env = Env::new();
    add_account(&env, &server).await;
    // The client retries a 429 three times on its own; the fourth goes back to `kith sync`.
    rate_limit(
        &server,
        4,
        ResponseTemplate::new(429)
            .insert_header("retry-after", "1")
            .set_body_json(json!({"error": "Too many requests"})),
    )
    .await;
    let (code, out, err) = run(&env, &["sync", "--once", "--json"], TOKEN).await;
    assert_eq!(code, 0, "{out} {err}");
    assert!(
        err.contains("shop: rate limited by the platform; waiting 1 s, then going on"),
        "{err}"
    );
    let (n, report) = added(&out);
    assert_eq!((n, &report["error"]), (2, &Value::Null), "{report}");
    let polls = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == NOTIFICATIONS)
        .count();
    assert_eq!(polls, 5, "four refused, then the one after the wait");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_rate_limit_is_reported_with_the_local_time_it_lifts() {
    let server = mastodon().await;
    let env = Env::new();
    add_account(&env, &server).await;
    rate_limit(
        &server,
        10,
        ResponseTemplate::new(429)
            .insert_header("retry-after", "300")
            .set_body_json(json!({"error": "Too many requests"})),
    )
    .await;
    let tokyo = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&chrono_tz::Asia::Tokyo)
            .format("%H:%M")
            .to_string()
    };
    let early = tokyo(chrono::Utc::now() + chrono::Duration::seconds(300));
    let t = std::time::Instant::now();
    let (code, out, err) =
        run_with(&env, &["sync", "--once"], TOKEN, &[("TZ", "Asia/Tokyo")]).await;
    let late = tokyo(chrono::Utc::now() + chrono::Duration::seconds(300));
    assert_eq!(code, 1, "{out} {err}");
    assert!(
        t.elapsed() < std::time::Duration::from_secs(20),
        "not waited"
    );
    assert!(
        out.contains(&format!("shop: rate limited until {early} (in 5 min)"))
            || out.contains(&format!("shop: rate limited until {late} (in 5 min)")),
        "{out}"
    );
}
