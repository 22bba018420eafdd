//! A real Prometheus for the test, as `tests/prometheus.rs` starts one: Debian's package
//! (`.ci/run` installs it and runs these tests, which plain `cargo test` ignores), serving
//! blocks backfilled with `promtool tsdb create-blocks-from openmetrics` on a loopback port,
//! stopped by its process id when the test ends.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the server when the test ends, however it ends.
pub struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn tool(name: &str) -> String {
    let found = Command::new(name).arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "{name} not found: install Debian's prometheus package (.ci/run does)"
    );
    name.to_string()
}

/// GET `path` from the server on `port`: (status line, body).
pub fn get(port: u16, path: &str) -> Option<(String, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    Some((head.lines().next()?.to_string(), body.to_string()))
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Prometheus serving the blocks backfilled from `om` in `dir`, ready.
pub fn prometheus_with(dir: &Path, om: &str) -> (Server, u16) {
    let file = dir.join("estate.om");
    std::fs::write(&file, om).unwrap();
    prometheus_from(dir, &file)
}

/// Prometheus serving, ready, the blocks backfilled in `dir` from the OpenMetrics file `om`.
pub fn prometheus_from(dir: &Path, om: &Path) -> (Server, u16) {
    let (promtool, prometheus) = (tool("promtool"), tool("prometheus"));
    let tsdb = dir.join("tsdb");
    let blocks = Command::new(&promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(om)
        .arg(&tsdb)
        .output()
        .unwrap();
    assert!(
        blocks.status.success(),
        "backfill: {}",
        String::from_utf8_lossy(&blocks.stderr)
    );
    let port = free_port();
    std::fs::write(
        dir.join("prometheus.yml"),
        "global:\n  scrape_interval: 15s\n",
    )
    .unwrap();
    let server = Server(
        Command::new(&prometheus)
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!("--storage.tsdb.path={}", tsdb.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--storage.tsdb.retention.time=3650d")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let t0 = Instant::now();
    while get(port, "/-/ready").is_none_or(|(s, _)| !s.contains("200")) {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "prometheus not ready in 60 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    (server, port)
}
