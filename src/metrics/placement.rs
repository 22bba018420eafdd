//! Where sessions ran: peak concurrent sessions per application and cluster, and peak
//! reserved CPU per cluster, sampled at each scrape. Capacity planning sizes clusters and
//! Deployment replicas from these.

use super::sessions::SessionRecorder;
use crate::config::topology::Tier;
use crate::model::ClusterId;
use crate::world::sessions::SessionObserver;

/// A [`SessionRecorder`] that also tracks occupancy per application and cluster.
#[derive(Debug, Clone)]
pub struct PlacementRecorder {
    /// The run's usual figures.
    pub sessions: SessionRecorder,
    app_cpu_cores: Vec<f64>,
    app_memory_gib: Vec<f64>,
    scrape_s: f64,
    clusters: usize,
    current: Vec<u32>,
    peak_sessions: Vec<u32>,
    peak_cpu_cores: Vec<f64>,
    cpu_core_hours: Vec<f64>,
    memory_gib_hours: Vec<f64>,
}

impl PlacementRecorder {
    /// A recorder for applications reserving `app_cpu_cores` and `app_memory_mib` each, on
    /// `clusters` clusters, scraped every `scrape_s` seconds.
    pub fn new(
        app_cpu_cores: Vec<f64>,
        app_memory_mib: &[f64],
        clusters: usize,
        scrape_s: f64,
    ) -> PlacementRecorder {
        let cells = app_cpu_cores.len() * clusters;
        PlacementRecorder {
            sessions: SessionRecorder::default(),
            app_cpu_cores,
            app_memory_gib: app_memory_mib.iter().map(|m| m / 1024.0).collect(),
            scrape_s,
            clusters,
            current: vec![0; cells],
            peak_sessions: vec![0; cells],
            peak_cpu_cores: vec![0.0; clusters],
            cpu_core_hours: vec![0.0; clusters],
            memory_gib_hours: vec![0.0; clusters],
        }
    }

    /// Most sessions of application `app` seen at once on `cluster`.
    pub fn peak_sessions(&self, app: usize, cluster: ClusterId) -> u32 {
        self.peak_sessions[app * self.clusters + cluster.ix()]
    }

    /// Most CPU reserved by sessions at once on `cluster`, cores.
    pub fn peak_cpu_cores(&self, cluster: ClusterId) -> f64 {
        self.peak_cpu_cores[cluster.ix()]
    }

    /// Core-hours and GiB-hours sessions reserved on `cluster` (each scrape's occupancy
    /// standing for one scrape interval).
    pub fn reserved_hours(&self, cluster: ClusterId) -> (f64, f64) {
        (
            self.cpu_core_hours[cluster.ix()],
            self.memory_gib_hours[cluster.ix()],
        )
    }
}

impl SessionObserver for PlacementRecorder {
    fn admitted(&mut self, tier: Tier) {
        self.sessions.admitted(tier);
    }
    fn rejected(&mut self, reason: &'static str) {
        self.sessions.rejected(reason);
    }
    fn dropped(&mut self, reason: &'static str) {
        self.sessions.dropped(reason);
    }
    fn completed(&mut self) {
        self.sessions.completed();
    }
    fn migrated(&mut self, downtime_s: f64) {
        self.sessions.migrated(downtime_s);
    }
    fn udp_refused(&mut self) {
        self.sessions.udp_refused();
    }
    fn latency(&mut self, ms: f64, over_budget: bool, weight_s: f64) {
        self.sessions.latency(ms, over_budget, weight_s);
    }
    fn utilisation(&mut self, tier: Tier, mean: f64, peak: f64) {
        self.sessions.utilisation(tier, mean, peak);
    }
    fn scaled(&mut self, nodes: i64, failed: bool) {
        self.sessions.scaled(nodes, failed);
    }
    fn peered(&mut self) {
        self.sessions.peered();
    }
    fn added_capacity(&mut self, vcpu_hours: f64, usd: f64) {
        self.sessions.added_capacity(vcpu_hours, usd);
    }
    fn cost(&mut self, vcpu_hours: f64, gib_hours: f64, usd: f64, egress_gb: f64) {
        self.sessions.cost(vcpu_hours, gib_hours, usd, egress_gb);
    }
    fn hosted(&mut self, app: u32, cluster: ClusterId) {
        self.current[app as usize * self.clusters + cluster.ix()] += 1;
    }
    fn scrape_end(&mut self) {
        for k in 0..self.clusters {
            let (mut cores, mut gib) = (0.0, 0.0);
            for (a, cpu) in self.app_cpu_cores.iter().enumerate() {
                let i = a * self.clusters + k;
                let n = std::mem::take(&mut self.current[i]);
                self.peak_sessions[i] = self.peak_sessions[i].max(n);
                cores += n as f64 * cpu;
                gib += n as f64 * self.app_memory_gib[a];
            }
            self.peak_cpu_cores[k] = self.peak_cpu_cores[k].max(cores);
            self.cpu_core_hours[k] += cores * self.scrape_s / 3600.0;
            self.memory_gib_hours[k] += gib * self.scrape_s / 3600.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_are_per_scrape_maxima() {
        let mut r = PlacementRecorder::new(vec![2.0, 0.5], &[1024.0, 512.0], 2, 3600.0);
        for _ in 0..3 {
            r.hosted(0, ClusterId(1));
        }
        r.hosted(1, ClusterId(1));
        r.scrape_end();
        r.hosted(0, ClusterId(1));
        r.hosted(1, ClusterId(0));
        r.scrape_end();
        assert_eq!(r.peak_sessions(0, ClusterId(1)), 3);
        assert_eq!(r.peak_sessions(1, ClusterId(0)), 1);
        assert_eq!(r.peak_sessions(0, ClusterId(0)), 0);
        assert!((r.peak_cpu_cores(ClusterId(1)) - 6.5).abs() < 1e-12);
        assert!((r.peak_cpu_cores(ClusterId(0)) - 0.5).abs() < 1e-12);
        // Two hour-long scrapes on cluster 1: 6.5 + 2 core-hours, 3.5 + 1 GiB-hours.
        let (cpu_h, gib_h) = r.reserved_hours(ClusterId(1));
        assert!((cpu_h - 8.5).abs() < 1e-12 && (gib_h - 4.5).abs() < 1e-12);
    }
}
