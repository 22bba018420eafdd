//! Where sessions ran: peak concurrent sessions per application and cluster, and peak
//! reserved CPU per cluster, sampled at each scrape. Capacity planning sizes clusters and
//! Deployment replicas from these.

use super::sessions::SessionRecorder;
use crate::config::topology::Tier;
use crate::model::ClusterId;
use crate::world::sessions::SessionObserver;

/// What one session of an application reserves: on its own cluster and on the central one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AppFootprint {
    /// Cores on the session's cluster.
    pub cpu_cores: f64,
    /// GiB on the session's cluster.
    pub memory_gib: f64,
    /// Cores on the central cluster.
    pub central_cpu_cores: f64,
    /// GiB on the central cluster.
    pub central_memory_gib: f64,
}

impl AppFootprint {
    /// The footprint of one session of `app`.
    pub fn of(app: &crate::model::session::SessionApp) -> AppFootprint {
        let (cpu, mem) = app.local_resources();
        AppFootprint {
            cpu_cores: cpu,
            memory_gib: mem / 1024.0,
            central_cpu_cores: app.central_cpu_cores,
            central_memory_gib: app.central_memory_mib / 1024.0,
        }
    }
}

/// A [`SessionRecorder`] that also tracks occupancy per application and cluster.
#[derive(Debug, Clone)]
pub struct PlacementRecorder {
    /// The run's usual figures.
    pub sessions: SessionRecorder,
    apps: Vec<AppFootprint>,
    central: Option<usize>,
    scrape_s: f64,
    clusters: usize,
    peak_total: Vec<u32>,
    current: Vec<u32>,
    peak_sessions: Vec<u32>,
    peak_mix: Vec<u32>,
    peak_cpu_cores: Vec<f64>,
    cpu_core_hours: Vec<f64>,
    memory_gib_hours: Vec<f64>,
}

impl PlacementRecorder {
    /// A recorder for sessions of `apps`, on `clusters` clusters of which `central` runs
    /// the central components, scraped every `scrape_s` seconds.
    pub fn new(
        apps: Vec<AppFootprint>,
        central: Option<ClusterId>,
        clusters: usize,
        scrape_s: f64,
    ) -> PlacementRecorder {
        let cells = apps.len() * clusters;
        PlacementRecorder {
            sessions: SessionRecorder::default(),
            peak_total: vec![0; apps.len()],
            apps,
            central: central.map(|c| c.ix()),
            scrape_s,
            clusters,
            current: vec![0; cells],
            peak_sessions: vec![0; cells],
            peak_mix: vec![0; cells],
            peak_cpu_cores: vec![0.0; clusters],
            cpu_core_hours: vec![0.0; clusters],
            memory_gib_hours: vec![0.0; clusters],
        }
    }

    /// Most sessions of application `app` seen at once on `cluster`.
    pub fn peak_sessions(&self, app: usize, cluster: ClusterId) -> u32 {
        self.peak_sessions[app * self.clusters + cluster.ix()]
    }

    /// Most sessions of application `app` seen at once, on all clusters together.
    pub fn peak_total_sessions(&self, app: usize) -> u32 {
        self.peak_total[app]
    }

