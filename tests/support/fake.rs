//! A fake platform server over wiremock: an endpoint mounted in one line, several in one call,
//! and the requests it received read back.

use serde::Serialize;
use serde_json::Value;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockBuilder, MockServer, Request, Respond, ResponseTemplate};

/// The start of every mock: `verb` requests to `at`.
pub fn on(verb: &str, at: impl Into<String>) -> MockBuilder {
    Mock::given(method(verb)).and(path(at.into()))
}

/// `verb` requests to any path the regular expression `re` matches.
pub fn on_any(verb: &str, re: &str) -> MockBuilder {
    Mock::given(method(verb)).and(path_regex(re))
}

/// Requests to `at` with any method (the Bot API and XRPC accept GET and POST alike).
pub fn at(p: impl Into<String>) -> MockBuilder {
    Mock::given(path(p.into()))
}

/// 200 with a JSON body.
pub fn ok(body: impl Serialize) -> ResponseTemplate {
    answer(200, body)
}

/// `code` with a JSON body.
pub fn answer(code: u16, body: impl Serialize) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(body)
}

/// A platform's endpoints, mounted all at once.
#[derive(Default)]
pub struct Fake {
    mocks: Vec<Mock>,
}

impl Fake {
    pub fn new() -> Fake {
        Fake::default()
    }

    pub fn with(mut self, mock: Mock) -> Fake {
        self.mocks.push(mock);
        self
    }

    /// `verb at` answered by `r` whatever else the request holds.
    pub fn answer(self, verb: &str, p: &str, r: impl Respond + 'static) -> Fake {
        self.with(on(verb, p).respond_with(r))
    }

    /// `GET at` answered with `body`.
    pub fn get(self, p: &str, body: Value) -> Fake {
        self.answer("GET", p, ok(body))
    }

    /// `POST at` answered with `body`.
    pub fn post(self, p: &str, body: Value) -> Fake {
        self.answer("POST", p, ok(body))
    }

    /// A new server answering these endpoints.
    pub async fn start(self) -> MockServer {
        let server = MockServer::start().await;
        self.mount(&server).await;
        server
    }

    /// These endpoints added to a running server (for bodies that name its address).
    pub async fn mount(self, server: &MockServer) {
        for m in self.mocks {
            m.mount(server).await;
        }
    }
}

/// Mounts `first` for the first matching request only, then `then` for every later one.
pub async fn first_then(server: &MockServer, first: Mock, then: Mock) {
    first.up_to_n_times(1).with_priority(1).mount(server).await;
    then.with_priority(2).mount(server).await;
}

/// Every request to `p`, in order.
pub async fn requests_to(server: &MockServer, p: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == p)
        .collect()
}

/// How many requests the server received in all.
pub async fn hits(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

/// A request's JSON body.
pub fn body(r: &Request) -> Value {
    serde_json::from_slice(&r.body).expect("JSON body")
}

/// A query parameter of a request.
pub fn query(r: &Request, k: &str) -> Option<String> {
    r.url
        .query_pairs()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.into_owned())
}

/// 200 with a text body (which may or may not be JSON: that is the point of some tests).
pub fn text(body: impl Into<String>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_string(body)
}

/// Mounts `mock` answering with `r`.
pub async fn serve(server: &MockServer, mock: MockBuilder, r: impl Respond + 'static) {
    mock.respond_with(r).mount(server).await
}
