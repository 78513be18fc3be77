//! The real binary against a local server speaking My Business API v4: `kith account add google
//! --account-id … --location-id … --token-env … --base-url …`, `kith account test` (each
//! location's average), `kith sync --once`, `kith inbox --json` (reviews with their stars),
//! `kith reply` (one `PUT …/reply`) and the refusal of what owners cannot do to a review.

mod cli_common;
mod support;

use cli_common::Env;
use serde_json::{json, Value};
use support::fake::{ok, on, requests_to};
use support::google::{answered, list, review, reviews, TOKEN};
use wiremock::MockServer;

async fn run(env: &Env, args: &[&str]) -> (i32, String, String) {
    env.run_async(args, &[("GBP_TOKEN", TOKEN)]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_sync_inbox_reply_against_a_business_profile_server() {
    let server = MockServer::start().await;
    reviews("GET", "2")
        .respond_with(list(
            vec![
                review(
                    "2",
                    "Bad1",
                    "ONE",
                    "Une heure d'attente, personne ne s'excuse.",
                    "2026-03-14T12:00:00Z",
                    "2026-03-14T12:00:00Z",
                ),
                answered(
                    review(
                        "2",
                        "AbFvOqnEx",
                        "FOUR",
                        "Très bon accueil, un peu d'attente le samedi.",
                        "2026-03-13T18:02:11.482Z",
                        "2026-03-13T18:02:11.482Z",
                    ),
                    "Merci François, à bientôt !",
                    "2026-03-14T08:00:00Z",
                ),
            ],
            None,
        ))
        .mount(&server)
        .await;
    reviews("GET", "3")
        .respond_with(list(
            vec![review(
                "3",
                "Good1",
                "FIVE",
                "Parfait.",
                "2026-03-12T09:00:00Z",
                "2026-03-12T09:00:00Z",
            )],
            None,
        ))
        .mount(&server)
        .await;
    let put = "/v4/accounts/1/locations/2/reviews/Bad1/reply";
    on("PUT", put)
        .respond_with(ok(json!({"comment": "Nous sommes désolés.",
            "updateTime": "2026-03-14T13:00:00Z"})))
        .mount(&server)
        .await;
    let env = Env::new();
    let uri = server.uri();
    let (code, out, err) = run(
        &env,
        &[
            "account",
            "add",
            "google",
            "lumo-maps",
            "--account-id",
            "1",
            "--location-id",
            "2",
            "--location-id",
            "3",
            "--token-env",
            "GBP_TOKEN",
            "--base-url",
            &uri,
        ],
    )
    .await;
    assert_eq!(code, 0, "add: {out} {err}");
    assert!(
        out.contains("location 2: 4.3★ on average from 27 reviews"),
        "{out}"
    );

    let (code, out, err) = run(&env, &["sync", "--once", "--json"]).await;
    assert_eq!(code, 0, "sync: {out} {err}");
    let report: Value = serde_json::from_str(out.trim()).expect("report");
    assert_eq!(report["error"], Value::Null, "{report}");
    assert_eq!(report["added"], 4, "three reviews and our answer: {report}");

    let (code, out, _) = run(&env, &["inbox", "--json"]).await;
    assert_eq!(code, 0);
    let items: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let mut stars: Vec<(String, i64)> = items
        .iter()
        .map(|i| {
            (
                i["text"].as_str().unwrap_or_default().to_string(),
                i["rating"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    stars.sort();
    assert_eq!(
        stars,
        [
            ("Parfait.".to_string(), 5),
            (
                "Très bon accueil, un peu d'attente le samedi.".to_string(),
                4
            ),
            ("Une heure d'attente, personne ne s'excuse.".to_string(), 1),
        ],
        "the reviews, not our answer: {out}"
    );
    let bad = items
        .iter()
        .find(|i| i["rating"] == 1)
        .expect("the one-star review");
    let id = bad["id"].as_str().expect("id").to_string();

    let (code, out, err) = run(&env, &["reply", &id, "Nous sommes désolés."]).await;
    assert_eq!(code, 0, "reply: {out} {err}");
    let puts = requests_to(&server, put).await;
    assert_eq!(puts.len(), 1, "exactly one PUT");
    assert_eq!(
        serde_json::from_slice::<Value>(&puts[0].body).expect("json"),
        json!({"comment": "Nous sommes désolés."})
    );
    assert_eq!(
        puts[0]
            .headers
            .get("authorization")
            .and_then(|h| h.to_str().ok()),
        Some(format!("Bearer {TOKEN}").as_str())
    );

    let (code, _, err) = run(&env, &["act", &id, "hide"]).await;
    assert_ne!(code, 0);
    assert!(
        err.contains("Owners cannot hide, like or delete a Google review"),
        "{err}"
    );
}
