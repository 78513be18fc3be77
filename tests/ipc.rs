//! The engine on a temp socket: two clients, request/response, events fan-out, the version
//! handshake, socket permissions, stale sockets, claims and version conflicts raced from two
//! clients, and the real `kith serve` killed and restarted under an attached client.

use kith::domain::{Change, NewItem, Platform, Timestamp};
use kith::engine::api::{Event, ListQuery, Request, Response};
use kith::engine::{Backend, Engine, EngineError};
use kith::ipc::{frame, server, ClientMsg, ClientOptions, Remote, ServerMsg};
use kith::store::Store;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

struct Served {
    _dir: tempfile::TempDir,
    socket: PathBuf,
    engine: Arc<Engine>,
    stop: watch::Sender<bool>,
}

/// An engine with `n` comments, served on a socket in a temp data dir.
async fn serve(n: usize) -> Served {
    let dir = tempfile::tempdir().expect("tmp");
    let engine = Engine::new(Store::open(dir.path()).expect("store"), "engine");
    engine.start();
    let items: Vec<NewItem> = (0..n)
        .map(|i| {
            NewItem::comment(
                Platform::Mastodon,
                "acc",
                &i.to_string(),
                "u",
                &format!("comment {i}"),
                Timestamp::now(),
            )
        })
        .collect();
    engine
        .call(Request::Ingest { items, demo: true })
        .await
        .expect("ingest");
    let socket = kith::ipc::socket_path(dir.path());
    let listener = server::bind(&socket).await.expect("bind");
    let (stop, _) = watch::channel(false);
    tokio::spawn(server::run(Arc::clone(&engine), listener, stop.clone()));
    Served {
        _dir: dir,
        socket,
        engine,
        stop,
    }
}

async fn client(socket: &Path, operator: &str) -> Remote {
    Remote::connect(ClientOptions {
        socket: socket.to_path_buf(),
        operator: operator.into(),
        reconnect: false,
        respawn: None,
        config: None,
    })
    .await
    .expect("connect")
}

async fn items(b: &dyn Backend) -> Vec<kith::domain::Item> {
    let Response::Page(p) = b
        .call(Request::List(ListQuery {
            limit: 100,
            ..ListQuery::default()
        }))
        .await
        .expect("list")
    else {
        panic!("page")
    };
    p.items
}

/// Waits (up to 2 s) for an event matching `want`.
async fn expect_event(
    rx: &mut tokio::sync::broadcast::Receiver<Event>,
    want: impl Fn(&Event) -> bool,
) -> Event {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Ok(e)) if want(&e) => return e,
            Ok(Ok(_)) => continue,
            other => panic!("no matching event: {other:?}"),
        }
    }
}

#[tokio::test]
async fn two_clients_share_one_engine_and_hear_each_other() {
    let s = serve(3).await;
    let ann = client(&s.socket, "ann").await;
    let bob = client(&s.socket, "bob").await;
    assert_eq!(ann.attached().expect("attached").operator.name, "ann");
    assert_eq!(ann.attached().expect("attached").pid, std::process::id());
    let list = items(&ann).await;
    assert_eq!(list.len(), 3);
    let id = list[0].id;
    let mut bob_events = bob.subscribe();
    let started = std::time::Instant::now();
    let Response::Updated { item, .. } = ann
        .call(Request::Update {
            id,
            change: Change::status(kith::domain::Status::Done),
            if_version: Some(1),
        })
        .await
        .expect("done")
    else {
        panic!("updated")
    };
    assert_eq!(item.version, 2);
    let e = expect_event(&mut bob_events, |e| matches!(e, Event::ItemsChanged(_))).await;
    assert_eq!(e, Event::ItemsChanged(vec![id]));
    assert!(started.elapsed() < Duration::from_secs(1));
    // The change is recorded as ann's, though the engine runs as "engine".
    let audit = s.engine.store().audit(Some(id), 10).expect("audit");
    assert_eq!(audit.last().map(|a| a.operator.as_str()), Some("ann"));
    // Presence: bob opens a draft, ann hears it; bob's connection drops, ann hears it close.
    let mut ann_events = ann.subscribe();
    bob.call(Request::Drafting { id, active: true })
        .await
        .expect("drafting");
    let e = expect_event(&mut ann_events, |e| matches!(e, Event::Presence { .. })).await;
    assert_eq!(
        e,
        Event::Presence {
            item: id,
            operators: vec!["bob".into()]
        }
    );
    drop(bob);
    let e = expect_event(&mut ann_events, |e| matches!(e, Event::Presence { .. })).await;
    assert_eq!(
        e,
        Event::Presence {
            item: id,
            operators: vec![]
        }
    );
    let _ = s.stop.send(true);
}

