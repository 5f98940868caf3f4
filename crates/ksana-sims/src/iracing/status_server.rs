//! The HTTP sim-status endpoint that pyirsdk and goirsdk check before they open the shared
//! memory: `GET http://127.0.0.1:32034/get_sim_status?object=simStatus`, whose body must contain
//! `running:1` (reference §7, §9 item 11). iRacing's own answer is not documented; consumers
//! only test that substring, so the body here is `running:1` or `running:0` and nothing else.
//!
//! Hand-written on `std::net` instead of tiny_http or hyper: the server answers one fixed GET
//! path with a few bytes, and what matters is bounding what a hostile client can make it do
//! (request size, read time, connection count), which is simpler to see in 150 lines than to
//! configure in a general server with its own dependencies.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Where consumers look for the endpoint.
pub const DEFAULT_ADDR: &str = "127.0.0.1:32034";

/// Environment variable that moves the endpoint (tests run in parallel and cannot all bind
/// 32034; consumers always look at [`DEFAULT_ADDR`]).
pub const ADDR_ENV: &str = "KSANA_IRSDK_STATUS_ADDR";

/// The path consumers request (with the query `object=simStatus`).
pub const STATUS_PATH: &str = "/get_sim_status";

/// Longest request head accepted (request line and headers); longer ones get 431.
const MAX_REQUEST: usize = 8 * 1024;

/// How long a client may take to send its request, and to take the answer.
const IO_TIMEOUT: Duration = Duration::from_secs(2);

/// Connections served at once; more are closed unanswered.
const MAX_CONNECTIONS: usize = 16;

/// How often the accept loop looks at the stop flag.
const ACCEPT_POLL: Duration = Duration::from_millis(10);

/// Why the endpoint could not be started. Playback goes on without it; only consumers that
/// check it (pyirsdk, goirsdk) will then think the sim is not running.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// The address is not a socket address.
    #[error("{ADDR_ENV}={addr:?} is not an address like 127.0.0.1:32034")]
    BadAddr {
        /// The text given.
        addr: String,
    },
    /// Binding failed, typically because iRacing's own web server or another player holds the
    /// port.
    #[error(
        "cannot serve the iRacing sim-status check on {addr}: {source} (iRacing's own web \
         server or another player holds it?); pyirsdk and goirsdk will not connect"
    )]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The listener or its thread could not be set up.
    #[error("cannot run the iRacing sim-status server on {addr}: {source}")]
    Setup {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        #[source]
        source: io::Error,
    },
}

/// A running sim-status endpoint on a background thread; stops (and frees the port) on drop.
#[derive(Debug)]
pub struct StatusServer {
    addr: SocketAddr,
    running: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StatusServer {
    /// The address to serve on: [`ADDR_ENV`] when set, else [`DEFAULT_ADDR`].
    pub fn configured_addr() -> Result<SocketAddr, StatusError> {
        match std::env::var(ADDR_ENV) {
            Ok(a) if !a.trim().is_empty() => parse_addr(a.trim()),
            _ => parse_addr(DEFAULT_ADDR),
        }
    }

    /// Binds `addr` and serves on a background thread, answering `running:0` until
    /// [`StatusServer::set_running`]. Port 0 picks a free port ([`StatusServer::addr`]).
    pub fn start(addr: SocketAddr) -> Result<StatusServer, StatusError> {
        let listener =
            TcpListener::bind(addr).map_err(|source| StatusError::Bind { addr, source })?;
        let setup = |source| StatusError::Setup { addr, source };
        listener.set_nonblocking(true).map_err(setup)?;
        let addr = listener.local_addr().map_err(setup)?;
        let running = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name("irsdk-status".into())
            .spawn({
                let (running, stop) = (running.clone(), stop.clone());
                move || accept_loop(listener, running, stop)
            })
            .map_err(setup)?;
        Ok(StatusServer {
            addr,
            running,
            stop,
            thread: Some(thread),
        })
    }

    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether the body says `running:1` (a player publishes) or `running:0`.
    pub fn set_running(&self, running: bool) {
        self.running.store(running, Ordering::Release);
    }

    /// What [`StatusServer::set_running`] last set.
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::Acquire)
    }
}

