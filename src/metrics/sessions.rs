//! Records a session run and reduces it to [`SessionSummary`].

pub use super::app_latency::AppFigures;
use super::app_latency::AppLatency;
use super::energy::{EnergyFigures, EnergyTotals};
use super::histogram::quantile_levels;
use super::timeseries::{ClusterPoint, RunSeries, ScrapeCounters, SitePoint};
use crate::config::topology::Tier;
use crate::model::ClusterId;
use crate::world::sessions::{
    reason, ClusterSample, EnergySample, SessionObserver, SessionTimeUs, SiteSample,
};

/// Counts, latency samples and costs of one run.
#[derive(Debug, Clone, Default)]
pub struct SessionRecorder {
    admitted: u64,
    rejected: u64,
    dropped: u64,
    dropped_by: [u64; 3],
    completed: u64,
    migrated: u64,
    udp_refused: u64,
    offloaded: u64,
    /// Migration downtime (all over budget), s.
    downtime_s: f64,
    /// Latency samples per application, by its index.
    apps: Vec<AppLatency>,
    vcpu_hours: f64,
    gib_hours: f64,
    usd: f64,
    egress_gb: f64,
    /// (sum of means, peak, samples) per tier: cloud, edge, far-edge.
    util: [(f64, f64, u64); 3],
    nodes_added: u64,
    nodes_removed: u64,
    scale_outs_failed: u64,
    peerings: u64,
    added_vcpu_hours: f64,
    clusters_created: u64,
    clusters_failed: u64,
    clusters_deleted: u64,
    /// Session time on clusters at the contention cap, µs.
    cpu_saturated_us: u64,
    /// Energy and carbon, all clusters and each.
    energy: EnergyTotals,
    /// Monitoring samples over time, if asked for.
    series: Option<RunSeries>,
}

fn tier_ix(t: Tier) -> usize {
    match t {
        Tier::Cloud => 0,
        Tier::Edge => 1,
        Tier::FarEdge => 2,
    }
}

impl SessionRecorder {
    /// Session time so far and its part over budget, s: what was reported plus
    /// `unreported`, with migration downtime counted as over budget (the SLO violation
    /// ratio is their quotient).
    fn session_time_s(&self, unreported: SessionTimeUs) -> (f64, f64) {
        let (mut all, mut over) = (unreported.all, unreported.over_budget);
        for a in &self.apps {
            all += a.observed_us + a.overloaded_us;
            over += a.over_budget_us + a.overloaded_us;
        }
        (
            all as f64 / 1e6 + self.downtime_s,
            over as f64 / 1e6 + self.downtime_s,
        )
    }

    /// Session time over the latency budget so far, s (overloaded time and migration
    /// downtime included): the numerator of `slo_violation_ratio`.
    pub fn over_budget_s(&self) -> f64 {
        self.session_time_s(SessionTimeUs::default()).1
    }

    /// Usage cost so far, USD (`usage_cost_usd`).
    pub fn usage_cost_usd(&self) -> f64 {
        self.usd
    }

    /// Sessions admitted and rejected so far.
    pub fn admitted_rejected(&self) -> (u64, u64) {
        (self.admitted, self.rejected)
    }

    /// A recorder that also keeps every scrape's cluster samples and counters.
    pub fn with_series() -> SessionRecorder {
        SessionRecorder {
            series: Some(RunSeries::default()),
            ..SessionRecorder::default()
        }
    }

    /// The samples kept (see [`Self::with_series`]), leaving none.
    pub fn take_series(&mut self) -> Option<RunSeries> {
        self.series.take()
    }
}

