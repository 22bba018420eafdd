//! Booking a session onto a cluster and off it again: the roster's record of where it
//! runs and the ledger's reservations change together, and a release reports what the
//! session's stay cost.

use super::ledger::Ledger;
use super::observer::SessionObserver;
use super::roster::Roster;
use crate::engine::SimTime;
use crate::model::session_platform::SessionPlatform;
use crate::model::topology::Cluster;
use crate::model::ClusterId;

/// Price of inter-site egress, USD per GB (public inter-region list price).
pub const EGRESS_USD_PER_GB: f64 = 0.02;

/// Runs the session in `slot` on candidate `cand` (cluster `c`) of its site, its other
/// users `penalty_ms` worse off.
pub fn hold(
    roster: &mut Roster,
    ledger: &mut Ledger,
    slot: u32,
    (c, cand): (ClusterId, u32),
    penalty_ms: f64,
) {
    let s = roster.get(slot);
    ledger.hold(s.app, (s.site, cand), c);
    roster.activate(slot, c.0, cand, penalty_ms);
}

/// Frees the session in `slot` at `now` and reports what its stay cost. The slot stays
/// allocated (the session may be placed again, or the caller ends it).
pub fn release(
    p: &SessionPlatform,
    roster: &mut Roster,
    ledger: &mut Ledger,
    now: SimTime,
    slot: u32,
    obs: &mut impl SessionObserver,
) {
    let s = *roster.get(slot);
    let c = ClusterId(s.cluster);
    ledger.release(s.app, (s.site, s.cand), c);
    roster.deactivate(slot);
    let hours = (now - s.since).as_secs_f64() / 3600.0;
    let stay = stay_cost(p, s.app, s.site, c, hours);
    obs.cost(stay.vcpu_hours, stay.gib_hours, stay.usd, stay.egress_gb);
}

/// What a stay of a session costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StayCost {
    /// Reserved vCPU-hours.
    pub vcpu_hours: f64,
    /// Reserved GiB-hours.
    pub gib_hours: f64,
    /// Price of the reservations and the egress, USD.
    pub usd: f64,
    /// Inter-site egress, GB.
    pub egress_gb: f64,
}

/// The cost of `hours` of a session of application `app` whose first user is at `site`,
/// run on cluster `c` (its central components, if any, on the central cluster): what
/// [`release`] reports, and what a learning agent is charged when it places a session.
pub fn stay_cost(p: &SessionPlatform, app: u32, site: u32, c: ClusterId, hours: f64) -> StayCost {
    let app = &p.apps[app as usize];
    let k = p.topology.cluster(c);
    let (vcpu_h, gib_h) = (app.cpu_cores * hours, app.memory_mib / 1024.0 * hours);
    let price = |k: &Cluster, cpu: f64, mem_mib: f64| {
        hours * (cpu * k.cost_per_vcpu_hour_usd + mem_mib / 1024.0 * k.cost_per_gib_hour_usd)
    };
    let usd = match p.central.filter(|_| app.has_central) {
        Some(central) => {
            let (cpu, mem) = app.local_resources();
            price(k, cpu, mem)
                + price(
                    p.topology.cluster(central),
                    app.central_cpu_cores,
                    app.central_memory_mib,
                )
        }
        None => price(k, app.cpu_cores, app.memory_mib),
    };
    let egress_gb = if k.site.ix() as u32 != site {
        app.bitrate_mbps * hours * 3600.0 / 8.0 / 1000.0
    } else {
        0.0
    };
    StayCost {
        vcpu_hours: vcpu_h,
        gib_hours: gib_h,
        usd: usd + egress_gb * EGRESS_USD_PER_GB,
        egress_gb,
    }
}