#[tokio::test]
async fn a_mismatched_version_is_refused_with_a_clear_message() {
    let s = serve(0).await;
    let stream = tokio::net::UnixStream::connect(&s.socket)
        .await
        .expect("connect");
    let (mut rd, mut wr) = stream.into_split();
    frame::write(
        &mut wr,
        &ClientMsg::Hello {
            version: "0.0.1+p0".into(),
            operator: "ann".into(),
            config: None,
        },
    )
    .await
    .expect("hello");
    let reply: Option<ServerMsg> = frame::read(&mut rd).await.expect("reply");
    let Some(ServerMsg::Refused(why)) = reply else {
        panic!("refused: {reply:?}")
    };
    let why = why.to_string();
    assert!(why.contains("0.0.1+p0"), "{why}");
    assert!(why.contains(&kith::ipc::version()), "{why}");
    assert!(why.contains("kith serve --stop"), "{why}");
    // Garbage instead of a hello: the connection is closed, the engine keeps serving.
    let mut raw = tokio::net::UnixStream::connect(&s.socket)
        .await
        .expect("connect");
    use tokio::io::AsyncWriteExt;
    raw.write_all(b"\xff\xff\xff\xffnot json").await.expect("w");
    let c = client(&s.socket, "ann").await;
    assert_eq!(items(&c).await.len(), 0);
}

#[tokio::test]
async fn socket_is_private_and_unsafe_directories_are_refused() {
    let s = serve(0).await;
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&s.socket), 0o600);
    assert_eq!(mode(s.socket.parent().expect("dir")), 0o700);
    // A second engine on the same data dir is refused while the first serves.
    let e = server::bind(&s.socket).await.err().expect("refused");
    assert!(e.contains("kith serve --stop"), "{e}");
    // A world-writable directory could hold a planted socket: refused, naming the mode.
    let d = tempfile::tempdir().expect("tmp");
    let run = d.path().join("run");
    std::fs::create_dir(&run).expect("mkdir");
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let e = server::bind(&run.join("engine.sock"))
        .await
        .err()
        .expect("refused");
    assert!(e.contains("777") && e.contains("chmod 700"), "{e}");
}

