//! A tiny HTTP server on a loopback port that answers every request alike: a status and a
//! body, or nothing at all.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// What the tiny server answers every request with.
#[derive(Clone)]
pub enum Answer {
    /// A status code and a body.
    Http(u16, String),
    /// Nothing: the connection is held open until the server stops.
    Silent,
}

/// A tiny HTTP server on a loopback port, answering every request alike; it stops when
/// dropped, or by itself after 60 s.
pub struct Mock {
    /// The loopback port it listens on.
    pub port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads a request's head (bounded), so the client sees its request taken.
pub fn read_head(s: &mut TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let (mut buf, mut chunk) = (Vec::new(), [0u8; 1024]);
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 65_536 {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

pub fn mock(answer: Answer) -> Mock {
    use std::sync::atomic::Ordering;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut held = Vec::new();
        while !flag.load(Ordering::SeqCst) && Instant::now() < deadline {
            match listener.accept() {
                Ok((mut s, _)) => {
                    let _ = s.set_nonblocking(false);
                    read_head(&mut s);
                    match &answer {
                        Answer::Http(code, body) => {
                            let _ = write!(
                                s,
                                "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                body.len()
                            );
                        }
                        Answer::Silent => held.push(s),
                    }
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    Mock {
        port,
        stop,
        thread: Some(thread),
    }
}

/// A range answer of one Liqo latency series of mgmt towards edge-zurich with `value`.
pub fn latency_answer(value: &str) -> String {
    format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{"__name__":"liqo_peer_latency_us","cluster":"mgmt","cluster_id":"edge-zurich","driver":"wireguard"}},"values":[[1700000000,"8000"],[1700000060,"{value}"]]}}]}}}}"#
    )
}
