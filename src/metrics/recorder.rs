//! Collects one run's observations and reduces them to a [`RunSummary`].

use super::histogram::Histogram;
use super::stats::{quantile_of, Moments};
use crate::engine::{SimDuration, SimTime, NS_PER_MS};
use crate::world::{ClusterSample, RunObserver};

/// One scrape's cluster averages and per-cluster samples.
#[derive(Debug, Clone, Default)]
pub struct ScrapeSeries {
    /// Scrape instants.
    pub times: Vec<SimTime>,
    /// Mean CPU over the scenario's clusters at each scrape, percent.
    pub cpu_pct: Vec<f64>,
    /// Mean memory over the scenario's clusters at each scrape, percent.
    pub mem_pct: Vec<f64>,
    /// Every cluster sample, in scrape order then cluster order.
    pub per_cluster: Vec<ClusterSample>,
}

/// Records a run: latency histogram and moments, losses, scrape series.
#[derive(Debug, Clone, Default)]
pub struct RunRecorder {
    latency: Histogram,
    moments: Moments,
    lost: u64,
    max_latency_ns: u64,
    /// Monitoring time series.
    pub series: ScrapeSeries,
    /// Named moments of the run, in time order.
    pub milestones: Vec<(SimTime, &'static str)>,
}

impl RunObserver for RunRecorder {
    fn frame_presented(&mut self, _at: SimTime, latency: SimDuration) {
        self.latency.record(latency.0);
        self.moments.add(latency.0 as f64);
        self.max_latency_ns = self.max_latency_ns.max(latency.0);
    }

    fn milestone(&mut self, at: SimTime, what: &'static str) {
        self.milestones.push((at, what));
    }

    fn frame_lost(&mut self, _at: SimTime) {
        self.lost += 1;
    }

    fn scrape(&mut self, at: SimTime, samples: &[ClusterSample]) {
        if samples.is_empty() {
            return;
        }
        let n = samples.len() as f64;
        self.series.times.push(at);
        self.series
            .cpu_pct
            .push(samples.iter().map(|s| s.cpu_pct).sum::<f64>() / n);
        self.series
            .mem_pct
            .push(samples.iter().map(|s| s.mem_pct).sum::<f64>() / n);
        self.series.per_cluster.extend_from_slice(samples);
    }
}

/// The reduced figures of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// Frames presented after warm-up.
    pub frames: u64,
    /// Frames lost.
    pub frames_lost: u64,
    /// Median end-to-end latency, ms.
    pub latency_p50_ms: f64,
    /// 90th percentile, ms.
    pub latency_p90_ms: f64,
    /// 99th percentile, ms.
    pub latency_p99_ms: f64,
    /// Mean, ms.
    pub latency_mean_ms: f64,
    /// Standard deviation, ms.
    pub latency_std_ms: f64,
    /// Median over scrapes of the mean CPU of the scenario's clusters, percent.
    pub cpu_p50_pct: f64,
    /// Median over scrapes of the mean memory of the scenario's clusters, percent.
    pub mem_p50_pct: f64,
    /// Highest CPU of any cluster at any scrape, percent.
    pub cpu_max_pct: f64,
    /// Highest latency of any frame, ms.
    pub latency_max_ms: f64,
    /// Time from the start of the run to the first frame through a cross-cluster path, s.
    pub first_byte_s: f64,
    /// Latency at the quantiles of [`super::histogram::QUANTILE_LEVELS`], ms.
    pub latency_quantiles_ms: Vec<f64>,
}

impl RunRecorder {
    /// Reduces the run to its summary figures.
    pub fn summary(&self) -> RunSummary {
        let ms = |ns: Option<u64>| ns.map_or(f64::NAN, |v| v as f64 / NS_PER_MS as f64);
        RunSummary {
            frames: self.latency.count(),
            frames_lost: self.lost,
            latency_p50_ms: ms(self.latency.quantile(0.5)),
            latency_p90_ms: ms(self.latency.quantile(0.9)),
            latency_p99_ms: ms(self.latency.quantile(0.99)),
            latency_mean_ms: self.moments.mean() / NS_PER_MS as f64,
            latency_std_ms: self.moments.std() / NS_PER_MS as f64,
            cpu_p50_pct: quantile_of(&mut self.series.cpu_pct.clone(), 0.5),
            mem_p50_pct: quantile_of(&mut self.series.mem_pct.clone(), 0.5),
            cpu_max_pct: self
                .series
                .per_cluster
                .iter()
                .map(|s| s.cpu_pct)
                .fold(0.0, f64::max),
            latency_max_ms: ms((self.latency.count() > 0).then_some(self.max_latency_ns)),
            first_byte_s: self
                .milestones
                .iter()
                .find(|m| m.1 == "first-byte")
                .map_or(f64::NAN, |m| m.0 .0 as f64 / 1e9),
            latency_quantiles_ms: super::histogram::quantile_levels()
                .map(|q| ms(self.latency.quantile(q)))
                .collect(),
        }
    }

    /// The latency histogram.
    pub fn latency(&self) -> &Histogram {
        &self.latency
    }
}