#[tokio::test]
async fn a_stale_socket_file_is_replaced() {
    let d = tempfile::tempdir().expect("tmp");
    let socket = kith::ipc::socket_path(d.path());
    kith::ipc::path::prepare_dir(&socket).expect("dir");
    // A socket file nobody listens on, as a crashed engine leaves it.
    drop(std::os::unix::net::UnixListener::bind(&socket).expect("bind"));
    assert!(socket.exists());
    assert!(!kith::ipc::spawn::probe(&socket).await);
    let listener = server::bind(&socket).await.expect("stale socket replaced");
    let engine = Engine::new(Store::open(d.path()).expect("store"), "engine");
    let (stop, _) = watch::channel(false);
    tokio::spawn(server::run(engine, listener, stop.clone()));
    let c = client(&socket, "ann").await;
    assert_eq!(items(&c).await.len(), 0);
    let _ = stop.send(true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_and_versions_raced_from_two_clients_have_one_winner() {
    let s = serve(40).await;
    let ann = Arc::new(client(&s.socket, "ann").await);
    let bob = Arc::new(client(&s.socket, "bob").await);
    let list = items(ann.as_ref()).await;
    for pair in list.chunks(2) {
        // Claims: both ask at once, without force.
        let id = pair[0].id;
        let (a, b) = tokio::join!(
            ann.call(Request::Claim { id, force: false }),
            bob.call(Request::Claim { id, force: false })
        );
        let wins = [a.is_ok(), b.is_ok()];
        assert_eq!(wins.iter().filter(|w| **w).count(), 1, "{a:?} {b:?}");
        let (winner, loser) = if a.is_ok() { ("ann", b) } else { ("bob", a) };
        match loser {
            Err(EngineError::Claimed { by, .. }) => assert_eq!(by, winner),
            other => panic!("loser heard {other:?}"),
        }
        let Response::Item(now) = ann.call(Request::Get(id)).await.expect("get") else {
            panic!("item")
        };
        assert_eq!(now.assignee.as_deref(), Some(winner));
        assert_eq!(now.version, 2);
        // Versions: both change the same version of the other item; exactly one lands.
        let id = pair[1].id;
        let (a, b) = tokio::join!(
            ann.call(Request::Update {
                id,
                change: Change::AddTag("vip".into()),
                if_version: Some(1),
            }),
            bob.call(Request::Update {
                id,
                change: Change::status(kith::domain::Status::Done),
                if_version: Some(1),
            })
        );
        assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|w| **w).count(), 1);
        let loser = if a.is_ok() { b } else { a };
        assert!(
            matches!(
                loser,
                Err(EngineError::Conflict {
                    expected: 1,
                    actual: 2,
                    ..
                })
            ),
            "{loser:?}"
        );
    }
    // Taking over asks for force, and then works.
    let id = list[0].id;
    let Response::Item(it) = ann.call(Request::Get(id)).await.expect("get") else {
        panic!("item")
    };
    let other = if it.assignee.as_deref() == Some("ann") {
        &bob
    } else {
        &ann
    };
    other
        .call(Request::Claim { id, force: true })
        .await
        .expect("takeover");
    // The counters behind the team views add up.
    let Response::Overview(o) = ann.call(Request::Overview).await.expect("overview") else {
        panic!("overview")
    };
    let claimed: u64 = o.by_assignee.iter().map(|(_, n)| n).sum();
    let open = o.status(kith::domain::Status::New) + o.status(kith::domain::Status::Open);
    assert_eq!(claimed + o.unassigned, open);
    assert_eq!(claimed, 20);
    assert_eq!(
        s.engine.store().check().expect("check"),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_read_only_operator_can_read_but_not_change() {
    let s = serve(1).await;
    s.engine.set_team(kith::config::TeamConfig {
        read_only: vec!["intern".into()],
        ..Default::default()
    });
    let intern = client(&s.socket, "intern").await;
    assert!(intern.attached().expect("attached").operator.read_only);
    let list = items(&intern).await;
    let id = list[0].id;
    for req in [
        Request::Claim { id, force: false },
        Request::Update {
            id,
            change: Change::status(kith::domain::Status::Done),
            if_version: None,
        },
        Request::Reply {
            id,
            text: "hi".into(),
            if_version: None,
            private: false,
        },
    ] {
        let e = intern.call(req).await.expect_err("refused");
        assert_eq!(e, EngineError::ReadOnly("intern".into()));
    }
    let Response::Item(it) = intern.call(Request::Get(id)).await.expect("get") else {
        panic!("item")
    };
    assert_eq!(it.version, 1);
}

/// The real `kith serve`, killed with SIGKILL under an attached client, then started again.
#[tokio::test]
async fn client_survives_the_engine_being_killed_and_restarted() {
    let d = tempfile::tempdir().expect("tmp");
    let bin = env!("CARGO_BIN_EXE_kith");
    let data = d.path().join("data");
    let run = |args: &[&str]| {
        std::process::Command::new(bin)
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .env("XDG_STATE_HOME", d.path().join("state"))
            .env("XDG_CONFIG_HOME", d.path().join("config"))
            .output()
            .expect("run")
    };
    assert!(run(&["--no-daemon", "demo"]).status.success());
    let start = || {
        std::process::Command::new(bin)
            .arg("--data-dir")
            .arg(&data)
            .arg("serve")
            .env("XDG_STATE_HOME", d.path().join("state"))
            .env("XDG_CONFIG_HOME", d.path().join("config"))
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("serve")
    };
    let socket = kith::ipc::socket_path(&data);
    let wait_up = || async {
        for _ in 0..400 {
            if kith::ipc::spawn::probe(&socket).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("engine did not come up");
    };
    let mut engine = start();
    wait_up().await;
    let c = Remote::connect(ClientOptions {
        socket: socket.clone(),
        operator: "ann".into(),
        reconnect: true,
        respawn: None,
        config: None,
    })
    .await
    .expect("connect");
    let mut events = c.subscribe();
    let before = items(&c).await.len();
    assert!(before > 0);
    // A CLI command attaches to the running engine instead of failing on the store lock.
    let out = run(&["inbox", "--limit", "1", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    engine.kill().expect("kill");
    let _ = engine.wait();
    let e = expect_event(&mut events, |e| matches!(e, Event::Connection(_))).await;
    assert_eq!(e, Event::Connection(false));
    assert_eq!(
        c.call(Request::Overview).await.expect_err("gone"),
        EngineError::Disconnected
    );
    // The killed engine left its socket file behind; the new one replaces it.
    let mut engine = start();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(Event::Connection(true))) => break,
            Ok(Ok(_)) => continue,
            other => panic!("no reconnect: {other:?}"),
        }
    }
    assert_eq!(items(&c).await.len(), before);
    // `kith serve --stop` stops it cleanly and removes the socket.
    let out = run(&["serve", "--stop"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = engine.wait().expect("exit");
    assert!(status.success(), "{status:?}");
    assert!(!socket.exists());
    // Nothing runs now: --stop says so with exit 1.
    let out = run(&["serve", "--stop"]);
    assert_eq!(out.status.code(), Some(1));
}
