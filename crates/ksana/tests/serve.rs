//! `ksana serve` as a process: it listens where --bind says (port 0: any free port, printed),
//! answers the API on the database --db names, and warns when it listens beyond loopback
//! without a token.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `ksana serve` with `args`; returns the process and the address it printed.
fn serve(args: &[&str]) -> (Kill, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ksana"))
        .arg("serve")
        .env_remove("KSANA_TOKEN")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (Kill(child), addr)
}

/// A plain HTTP/1.0 GET: the status line and the body.
fn get(addr: &str, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}

#[test]
fn serves_the_api_on_the_given_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let up = dir.path().join("up");
    let (_p, addr) = serve(&[
        "--db",
        db.to_str().unwrap(),
        "--bind",
        "127.0.0.1:0",
        "--upload-dir",
        up.to_str().unwrap(),
    ]);
    let (status, body) = get(&addr, "/api/v1/sessions");
    assert!(status.contains(" 200 "), "{status}");
    assert_eq!(body, r#"{"sessions":[],"limit":50,"offset":0}"#);
    let (status, body) = get(&addr, "/api/v1/sessions?limit=abc");
    assert!(status.contains(" 400 "), "{status}");
    assert!(body.contains("limit"), "{body}");
    assert!(db.is_file() && up.is_dir());
}

#[test]
fn warns_beyond_loopback_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let up = dir.path().join("up");
    let (mut p, _) = serve(&[
        "--db",
        db.to_str().unwrap(),
        "--bind",
        "0.0.0.0:0",
        "--upload-dir",
        up.to_str().unwrap(),
    ]);
    let _ = p.0.kill();
    let mut err = String::new();
    p.0.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(
        err.contains("warning") && err.contains("without a token"),
        "{err}"
    );
}