impl Drop for StatusServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn parse_addr(a: &str) -> Result<SocketAddr, StatusError> {
    a.to_socket_addrs()
        .ok()
        .and_then(|mut it| it.next())
        .ok_or_else(|| StatusError::BadAddr { addr: a.to_owned() })
}

fn accept_loop(listener: TcpListener, running: Arc<AtomicBool>, stop: Arc<AtomicBool>) {
    let active = Arc::new(AtomicUsize::new(0));
    while !stop.load(Ordering::Acquire) {
        match listener.accept() {
            Ok((stream, _)) => {
                if active.fetch_add(1, Ordering::AcqRel) >= MAX_CONNECTIONS {
                    active.fetch_sub(1, Ordering::AcqRel);
                    continue; // dropped: closed unanswered
                }
                let (running, done) = (running.clone(), active.clone());
                let spawned = std::thread::Builder::new()
                    .name("irsdk-status-conn".into())
                    .spawn(move || {
                        let _ = serve(stream, &running);
                        done.fetch_sub(1, Ordering::AcqRel);
                    });
                if spawned.is_err() {
                    active.fetch_sub(1, Ordering::AcqRel);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::thread::sleep(ACCEPT_POLL),
            // Aborted handshakes and the like: the next client may do better.
            Err(_) => std::thread::sleep(ACCEPT_POLL),
        }
    }
}

/// Reads one request head and answers it; the connection is then closed.
fn serve(mut stream: TcpStream, running: &AtomicBool) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    let complete = loop {
        if head.windows(4).any(|w| w == b"\r\n\r\n") || head.windows(2).any(|w| w == b"\n\n") {
            break true;
        }
        if head.len() > MAX_REQUEST {
            break false;
        }
        match stream.read(&mut buf) {
            Ok(0) => break !head.is_empty(),
            Ok(n) => head.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    };
    let (code, body) = if !complete {
        (431, "request too large\n".to_owned())
    } else {
        answer(&head, running.load(Ordering::Acquire))
    };
    let reason = match code {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Request Header Fields Too Large",
    };
    let response = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes())?;
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    Ok(())
}

/// Status code and body for a request head.
fn answer(head: &[u8], running: bool) -> (u16, String) {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let Ok(line) = std::str::from_utf8(line) else {
        return (400, "bad request\n".into());
    };
    let mut parts = line.trim_end_matches('\r').split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return (400, "bad request\n".into());
    };
    if parts.next().is_some() || !version.starts_with("HTTP/1.") {
        return (400, "bad request\n".into());
    }
    let path = target.split('?').next().unwrap_or_default();
    if path != STATUS_PATH {
        return (404, "not found\n".into());
    }
    if method != "GET" {
        return (405, "only GET\n".into());
    }
    (200, format!("running:{}\n", u8::from(running)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        let get = |t: &str| answer(format!("GET {t} HTTP/1.1\r\n\r\n").as_bytes(), true);
        assert_eq!(
            get("/get_sim_status?object=simStatus"),
            (200, "running:1\n".into())
        );
        assert_eq!(
            answer(
                b"GET /get_sim_status?object=simStatus HTTP/1.0\r\n\r\n",
                false
            ),
            (200, "running:0\n".into())
        );
        assert_eq!(get("/").0, 404);
        assert_eq!(get("/get_sim_status/x").0, 404);
        assert_eq!(
            answer(b"POST /get_sim_status HTTP/1.1\r\n\r\n", true).0,
            405
        );
        assert_eq!(answer(b"GET /get_sim_status\r\n\r\n", true).0, 400);
        assert_eq!(answer(b"\xff\xfe GET\r\n\r\n", true).0, 400);
        assert_eq!(answer(b"", true).0, 400);
    }

    #[test]
    fn addresses() {
        assert_eq!(
            parse_addr("127.0.0.1:32034").unwrap(),
            "127.0.0.1:32034".parse().unwrap()
        );
        assert!(matches!(
            parse_addr("nonsense"),
            Err(StatusError::BadAddr { .. })
        ));
    }
}