impl SessionObserver for SessionRecorder {
    fn wants_clusters(&self) -> bool {
        self.series.is_some()
    }
    fn scraped(&mut self, t_ns: u64, unreported: SessionTimeUs) {
        if self.series.is_none() {
            return;
        }
        let (session_s, over_budget_s) = self.session_time_s(unreported);
        let counters = ScrapeCounters {
            t_ns,
            admitted: self.admitted,
            rejected: self.rejected,
            dropped: self.dropped,
            migrations: self.migrated,
            nodes_added: self.nodes_added,
            peerings: self.peerings,
            clusters_created: self.clusters_created,
            session_s,
            over_budget_s,
        };
        if let Some(s) = &mut self.series {
            s.scrapes.push(counters);
        }
    }
    fn cluster_sampled(&mut self, sample: &ClusterSample) {
        if let Some(s) = &mut self.series {
            let t_ns = s.scrapes.last().map_or(0, |c| c.t_ns);
            s.clusters.push(ClusterPoint {
                t_ns,
                sample: *sample,
            });
        }
    }
    fn site_sampled(&mut self, sample: &SiteSample) {
        if let Some(s) = &mut self.series {
            let t_ns = s.scrapes.last().map_or(0, |c| c.t_ns);
            s.sites.push(SitePoint {
                t_ns,
                sample: *sample,
            });
        }
    }
    fn admitted(&mut self, _tier: Tier) {
        self.admitted += 1;
    }
    fn rejected(&mut self, r: &'static str) {
        debug_assert!(r == reason::NO_CAPACITY);
        self.rejected += 1;
    }
    fn dropped(&mut self, why: &'static str) {
        self.dropped += 1;
        let i = match why {
            reason::CLUSTER_FAILED => 0,
            reason::NODE_LOST => 1,
            _ => 2,
        };
        self.dropped_by[i] += 1;
    }
    fn completed(&mut self) {
        self.completed += 1;
    }
    fn migrated(&mut self, downtime_s: f64) {
        self.migrated += 1;
        self.downtime_s += downtime_s;
    }
    fn udp_refused(&mut self) {
        self.udp_refused += 1;
    }
    fn offloaded(&mut self) {
        self.offloaded += 1;
    }
    fn latency(&mut self, app: u32, ms: f64, over_budget_us: u64, weight_us: u64) {
        // Nearest ns without a libm call (latencies are positive and far below 2^63 ns,
        // where the cast through i64 is one instruction).
        let ns = (ms * 1e6 + 0.5).max(0.0) as i64 as u64;
        let a = app as usize;
        if a >= self.apps.len() {
            self.apps.resize_with(a + 1, AppLatency::default);
        }
        self.apps[a].record(ns, over_budget_us, weight_us);
    }
    fn overloaded(&mut self, app: u32, weight_us: u64) {
        let a = app as usize;
        if a >= self.apps.len() {
            self.apps.resize_with(a + 1, AppLatency::default);
        }
        self.apps[a].overloaded_us += weight_us;
    }
    fn cpu_saturated(&mut self, weight_us: u64) {
        self.cpu_saturated_us += weight_us;
    }
    fn utilisation(&mut self, tier: Tier, mean: f64, peak: f64) {
        let u = &mut self.util[tier_ix(tier)];
        u.0 += mean;
        u.1 = u.1.max(peak);
        u.2 += 1;
    }
    fn scaled(&mut self, nodes: i64, failed: bool) {
        if nodes > 0 {
            self.nodes_added += nodes as u64;
        } else {
            self.nodes_removed += nodes.unsigned_abs();
        }
        self.scale_outs_failed += failed as u64;
    }
    fn peered(&mut self) {
        self.peerings += 1;
    }
    fn added_capacity(&mut self, vcpu_hours: f64, usd: f64) {
        self.added_vcpu_hours += vcpu_hours;
        self.usd += usd;
    }
    fn provisioned(&mut self, ok: bool) {
        if ok {
            self.clusters_created += 1;
        } else {
            self.clusters_failed += 1;
        }
    }
    fn deprovisioned(&mut self) {
        self.clusters_deleted += 1;
    }
    fn energy(&mut self, cluster: ClusterId, sample: &EnergySample) {
        self.energy.add(cluster, sample);
    }
    fn cost(&mut self, vcpu_hours: f64, gib_hours: f64, usd: f64, egress_gb: f64) {
        self.vcpu_hours += vcpu_hours;
        self.gib_hours += gib_hours;
        self.usd += usd;
        self.egress_gb += egress_gb;
    }
}

