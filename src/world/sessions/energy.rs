//! Energy and carbon of every cluster, integrated over the run from the load the ledger
//! holds: at each monitoring scrape (and at the end of the run) the power of each cluster
//! now stands for the time since the previous one (integer ns), as a scrape's latency
//! sample stands for its interval. Power is [`crate::model::energy`]'s linear model at the
//! cluster's busy share (measured use: the idle baseline plus the sessions' work, as
//! contention takes it), times its site's PUE.
//!
//! Attribution to sessions: the dynamic part (above idle) by the sessions' share of the
//! busy cores (the baseline keeps the rest); the idle part by the share of the cluster's
//! schedulable cores the sessions reserve (the platform keeps the unreserved part, which
//! is why a half-empty cluster costs its sessions nothing for the empty half).

use super::ledger::Ledger;
use super::observer::{EnergySample, SessionObserver};
use crate::model::session_platform::SessionPlatform;
use crate::model::ClusterId;

/// Seconds per nanosecond.
const S_PER_NS: f64 = 1e-9;
/// Joules per kWh.
const J_PER_KWH: f64 = 3.6e6;

/// The time energy was last accounted up to.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnergyMeter {
    last_ns: u64,
}

impl EnergyMeter {
    /// Reports every existing cluster's energy from the last account to `now_ns`, at the
    /// load the ledger holds now.
    pub fn account(
        &mut self,
        p: &SessionPlatform,
        ledger: &Ledger,
        now_ns: u64,
        obs: &mut impl SessionObserver,
    ) {
        let dt_s = now_ns.saturating_sub(self.last_ns) as f64 * S_PER_NS;
        self.last_ns = self.last_ns.max(now_ns);
        if dt_s <= 0.0 {
            return;
        }
        for i in 0..ledger.len() {
            if let Some(e) = cluster_energy(p, ledger, i, dt_s) {
                obs.energy(ClusterId(i as u32), &e);
            }
        }
    }
}

/// Power of cluster `i` now, W: (IT power, the sessions' part of it); `None` while it is
/// down or absent (its machines are taken as off).
pub fn cluster_watts(p: &SessionPlatform, ledger: &Ledger, i: usize) -> Option<(f64, f64)> {
    let k = &p.topology.clusters[i];
    let l = ledger.load(i);
    if l.down > 0 || l.absent {
        return None;
    }
    let nodes = (k.nodes + l.extra_nodes).saturating_sub(l.lost_nodes) as f64;
    let cores = nodes * k.vcpu_per_node;
    if cores <= 0.0 {
        return None;
    }
    let busy = (k.baseline_cpu_cores + l.busy_cpu) / k.cpu_speed_ratio;
    let u = busy / cores;
    let idle_w = nodes * k.power.node.idle_w;
    let dynamic_w = nodes * k.power.node.dynamic_w(u);
    let sessions_busy = if busy > 0.0 {
        l.busy_cpu / k.cpu_speed_ratio / busy
    } else {
        0.0
    };
    let reserved = ledger.capacity(i).0;
    let sessions_reserved = if reserved > 0.0 {
        (l.used_cpu / reserved).min(1.0)
    } else {
        0.0
    };
    Some((
        idle_w + dynamic_w,
        idle_w * sessions_reserved + dynamic_w * sessions_busy,
    ))
}

/// Cluster `i`'s energy over `dt_s` seconds at its power now.
fn cluster_energy(
    p: &SessionPlatform,
    ledger: &Ledger,
    i: usize,
    dt_s: f64,
) -> Option<EnergySample> {
    let (it_w, session_w) = cluster_watts(p, ledger, i)?;
    let power = &p.topology.clusters[i].power;
    let facility_j = it_w * power.pue * dt_s;
    let session_j = session_w * power.pue * dt_s;
    let g_per_j = power.grid_gco2e_per_kwh / J_PER_KWH;
    Some(EnergySample {
        it_j: it_w * dt_s,
        facility_j,
        session_j,
        carbon_g: facility_j * g_per_j,
        session_carbon_g: session_j * g_per_j,
    })
}
