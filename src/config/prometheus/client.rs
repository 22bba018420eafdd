//! One bounded HTTP GET per query against the Prometheus HTTP API (`GET
//! /api/v1/query_range` with URL-encoded `query`, `start`, `end` and `step`, as
//! <https://prometheus.io/docs/prometheus/latest/querying/api/#range-queries> documents;
//! Thanos Query serves the same API). Through `ureq` (http and https with rustls), with:
//!
//! - a connect timeout and a timeout on the whole query (connect, request, answer and body),
//!   so a server that accepts and never answers is an error within that time, not a hang;
//! - a cap on the answer's size ([`Limits::max_body_bytes`], 64 MiB by default), refused
//!   past it rather than read into memory;
//! - a cap on points per series: Prometheus itself refuses a range query with
//!   `(end - start) / step > 11000` ("exceeded maximum resolution of 11,000 points per
//!   timeseries", `web/api/v1/api.go`, `queryRange`, prometheus/prometheus); xrplace refuses
//!   it before asking, with the same rule;
//! - no redirects followed (an API answers where it is asked).

use super::answer::{parse_matrix, Series};
use super::QueryError;
use std::time::Duration;

/// Most points per series a range query may ask for, as Prometheus counts them: the whole
/// steps in `end - start` (`web/api/v1/api.go`, `queryRange`, prometheus/prometheus).
pub const MAX_STEPS: u64 = 11_000;

/// The bounds every query is held to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Longest wait for the TCP (and TLS) connection, s.
    pub connect_timeout_s: f64,
    /// Longest a whole query may take, from connecting to the last byte of the answer, s.
    pub query_timeout_s: f64,
    /// Largest answer body read, bytes; a larger one is refused.
    pub max_body_bytes: u64,
}

impl Default for Limits {
    /// 10 s to connect, 60 s per query, 64 MiB per answer.
    fn default() -> Self {
        Limits {
            connect_timeout_s: 10.0,
            query_timeout_s: 60.0,
            max_body_bytes: 64 << 20,
        }
    }
}

/// A range query's time frame: Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// First instant, Unix s.
    pub start_s: f64,
    /// Last instant, Unix s.
    pub end_s: f64,
    /// Resolution, s (> 0).
    pub step_s: f64,
}

impl Range {
    /// Whole steps from start to end: the points per series less one.
    pub fn steps(&self) -> u64 {
        crate::base::units::round_to_u64(((self.end_s - self.start_s) / self.step_s).floor())
    }
}

/// Why an https URL is refused by a build without the `https` feature, and how to get it.
const HTTPS_MISSING: &str = "this xrplace was built without TLS (the `https` feature, off by default to keep the first build short): rebuild it with `cargo install --path . --features https` (or `cargo run --release --features https -- ...`), or query the server over http://";

/// A client of one Prometheus or Thanos Query API.
pub struct Client {
    base: String,
    /// The base URL as messages and files show it: without a `user:password@`.
    shown: String,
    agent: ureq::Agent,
    limits: Limits,
}

/// `url` without the user information of its authority (`https://u:p@host/` -> `https://host/`).
fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find('/').unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