/// The figures of one session run.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionSummary {
    /// Sessions that arrived.
    pub arrivals: u64,
    /// Admitted on a cluster.
    pub admitted: u64,
    /// Refused at arrival (no cluster with room, or none acceptable to the strategy).
    pub rejected: u64,
    /// Ended early by a fault with nowhere to go.
    pub dropped: u64,
    /// Of those: cluster failures, node losses, partitions.
    pub dropped_by: [u64; 3],
    /// Ran to their end (or to the end of the run).
    pub completed: u64,
    /// Moved after a failure or by the strategy.
    pub migrated: u64,
    /// Placements refused because the path could not carry UDP.
    pub udp_refused: u64,
    /// Placements and moves onto a cluster other than the session's home cluster.
    pub offloaded: u64,
    /// Session time behind a site egress queue at or above utilisation 1 (counted as over
    /// budget, left out of the latency figures), hours.
    pub overloaded_session_hours: f64,
    /// Session time on clusters whose cores are overloaded (busy share at or above 1: the
    /// sessions' work and the baseline need all the cores), hours; it is part of
    /// `overloaded_session_hours`.
    pub cpu_saturated_session_hours: f64,
    /// Share of session time above the latency budget (scrape samples, each standing for
    /// one scrape interval, or frames, each standing for one frame interval, plus
    /// migration downtime).
    pub slo_violation_ratio: f64,
    /// Latency percentiles over session time, ms.
    pub latency_p50_ms: f64,
    /// 95th percentile, ms.
    pub latency_p95_ms: f64,
    /// 99th percentile, ms.
    pub latency_p99_ms: f64,
    /// Mean latency over session time, ms (each sample rounded to the nanosecond, as in
    /// the percentiles; migration downtime not included).
    pub latency_mean_ms: f64,
    /// Reserved vCPU-hours.
    pub vcpu_hours: f64,
    /// Reserved GiB-hours.
    pub gib_hours: f64,
    /// Inter-site egress, GB.
    pub egress_gb: f64,
    /// Total cost, USD.
    pub usage_cost_usd: f64,
    /// Mean and peak CPU reservation per tier (cloud, edge, far-edge), 0..1.
    pub util_mean: [f64; 3],
    /// Peak per tier.
    pub util_peak: [f64; 3],
    /// Nodes added by autoscaling (Cluster API scale-outs that came up).
    pub nodes_added: u64,
    /// Nodes given back.
    pub nodes_removed: u64,
    /// Scale-outs whose machines failed.
    pub scale_outs_failed: u64,
    /// Liqo peerings established during the run.
    pub peerings: u64,
    /// vCPU-hours of capacity added by autoscaling and created clusters (its price is in
    /// `usage_cost_usd`).
    pub added_vcpu_hours: f64,
    /// Standby clusters created through Cluster API and peered through Liqo.
    pub clusters_provisioned: u64,
    /// Cluster creations whose machines failed.
    pub provisions_failed: u64,
    /// Created clusters deleted after staying empty.
    pub clusters_deleted: u64,
    /// Latency at the quantiles of [`super::histogram::QUANTILE_LEVELS`], ms (for CDF plots).
    pub latency_quantiles_ms: Vec<f64>,
    /// Latency per application, by its index (applications that never reported a sample
    /// past the last one that did are absent).
    pub per_app: Vec<AppFigures>,
    /// Energy and carbon of all clusters.
    pub energy: EnergyFigures,
    /// Energy and carbon of each cluster, by index.
    pub cluster_energy: Vec<EnergyFigures>,
}

