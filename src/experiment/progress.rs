//! Progress of a batch of runs, counted in simulated time so that it moves inside long
//! runs: a bar with ETA on a terminal (indicatif hides it elsewhere), and where no terminal
//! shows a bar (a batch job's log) one line to stderr at most every 10 s. Runs report the
//! simulated time they reached at each monitoring scrape; nothing here feeds back into a
//! run.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often a log line is written.
const EVERY: Duration = Duration::from_secs(10);

/// Lines to stderr for a log: at most one every [`EVERY`], and only when stderr is no
/// terminal (there a bar or spinner shows the same).
pub struct LogLines {
    enabled: bool,
    last: Mutex<Instant>,
}

impl LogLines {
    /// Silent unless `wanted` and stderr is not a terminal.
    pub fn new(wanted: bool) -> LogLines {
        LogLines {
            enabled: wanted && !std::io::stderr().is_terminal(),
            last: Mutex::new(Instant::now()),
        }
    }

    /// Writes `line()` if [`EVERY`] has passed since the last line, or if `last`.
    pub fn write(&self, last: bool, line: impl FnOnce() -> String) {
        if !self.enabled {
            return;
        }
        let Ok(mut at) = self.last.lock() else {
            return;
        };
        if at.elapsed() < EVERY && !last {
            return;
        }
        *at = Instant::now();
        eprintln!("{}", line());
    }
}

/// Progress of `runs` runs of `run_ms` simulated milliseconds each.
pub struct Progress {
    bar: indicatif::ProgressBar,
    log: LogLines,
    total_ms: u64,
    done_ms: AtomicU64,
    runs: u64,
    runs_done: AtomicU64,
    started: Instant,
}

impl Progress {
    /// Silent unless `wanted`.
    pub fn new(wanted: bool, runs: u64, run_ms: u64) -> Progress {
        let total_ms = (runs * run_ms).max(1);
        let bar = if wanted {
            let bar = indicatif::ProgressBar::new(total_ms);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {percent:>3}% of simulated time, {msg}, {elapsed} elapsed, ETA {eta}",
            ) {
                bar.set_style(style);
            }
            bar.set_message(format!("0/{runs} runs"));
            bar
        } else {
            indicatif::ProgressBar::hidden()
        };
        Progress {
            bar,
            log: LogLines::new(wanted),
            total_ms,
            done_ms: AtomicU64::new(0),
            runs,
            runs_done: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    /// A run advanced by `ms` of simulated time.
    pub fn advanced(&self, ms: u64) {
        let done = self.done_ms.fetch_add(ms, Ordering::Relaxed) + ms;
        self.bar.inc(ms);
        self.maybe_log(done, false);
    }

    /// A run finished, `rest_ms` after its last report.
    pub fn run_done(&self, rest_ms: u64) {
        let runs = self.runs_done.fetch_add(1, Ordering::Relaxed) + 1;
        self.bar.set_message(format!("{runs}/{} runs", self.runs));
        let done = self.done_ms.fetch_add(rest_ms, Ordering::Relaxed) + rest_ms;
        self.bar.inc(rest_ms);
        self.maybe_log(done, runs == self.runs);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    fn maybe_log(&self, done_ms: u64, last: bool) {
        self.log.write(last, || {
            let share = (done_ms as f64 / self.total_ms as f64).min(1.0);
            let elapsed = self.started.elapsed().as_secs_f64();
            let eta = if share > 0.0 {
                elapsed / share * (1.0 - share)
            } else {
                f64::NAN
            };
            format!(
                "progress: {:.0} % of simulated time, {}/{} runs done, {elapsed:.0} s elapsed, ETA {eta:.0} s",
                share * 100.0,
                self.runs_done.load(Ordering::Relaxed),
                self.runs
            )
        });
    }
}

/// What one run tells a [`Progress`]: the simulated time it reached, as it goes.
pub struct RunProgress<'a> {
    progress: &'a Progress,
    reported_ms: u64,
}

impl<'a> RunProgress<'a> {
    /// A run starting at simulated time 0.
    pub fn new(progress: &'a Progress) -> Self {
        RunProgress {
            progress,
            reported_ms: 0,
        }
    }

    /// The run reached `ns` of simulated time.
    pub fn reached(&mut self, ns: u64) {
        let ms = ns / 1_000_000;
        if ms > self.reported_ms {
            self.progress.advanced(ms - self.reported_ms);
            self.reported_ms = ms;
        }
    }

    /// The run ended; it was `run_ms` long.
    pub fn done(self, run_ms: u64) {
        self.progress
            .run_done(run_ms.saturating_sub(self.reported_ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_add_up_to_the_whole_simulated_time() {
        let p = Progress::new(false, 2, 1_000);
        for _ in 0..2 {
            let mut r = RunProgress::new(&p);
            r.reached(400_000_000);
            r.reached(300_000_000);
            r.reached(900_000_000);
            r.done(1_000);
        }
        assert_eq!(p.done_ms.load(Ordering::Relaxed), p.total_ms);
        assert_eq!(p.runs_done.load(Ordering::Relaxed), 2);
    }
}
