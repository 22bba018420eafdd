//! Faults: a cluster going down, a cluster losing nodes, links of a site degrading, a site
//! cut off. Sessions that a fault leaves without their resources are re-placed by the
//! strategy or dropped.

use super::booking;
use super::events::SEvent;
use super::network::Network;
use super::observer::{reason, SessionObserver};
use super::placement::{central_reachable, Parts, Placer};
use super::settings::FaultEffect;
use crate::engine::EventQueue;
use crate::model::ClusterId;
use crate::world::policy::Strategy;

/// Applies the start of fault `effect` to the network (link faults) or to the ledger
/// (cluster faults), then moves the sessions it hits.
pub fn fail<Q: EventQueue<SEvent>>(
    w: &mut Parts<'_, '_, Q>,
    placer: &mut Placer,
    effect: FaultEffect,
    strategy: &mut dyn Strategy,
    obs: &mut impl SessionObserver,
) {
    match effect {
        FaultEffect::ClusterDown(c) => {
            w.ledger.load_mut(c.ix()).down += 1;
            let hit = sessions_on(w, c);
            evict(
                w,
                placer,
                hit,
                Some(c),
                reason::CLUSTER_FAILED,
                strategy,
                obs,
            );
        }
        FaultEffect::NodeLoss(c, nodes) => {
            w.ledger.load_mut(c.ix()).lost_nodes += nodes;
            let hit = over_capacity(w, c);
            evict(w, placer, hit, Some(c), reason::NODE_LOST, strategy, obs);
        }
        FaultEffect::LinkDegradation(..) => {}
        FaultEffect::Partition(_) => {
            let p = w.p;
            let hit: Vec<u32> = w
                .roster
                .active()
                .iter()
                .copied()
                .filter(|&i| {
                    let s = w.roster.get(i);
                    let c = ClusterId(s.cluster);
                    !w.net.reachable(p, s.site, c)
                        || !central_reachable(p, w.ledger, w.net, c, &p.apps[s.app as usize])
                })
                .collect();
            evict(w, placer, hit, None, reason::PARTITIONED, strategy, obs);
        }
    }
}

/// The network part of a fault's start (before its sessions are moved).
pub fn fail_network(net: &mut Network, effect: FaultEffect) {
    match effect {
        FaultEffect::LinkDegradation(site, extra, factor) => net.degrade(site, extra, factor),
        FaultEffect::Partition(site) => net.partition(site, true),
        _ => {}
    }
}

/// Undoes a fault at its end.
pub fn recover(ledger: &mut super::ledger::Ledger, net: &mut Network, effect: FaultEffect) {
    match effect {
        FaultEffect::ClusterDown(c) => ledger.load_mut(c.ix()).down -= 1,
        FaultEffect::NodeLoss(c, nodes) => ledger.load_mut(c.ix()).lost_nodes -= nodes,
        FaultEffect::LinkDegradation(site, extra, factor) => net.restore(site, extra, factor),
        FaultEffect::Partition(site) => net.partition(site, false),
    }
}

/// Running sessions that hold anything on cluster `c`.
fn sessions_on<Q>(w: &Parts<'_, '_, Q>, c: ClusterId) -> Vec<u32> {
    let p = w.p;
    w.roster
        .active()
        .iter()
        .copied()
        .filter(|&i| {
            let s = w.roster.get(i);
            let app = &p.apps[s.app as usize];
            w.ledger.held_on(app, ClusterId(s.cluster), c) != (0.0, 0.0) || s.cluster == c.0
        })
        .collect()
}

/// The newest sessions on `c` whose reservations exceed what it offers after losing nodes.
fn over_capacity<Q>(w: &Parts<'_, '_, Q>, c: ClusterId) -> Vec<u32> {
    let p = w.p;
    let mut hit = sessions_on(w, c);
    hit.sort_by_key(|&i| {
        let s = w.roster.get(i);
        std::cmp::Reverse((s.since, s.seq))
    });
    let (cpu, mem) = w.ledger.capacity(c.ix());
    let l = w.ledger.load(c.ix());
    let (mut over_cpu, mut over_mem) = (l.used_cpu - cpu, l.used_mem - mem);
    let mut evicted = Vec::new();
    for i in hit {
        if over_cpu <= 1e-9 && over_mem <= 1e-9 {
            break;
        }
        let s = w.roster.get(i);
        let (cpu, mem) = w
            .ledger
            .held_on(&p.apps[s.app as usize], ClusterId(s.cluster), c);
        over_cpu -= cpu;
        over_mem -= mem;
        evicted.push(i);
    }
    evicted
}

/// Moves sessions off a failed resource: each is re-placed by the strategy (never on
/// `avoid`) or dropped for `why`.
fn evict<Q: EventQueue<SEvent>>(
    w: &mut Parts<'_, '_, Q>,
    placer: &mut Placer,
    slots: Vec<u32>,
    avoid: Option<ClusterId>,
    why: &'static str,
    strategy: &mut dyn Strategy,
    obs: &mut impl SessionObserver,
) {
    for slot in slots {
        booking::release(w.p, w.roster, w.ledger, w.now, slot, obs);
        w.roster.get_mut(slot).since = w.now;
        if placer.place(w, slot, avoid, strategy, obs).is_some() {
            obs.migrated(w.s.migration_downtime_s);
        } else {
            w.roster.finish(slot);
            obs.dropped(why);
        }
    }
}
