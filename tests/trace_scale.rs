//! A trace replayed at a multiple of its load (`[sessions.load] scale`), end to end: the
//! shipped evening trace at scale 3 brings exactly three times its arrivals to every
//! strategy, the same for every run, and a scale without a trace or beyond its range is
//! refused at its field.

use crate::common;
use common::{column, fresh_dir, xrplace, xrplace_ok};

/// `arrivals` of every row of runs.csv for the evening trace at `scale`, 2 runs.
fn arrivals(tag: &str, scale: &str) -> Vec<f64> {
    let out = fresh_dir(tag);
    xrplace_ok(&[
        "run",
        "experiments/trace-eu-evening.toml",
        "--quiet",
        "--set",
        &format!("sessions.load.scale={scale}"),
        "--out",
        out.to_str().unwrap(),
    ]);
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let _ = std::fs::remove_dir_all(&out);
    column(&runs, "arrivals").into_iter().map(|r| r.1).collect()
}

#[test]
fn a_scaled_trace_brings_that_multiple_of_its_arrivals() {
    let once = arrivals("trace-scale-1", "1");
    let thrice = arrivals("trace-scale-3", "3");
    assert_eq!(once.len(), thrice.len());
    assert!(once.iter().all(|&n| n > 100.0 && n == once[0]), "{once:?}");
    for (a, b) in once.iter().zip(&thrice) {
        assert_eq!(*b, 3.0 * a, "scale 3: {thrice:?} against {once:?}");
    }
    // A fraction: each session once more with probability 0.5, Binomial(n, 0.5) extra.
    let half = arrivals("trace-scale-1.5", "1.5");
    let n = once[0];
    let sd = (n * 0.25).sqrt();
    assert!(
        half.iter().all(|&x| (x - 1.5 * n).abs() < 5.0 * sd),
        "{half:?}"
    );
}

#[test]
fn a_scale_without_a_trace_or_out_of_range_is_refused() {
    for (experiment, scale, expected) in [
        (
            "experiments/strategies-eu.toml",
            "2",
            "field `sessions.load.scale`: expected no scale without a trace",
        ),
        (
            "experiments/trace-eu-evening.toml",
            "101",
            "field `sessions.load.scale`: expected a number between 0 and 100",
        ),
    ] {
        let out = fresh_dir("trace-scale-refused");
        let o = xrplace(&[
            "run",
            experiment,
            "--set",
            &format!("sessions.load.scale={scale}"),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(!out.exists(), "no output for refused input");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(expected), "{err}");
    }
}