impl SessionRecorder {
    /// Reduces the run.
    pub fn summary(&self) -> SessionSummary {
        let mut all = AppLatency::default();
        for a in &self.apps {
            all.add(a);
        }
        let run = all.figures();
        let q = |p| {
            all.latency_ns
                .quantile(p)
                .map_or(f64::NAN, |v| v as f64 / 1e6)
        };
        SessionSummary {
            arrivals: self.admitted + self.rejected,
            admitted: self.admitted,
            rejected: self.rejected,
            dropped: self.dropped,
            dropped_by: self.dropped_by,
            completed: self.completed,
            migrated: self.migrated,
            udp_refused: self.udp_refused,
            offloaded: self.offloaded,
            overloaded_session_hours: all.overloaded_us as f64 / 3.6e9,
            cpu_saturated_session_hours: self.cpu_saturated_us as f64 / 3.6e9,
            slo_violation_ratio: {
                let (observed_s, over_s) = self.session_time_s(SessionTimeUs::default());
                if observed_s == 0.0 {
                    0.0
                } else {
                    over_s / observed_s
                }
            },
            latency_p50_ms: run.latency_p50_ms,
            latency_p95_ms: run.latency_p95_ms,
            latency_p99_ms: run.latency_p99_ms,
            latency_mean_ms: run.latency_mean_ms,
            per_app: self.apps.iter().map(AppLatency::figures).collect(),
            vcpu_hours: self.vcpu_hours,
            gib_hours: self.gib_hours,
            egress_gb: self.egress_gb,
            usage_cost_usd: self.usd,
            util_mean: self
                .util
                .map(|u| if u.2 == 0 { f64::NAN } else { u.0 / u.2 as f64 }),
            util_peak: self.util.map(|u| if u.2 == 0 { f64::NAN } else { u.1 }),
            nodes_added: self.nodes_added,
            nodes_removed: self.nodes_removed,
            scale_outs_failed: self.scale_outs_failed,
            peerings: self.peerings,
            added_vcpu_hours: self.added_vcpu_hours,
            clusters_provisioned: self.clusters_created,
            provisions_failed: self.clusters_failed,
            clusters_deleted: self.clusters_deleted,
            latency_quantiles_ms: quantile_levels().map(q).collect(),
            energy: self.energy.figures(),
            cluster_energy: self.energy.clusters.iter().map(EnergyFigures::of).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_latency_is_weighted_by_session_time_and_independent_of_grouping() {
        // 10 ms for 3 s and 20 ms for 1 s: (10*3 + 20*1) / 4 = 12.5 ms.
        let mut grouped = SessionRecorder::default();
        grouped.latency(0, 10.0, 0, 3_000_000);
        grouped.latency(0, 20.0, 1_000_000, 1_000_000);
        let mut single = SessionRecorder::default();
        for _ in 0..3 {
            single.latency(0, 10.0, 0, 1_000_000);
        }
        single.latency(0, 20.0, 1_000_000, 1_000_000);
        let (a, b) = (grouped.summary(), single.summary());
        assert!(
            (a.latency_mean_ms - 12.5).abs() < 1e-9,
            "{}",
            a.latency_mean_ms
        );
        assert_eq!(a.latency_mean_ms.to_bits(), b.latency_mean_ms.to_bits());
        assert!((a.slo_violation_ratio - 0.25).abs() < 1e-12);
    }

    #[test]
    fn applications_are_reported_apart_and_add_up_to_the_run() {
        // App 0: 10 ms for 1 h; app 2: 30 ms (over budget) for 1 h; app 1 never reports.
        let mut r = SessionRecorder::default();
        r.latency(2, 30.0, 3_600_000_000, 3_600_000_000);
        r.latency(0, 10.0, 0, 3_600_000_000);
        let s = r.summary();
        assert_eq!(s.per_app.len(), 3);
        let (a, b, c) = (s.per_app[0], s.per_app[1], s.per_app[2]);
        assert_eq!(
            (a.session_hours, b.session_hours, c.session_hours),
            (1.0, 0.0, 1.0)
        );
        assert!((a.latency_p50_ms - 10.0).abs() < 0.03 && (c.latency_p50_ms - 30.0).abs() < 0.07);
        assert!(b.latency_mean_ms.is_nan() && b.slo_violation_ratio.is_nan());
        assert_eq!((a.slo_violation_ratio, c.slo_violation_ratio), (0.0, 1.0));
        assert!((s.latency_mean_ms - 20.0).abs() < 1e-9);
        assert!((s.slo_violation_ratio - 0.5).abs() < 1e-12);
    }

    #[test]
    fn no_samples_no_mean() {
        assert!(SessionRecorder::default()
            .summary()
            .latency_mean_ms
            .is_nan());
    }
}
