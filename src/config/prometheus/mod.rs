//! Reading a live estate's monitoring: the HTTP API of Prometheus or Thanos Query
//! (`/api/v1/query_range`, the API both serve), the answers' JSON, and what xrplace reads
//! from them (measured RTT per Liqo peering, CPU and memory in use per cluster and node,
//! session arrivals per application and site), mapped onto a topology's clusters and sites.
//!
//! - [`client`]: one bounded GET per query (timeouts, a response size cap, a points cap).
//! - [`answer`]: the JSON answer as typed series, refused when it is an error, not JSON or
//!   holds a value that is not a finite number.
//! - [`instant`]: the `--start`/`--end` instants (RFC 3339 or Unix seconds).
//! - [`metrics`]: the exporters' metric names and labels, cited from their sources, and the
//!   queries built from them.
//! - [`rtt`], [`usage`], [`arrivals`]: the series turned into typed rows.
//!
//! Every failure is a [`QueryError`] naming the server and the query.

pub mod answer;
pub mod arrivals;
pub mod client;
pub mod instant;
pub mod metrics;
pub mod rtt;
pub mod usage;

/// A query that failed or whose answer xrplace refuses: the server, the query (PromQL,
/// or the parameter at fault) and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// Base URL of the Prometheus or Thanos Query API.
    pub url: String,
    /// The PromQL expression (or `--start` and the like for a bad parameter).
    pub query: String,
    /// What went wrong and what was expected.
    pub message: String,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: query `{}`: {}", self.url, self.query, self.message)
    }
}

impl std::error::Error for QueryError {}
