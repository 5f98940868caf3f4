//! The iRacing sim-status endpoint over real TCP connections: the body pyirsdk and goirsdk test,
//! 404s, hostile clients, a taken port, and pyirsdk's own check (Linux, peer python).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use ksana_sims::iracing::status_server::{STATUS_PATH, StatusError, StatusServer};

fn any_port() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// Sends `request` raw and returns the whole response (the server closes after answering).
fn exchange(addr: SocketAddr, request: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

fn get(addr: SocketAddr, target: &str) -> String {
    exchange(
        addr,
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

fn status_line(response: &str) -> &str {
    response.lines().next().unwrap_or_default()
}

fn body(response: &str) -> &str {
    response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default()
}

const QUERY: &str = "/get_sim_status?object=simStatus";

#[test]
fn running_follows_set_running() {
    let server = StatusServer::start(any_port()).unwrap();
    let addr = server.addr();
    assert_ne!(addr.port(), 0);
    let r = get(addr, QUERY);
    assert_eq!(status_line(&r), "HTTP/1.1 200 OK");
    assert_eq!(body(&r), "running:0\n");
    assert!(r.contains("Content-Length: 10\r\n"), "{r}");

    server.set_running(true);
    assert!(server.is_running());
    let r = get(addr, QUERY);
    assert_eq!(status_line(&r), "HTTP/1.1 200 OK");
    assert_eq!(body(&r), "running:1\n");

    server.set_running(false);
    assert_eq!(body(&get(addr, QUERY)), "running:0\n");
    // The path alone decides, as consumers only ever send this one query.
    server.set_running(true);
    assert_eq!(body(&get(addr, STATUS_PATH)), "running:1\n");
}

#[test]
fn other_paths_are_404() {
    let server = StatusServer::start(any_port()).unwrap();
    server.set_running(true);
    for target in ["/", "/get_sim_status2", "/index.html?object=simStatus", "*"] {
        let r = get(server.addr(), target);
        assert_eq!(status_line(&r), "HTTP/1.1 404 Not Found", "{target}");
        assert!(!r.contains("running:"), "{target}: {r}");
    }
}

#[test]
fn garbage_is_refused_and_the_server_goes_on() {
    let server = StatusServer::start(any_port()).unwrap();
    server.set_running(true);
    let addr = server.addr();
    // Not HTTP at all.
    let r = exchange(addr, b"\x00\x01\x02 hello\xff\r\n\r\n");
    assert_eq!(status_line(&r), "HTTP/1.1 400 Bad Request");
    // A request line with too many parts; a missing version.
    assert_eq!(
        status_line(&exchange(addr, b"GET /get_sim_status x HTTP/1.1\r\n\r\n")),
        "HTTP/1.1 400 Bad Request"
    );
    assert_eq!(
        status_line(&exchange(addr, b"GET /get_sim_status\r\n\r\n")),
        "HTTP/1.1 400 Bad Request"
    );
    // A head that never ends: answered 431 after 8 KiB, not buffered forever.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let junk = vec![b'a'; 64 * 1024];
    let _ = s.write_all(&junk); // the server may close before taking it all
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 431 "), "{text:?}");
    // Clients that connect and say nothing, and one that hangs up at once: none of them stops
    // the next request from being answered.
    let _idle: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(addr).unwrap()).collect();
    drop(TcpStream::connect(addr).unwrap());
    assert_eq!(body(&get(addr, QUERY)), "running:1\n");
}

#[test]
fn a_taken_port_is_a_typed_error() {
    let holder = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = holder.local_addr().unwrap();
    match StatusServer::start(addr) {
        Err(e @ StatusError::Bind { .. }) => {
            let text = e.to_string();
            assert!(text.contains(&addr.to_string()), "{text}");
            assert!(text.contains("pyirsdk"), "{text}");
        }
        other => panic!("expected a bind error, got {other:?}"),
    }
}

#[test]
fn drop_stops_serving_and_frees_the_port() {
    let server = StatusServer::start(any_port()).unwrap();
    let addr = server.addr();
    assert_eq!(status_line(&get(addr, QUERY)), "HTTP/1.1 200 OK");
    drop(server);
    // The port is free again: a new server (a second playback) can take it.
    let again = StatusServer::start(addr).unwrap();
    again.set_running(true);
    assert_eq!(body(&get(addr, QUERY)), "running:1\n");
    drop(again);
    let refused = TcpStream::connect_timeout(&addr, Duration::from_secs(5));
    assert!(refused.is_err(), "nothing listens after drop");
}

/// pyirsdk's `_check_sim_status` (urllib, `'running:1' in body`) against the server.
#[cfg(unix)]
#[test]
fn pyirsdk_sees_running() {
    let Some(python) = ksana_testkit::peer_python() else {
        return;
    };
    let script = ksana_testkit::repo_root().join("tools/peers/irsdk_sim_status.py");
    let server = StatusServer::start(any_port()).unwrap();
    let check = || {
        let o = std::process::Command::new(&python)
            .arg(&script)
            .arg(server.addr().to_string())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).trim().to_owned()
    };
    assert_eq!(check(), "not running");
    server.set_running(true);
    assert_eq!(check(), "running");
}