    /// Sessions of application `app` on `cluster` at the first scrape where the CPU reserved
    /// there peaked: replicas sized from this mix fit together, unlike per-application
    /// peaks reached at different times.
    pub fn sessions_at_peak(&self, app: usize, cluster: ClusterId) -> u32 {
        self.peak_mix[app * self.clusters + cluster.ix()]
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
    fn offloaded(&mut self) {
        self.sessions.offloaded();
    }
    fn latency(&mut self, app: u32, ms: f64, over_budget_us: u64, weight_us: u64) {
        self.sessions.latency(app, ms, over_budget_us, weight_us);
    }
    fn overloaded(&mut self, app: u32, weight_us: u64) {
        self.sessions.overloaded(app, weight_us);
    }
    fn cpu_saturated(&mut self, weight_us: u64) {
        self.sessions.cpu_saturated(weight_us);
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
    fn provisioned(&mut self, ok: bool) {
        self.sessions.provisioned(ok);
    }
    fn deprovisioned(&mut self) {
        self.sessions.deprovisioned();
    }
    fn added_capacity(&mut self, vcpu_hours: f64, usd: f64) {
        self.sessions.added_capacity(vcpu_hours, usd);
    }
    fn cost(&mut self, vcpu_hours: f64, gib_hours: f64, usd: f64, egress_gb: f64) {
        self.sessions.cost(vcpu_hours, gib_hours, usd, egress_gb);
    }
    fn wants_hosted(&self) -> bool {
        true
    }
    fn hosted(&mut self, app: u32, cluster: ClusterId, sessions: u32) {
        self.current[app as usize * self.clusters + cluster.ix()] += sessions;
    }
    fn scrape_end(&mut self) {
        let mut cores = vec![0.0; self.clusters];
        let mut gib = vec![0.0; self.clusters];
        for (a, f) in self.apps.iter().enumerate() {
            let mut total = 0;
            for k in 0..self.clusters {
                let i = a * self.clusters + k;
                let n = self.current[i];
                self.peak_sessions[i] = self.peak_sessions[i].max(n);
                total += n;
                cores[k] += n as f64 * f.cpu_cores;
                gib[k] += n as f64 * f.memory_gib;
            }
            self.peak_total[a] = self.peak_total[a].max(total);
            if let Some(c) = self.central {
                cores[c] += total as f64 * f.central_cpu_cores;
                gib[c] += total as f64 * f.central_memory_gib;
            }
        }
        for k in 0..self.clusters {
            if cores[k] > self.peak_cpu_cores[k] {
                self.peak_cpu_cores[k] = cores[k];
                for a in 0..self.apps.len() {
                    let i = a * self.clusters + k;
                    self.peak_mix[i] = self.current[i];
                }
            }
            self.cpu_core_hours[k] += cores[k] * self.scrape_s / 3600.0;
            self.memory_gib_hours[k] += gib[k] * self.scrape_s / 3600.0;
        }
        self.current.fill(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_are_per_scrape_maxima() {
        let f = |cpu: f64, gib: f64| AppFootprint {
            cpu_cores: cpu,
            memory_gib: gib,
            central_cpu_cores: 0.0,
            central_memory_gib: 0.0,
        };
        let mut r = PlacementRecorder::new(vec![f(2.0, 1.0), f(0.5, 0.5)], None, 2, 3600.0);
        for _ in 0..3 {
            r.hosted(0, ClusterId(1), 1);
        }
        r.hosted(1, ClusterId(1), 1);
        r.scrape_end();
        r.hosted(0, ClusterId(1), 1);
        r.hosted(1, ClusterId(0), 1);
        r.scrape_end();
        assert_eq!(r.peak_sessions(0, ClusterId(1)), 3);
        assert_eq!(r.peak_sessions(1, ClusterId(0)), 1);
        assert_eq!(r.peak_sessions(0, ClusterId(0)), 0);
        assert!((r.peak_cpu_cores(ClusterId(1)) - 6.5).abs() < 1e-12);
        assert!((r.peak_cpu_cores(ClusterId(0)) - 0.5).abs() < 1e-12);
        // Two hour-long scrapes on cluster 1: 6.5 + 2 core-hours, 3.5 + 1 GiB-hours.
        let (cpu_h, gib_h) = r.reserved_hours(ClusterId(1));
        assert!((cpu_h - 8.5).abs() < 1e-12 && (gib_h - 4.5).abs() < 1e-12);
        assert_eq!(r.peak_total_sessions(0), 3);
        // Cluster 0 peaked in the second scrape (0.5 cores) with one session of app 1.
        assert_eq!(r.sessions_at_peak(1, ClusterId(0)), 1);
        assert_eq!(r.sessions_at_peak(0, ClusterId(1)), 3);
    }

    #[test]
    fn mix_at_the_peak_fits_where_per_app_peaks_do_not() {
        let f = |cpu: f64| AppFootprint {
            cpu_cores: cpu,
            memory_gib: 1.0,
            central_cpu_cores: 0.0,
            central_memory_gib: 0.0,
        };
        // Scrape 1: 3 sessions of app 0 (6 cores); scrape 2: 1 of app 0 and 4 of app 1
        // (2 + 4 = 6 cores, not above the first peak); scrape 3: 2 + 3 = 7 cores.
        let mut r = PlacementRecorder::new(vec![f(2.0), f(1.0)], None, 1, 15.0);
        for (a0, a1) in [(3, 0), (1, 4), (2, 3)] {
            for _ in 0..a0 {
                r.hosted(0, ClusterId(0), 1);
            }
            for _ in 0..a1 {
                r.hosted(1, ClusterId(0), 1);
            }
            r.scrape_end();
        }
        // Per-application peaks (3 and 4) would need 10 cores; the mix at the peak needs 7.
        assert_eq!(r.peak_sessions(0, ClusterId(0)), 3);
        assert_eq!(r.peak_sessions(1, ClusterId(0)), 4);
        assert_eq!(r.sessions_at_peak(0, ClusterId(0)), 2);
        assert_eq!(r.sessions_at_peak(1, ClusterId(0)), 3);
    }

    #[test]
    fn central_parts_count_on_the_central_cluster() {
        let f = AppFootprint {
            cpu_cores: 1.0,
            memory_gib: 1.0,
            central_cpu_cores: 0.5,
            central_memory_gib: 0.25,
        };
        let mut r = PlacementRecorder::new(vec![f], Some(ClusterId(0)), 3, 3600.0);
        r.hosted(0, ClusterId(1), 1);
        r.hosted(0, ClusterId(2), 1);
        r.hosted(0, ClusterId(2), 1);
        r.scrape_end();
        assert!((r.peak_cpu_cores(ClusterId(0)) - 1.5).abs() < 1e-12);
        assert!((r.peak_cpu_cores(ClusterId(2)) - 2.0).abs() < 1e-12);
        assert_eq!(r.peak_total_sessions(0), 3);
    }
}