impl Client {
    /// A client of the API at `url` (`http://host:9090`, with or without a path prefix
    /// and a trailing `/`); refused unless it is an http or https URL.
    pub fn new(url: &str, limits: Limits) -> Result<Client, QueryError> {
        let base = url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(QueryError {
                url: without_userinfo(url),
                query: "(URL)".into(),
                message: "expected an http:// or https:// URL of a Prometheus or Thanos Query API"
                    .into(),
            });
        }
        if base.starts_with("https://") && !cfg!(feature = "https") {
            return Err(QueryError {
                url: without_userinfo(url),
                query: "(URL)".into(),
                message: HTTPS_MISSING.into(),
            });
        }
        let seconds = |s: f64| Some(Duration::from_secs_f64(s.max(0.001)));
        let agent = ureq::Agent::config_builder()
            .timeout_connect(seconds(limits.connect_timeout_s))
            .timeout_global(seconds(limits.query_timeout_s))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("xrplace/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Client {
            shown: without_userinfo(&base),
            base,
            agent,
            limits,
        })
    }

    /// The base URL, as messages name it (without user information).
    pub fn url(&self) -> &str {
        &self.shown
    }

    /// An error about `query` on this server.
    pub fn error(&self, query: &str, message: impl Into<String>) -> QueryError {
        QueryError {
            url: self.shown.clone(),
            query: query.to_string(),
            message: message.into(),
        }
    }

    /// The series `query` gives over `range` (a range query), every value a finite number.
    pub fn query_range(&self, query: &str, range: Range) -> Result<Vec<Series>, QueryError> {
        if range.steps() > MAX_STEPS {
            return Err(self.error(
                query,
                format!(
                    "{} steps of {} s from start to end, over the {MAX_STEPS} a Prometheus \
                     answers per series: give a longer --step",
                    range.steps(),
                    range.step_s
                ),
            ));
        }
        let body = self.get(
            query,
            "/api/v1/query_range",
            &[
                ("query", query.to_string()),
                ("start", format!("{}", range.start_s)),
                ("end", format!("{}", range.end_s)),
                ("step", format!("{}", range.step_s)),
            ],
        )?;
        parse_matrix(&body).map_err(|m| self.error(query, m))
    }

    /// The body of a GET of `path` with `params`, refused unless it is a 200 answer (a
    /// Prometheus error answer's own message is given) within the limits.
    fn get(
        &self,
        query: &str,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<Vec<u8>, QueryError> {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        for (k, v) in params {
            req = req.query(*k, v);
        }
        let mut resp = req.call().map_err(|e| self.error(query, transport(&e)))?;
        let status = resp.status();
        let body = resp
            .body_mut()
            .with_config()
            .limit(self.limits.max_body_bytes)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(n) => self.error(
                    query,
                    format!(
                        "the answer is over the {n} bytes xrplace reads (--max-response-bytes): \
                         ask for fewer series or a longer --step"
                    ),
                ),
                e => self.error(query, transport(&e)),
            })?;
        if status != 200 {
            return Err(self.error(query, super::answer::status_message(status.as_u16(), &body)));
        }
        Ok(body)
    }
}

/// A transport failure in words: unreachable, timed out, or what the client says.
fn transport(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(t) => format!("no answer in time ({t}): the server is slow or hung"),
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
            format!("cannot connect ({e}): is the URL right and the server up?")
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("connection refused ({io}): is the URL right and the server up?")
        }
        e => format!("the request failed: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_show_a_password() {
        assert_eq!(
            without_userinfo("https://u:p@h:9090/x@y"),
            "https://h:9090/x@y"
        );
        assert_eq!(without_userinfo("http://h:9090"), "http://h:9090");
        let c = Client::new("http://u:secret@thanos.example:80/", Limits::default()).unwrap();
        assert_eq!(c.url(), "http://thanos.example:80");
        assert!(!c.error("up", "x").to_string().contains("secret"));
    }

    #[test]
    fn an_https_url_needs_the_https_feature() {
        let made = Client::new("https://u:secret@thanos.example:443/", Limits::default());
        if cfg!(feature = "https") {
            assert_eq!(made.unwrap().url(), "https://thanos.example:443");
        } else {
            let e = made.err().unwrap().to_string();
            assert!(e.contains("--features https"), "{e}");
            assert!(!e.contains("secret"), "{e}");
        }
    }

    #[test]
    fn too_many_steps_are_refused_before_asking() {
        let c = Client::new("http://127.0.0.1:1", Limits::default()).unwrap();
        // 11,000 steps of 1 s pass Prometheus's rule; 11,001 do not.
        let r = |end_s| Range {
            start_s: 0.0,
            end_s,
            step_s: 1.0,
        };
        assert_eq!(r(11_000.0).steps(), 11_000);
        let e = c.query_range("up", r(11_001.0)).unwrap_err();
        assert!(e.message.contains("11001 steps"), "{e}");
    }
}
