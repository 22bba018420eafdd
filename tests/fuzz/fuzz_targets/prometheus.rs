//! Any bytes as a Prometheus API answer: up to a NUL byte as the body of a range query,
//! after it as `--start`. A refused answer, or series that map onto a three-cluster estate
//! as `import prometheus` maps them (RTT per peering, usage per node, arrivals), each
//! mapping giving rows or a message, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;
use xrplace::config::prometheus::answer::parse_matrix;
use xrplace::config::prometheus::arrivals::{arrivals, SessionSeries};
use xrplace::config::prometheus::client::Range;
use xrplace::config::prometheus::instant::parse_instant;
use xrplace::config::prometheus::metrics::Labels;
use xrplace::config::prometheus::rtt::peering_rtts;
use xrplace::config::prometheus::usage::{usage_rows, UsageSeries};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (body, rest) = data.split_at(split);
    let _ = parse_instant(&String::from_utf8_lossy(rest.get(1..).unwrap_or(&[])));
    let Ok(series) = parse_matrix(body) else {
        return;
    };
    let clusters = [("a", (0, "x")), ("b", (1, "y")), ("c", (2, "y"))].into();
    let ids = HashMap::from([("id-c".to_string(), "c".to_string())]);
    let _ = peering_rtts(&series, "cluster", &clusters, &ids);
    let usage: UsageSeries = std::array::from_fn(|_| series.clone());
    let _ = usage_rows(&usage, "cluster", "node", &["a", "b", "c"].into());
    let counters = SessionSeries {
        admitted: series.clone(),
        rejected: series.clone(),
        session_seconds: series,
    };
    let range = Range {
        start_s: 0.0,
        end_s: 3600.0,
        step_s: 60.0,
    };
    let sites = ["x", "y"].into();
    let _ = arrivals(&counters, &Labels::default(), &sites, range, None);
    let _ = arrivals(&counters, &Labels::default(), &sites, range, Some(30.0));
});
