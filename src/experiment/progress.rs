//! Progress where no terminal shows a bar (a batch job's log): one line to stderr at most
//! every 10 s with the runs done, the time elapsed and an estimate of the time left.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often a line is written.
const EVERY: Duration = Duration::from_secs(10);

/// Counts finished runs and writes a progress line every [`EVERY`] when stderr is no
/// terminal (on a terminal the progress bar shows it).
pub struct LogTicker {
    enabled: bool,
    total: u64,
    done: AtomicU64,
    started: Instant,
    last: Mutex<Instant>,
}

impl LogTicker {
    /// A ticker for `total` runs; silent unless `wanted` and stderr is not a terminal.
    pub fn new(wanted: bool, total: u64) -> LogTicker {
        let now = Instant::now();
        LogTicker {
            enabled: wanted && !std::io::stderr().is_terminal(),
            total,
            done: AtomicU64::new(0),
            started: now,
            last: Mutex::new(now),
        }
    }

    /// One more run finished.
    pub fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if !self.enabled {
            return;
        }
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if last.elapsed() < EVERY && done < self.total {
            return;
        }
        *last = Instant::now();
        let elapsed = self.started.elapsed().as_secs_f64();
        let eta = elapsed / done as f64 * (self.total - done) as f64;
        eprintln!(
            "progress: {done}/{} runs done, {elapsed:.0} s elapsed, ETA {eta:.0} s",
            self.total
        );
    }
}
