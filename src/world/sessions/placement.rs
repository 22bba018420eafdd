//! Placement and migration: the strategy ranks clusters on the monitored view, and the
//! session is admitted on the first ranked one that is reachable, can carry its flows,
//! is peered and really has room. Migrations proposed by the strategy are applied the
//! same way.

use super::booking;
use super::control::Control;
use super::events::SEvent;
use super::ledger::Ledger;
use super::monitor::Monitor;
use super::network::Network;
use super::observer::SessionObserver;
use super::roster::{Roster, State};
use super::settings::SessionSettings;
use crate::engine::{EventQueue, SimTime};
use crate::model::session::SessionApp;
use crate::model::session_platform::{path_refuses, SessionPlatform};
use crate::model::ClusterId;
use crate::world::policy::{
    Move, PlacementRequest, RebalanceContext, SessionView, Strategy, UserGroup,
};
use std::collections::HashMap;

/// The parts placement reads and books into, borrowed from the world for one decision.
pub struct Parts<'w, 'a, Q> {
    /// The platform.
    pub p: &'a SessionPlatform,
    /// Run settings.
    pub s: &'a SessionSettings,
    /// Sessions.
    pub roster: &'w mut Roster,
    /// Reservations.
    pub ledger: &'w mut Ledger<'a>,
    /// Faults on the network.
    pub net: &'w Network,
    /// Peering and standby clusters.
    pub control: &'w mut Control<'a>,
    /// The monitored view.
    pub monitor: &'w Monitor,
    /// Where peerings schedule their completion.
    pub queue: &'w mut Q,
    /// Now.
    pub now: SimTime,
}

/// Reused buffers of placement.
#[derive(Default)]
pub struct Placer {
    ranked: Vec<ClusterId>,
    views: Vec<SessionView>,
    moves: Vec<Move>,
}

/// Whether cluster `c` reaches the central cluster `app` needs (partitions cut sites off).
pub fn central_reachable(
    p: &SessionPlatform,
    ledger: &Ledger,
    net: &Network,
    c: ClusterId,
    app: &SessionApp,
) -> bool {
    ledger
        .central_of(app)
        .is_none_or(|k| net.reachable(p, p.topology.cluster(k).site.0, c))
}

impl Placer {
    /// Asks the strategy and admits the session in `slot` on the first ranked cluster that
    /// fits, never on `avoid`. Returns the cluster, or `None` if nothing fits.
    pub fn place<Q: EventQueue<SEvent>>(
        &mut self,
        w: &mut Parts<'_, '_, Q>,
        slot: u32,
        avoid: Option<ClusterId>,
        strategy: &mut dyn Strategy,
        obs: &mut impl SessionObserver,
    ) -> Option<ClusterId> {
        let p = w.p;
        let sess = *w.roster.get(slot);
        let app = &p.apps[sess.app as usize];
        let candidates = &p.candidates[sess.site as usize];
        let req = request_for(p, w.roster, slot);
        let view = w.monitor.view(w.p);
        self.ranked.clear();
        strategy.place(&req, &view, &mut self.ranked);
        let mut chosen = None;
        for &c in &self.ranked {
            let Some(pos) = candidates.iter().position(|k| k.cluster == c) else {
                continue;
            };
            let cand = &candidates[pos];
            if Some(c) == avoid
                || !w.net.reachable(p, sess.site, c)
                || !central_reachable(p, w.ledger, w.net, c, app)
            {
                continue;
            }
            if !req.allowed(cand) {
                obs.udp_refused();
                continue;
            }
            if cand.cross_cluster
                && !w
                    .control
                    .peering_ready(w.now, candidates[0].cluster, c, w.queue)
            {
                continue;
            }
            if w.ledger.fits(c, app) {
                chosen = Some((c, pos as u32));
                break;
            }
        }
        if w.control.has_standby() {
            let served = chosen.is_some_and(|(_, pos)| {
                req.estimate_ms(&candidates[pos as usize], &view) <= req.slo_latency_ms
            });
            if !served {
                let wanted = candidates.iter().find_map(|k| {
                    let i = w.control.waiting_standby(w.ledger, k.cluster)?;
                    (req.estimate_ms(k, &view) <= req.slo_latency_ms).then_some(i)
                });
                if let Some(i) = wanted {
                    w.control.note_demand(i);
                }
            }
        }
        let (c, pos) = chosen?;
        if candidates[pos as usize].cross_cluster {
            obs.offloaded();
        }
        let penalty = req.users.penalty_ms(&candidates[pos as usize]);
        booking::hold(w.roster, w.ledger, slot, (c, pos), penalty);
        Some(c)
    }

    /// Offers the running plan to the strategy and applies the moves that are possible.
    pub fn rebalance<Q: EventQueue<SEvent>>(
        &mut self,
        w: &mut Parts<'_, '_, Q>,
        strategy: &mut dyn Strategy,
        obs: &mut impl SessionObserver,
    ) {
        let p = w.p;
        self.views.clear();
        self.moves.clear();
        let roster = &*w.roster;
        self.views.extend(roster.active().iter().map(|&slot| {
            let s = roster.get(slot);
            SessionView {
                id: s.seq,
                app: s.app,
                site: s.site,
                cluster: ClusterId(s.cluster),
                others_start: roster.others_start(slot),
                others_len: s.others_len,
            }
        }));
        let plan = RebalanceContext {
            sessions: &self.views,
            apps: &p.apps,
            candidates: &p.candidates,
            access_ms: &p.access_ms,
            slo_latency_ms: p.slo_latency_ms,
            cross_refused: &p.cross_refused,
            central_refused: &p.central_refused,
            user_sites: roster.user_sites(),
            near_access: &p.near_access,
            central: p.central,
        };
        strategy.rebalance(&plan, &w.monitor.view(w.p), &mut self.moves);
        if self.moves.is_empty() {
            return;
        }
        let slot_of: HashMap<u64, u32> = roster
            .active()
            .iter()
            .map(|&slot| (roster.get(slot).seq, slot))
            .collect();
        for m in std::mem::take(&mut self.moves) {
            if let Some(&slot) = slot_of.get(&m.session) {
                try_move(w, slot, m.to, obs);
            }
        }
    }
}

/// The placement request of the session in `slot`: what a strategy is asked to rank.
pub fn request_for<'r>(
    p: &'r SessionPlatform,
    roster: &'r Roster,
    slot: u32,
) -> PlacementRequest<'r> {
    let sess = roster.get(slot);
    let a = sess.app as usize;
    PlacementRequest {
        app: &p.apps[a],
        app_index: a,
        access_ms: p.topology.sites[sess.site as usize].access_latency_ms,
        candidates: &p.candidates[sess.site as usize],
        slo_latency_ms: p.slo_latency_ms,
        cross_refused: p.cross_refused[a],
        central_refused: p.central_refused[a],
        users: user_group(p, roster, slot),
        central: p.central,
    }
}

/// The users of the session in `slot`.
pub fn user_group<'r>(p: &'r SessionPlatform, roster: &'r Roster, slot: u32) -> UserGroup<'r> {
    let s = roster.get(slot);
    UserGroup {
        first: s.site,
        others: roster.others(slot),
        access_ms: &p.access_ms,
        near: &p.near_access[s.site as usize],
    }
}

/// Moves the session in `slot` to `to` if that is one of its candidates, its path can
/// carry the flows and `to` really has room.
fn try_move<Q: EventQueue<SEvent>>(
    w: &mut Parts<'_, '_, Q>,
    slot: u32,
    to: ClusterId,
    obs: &mut impl SessionObserver,
) {
    let p = w.p;
    let s = *w.roster.get(slot);
    if s.state != State::Active || s.cluster == to.0 {
        return;
    }
    let cands = &p.candidates[s.site as usize];
    let Some(pos) = cands.iter().position(|c| c.cluster == to) else {
        return;
    };
    let app = &p.apps[s.app as usize];
    let a = s.app as usize;
    if path_refuses(
        &cands[pos],
        p.cross_refused[a],
        p.central,
        p.central_refused[a],
    ) || !w.ledger.fits(to, app)
    {
        return;
    }
    let transfer_s = state_transfer_s(p, app, ClusterId(s.cluster), to);
    booking::release(p, w.roster, w.ledger, w.now, slot, obs);
    w.roster.get_mut(slot).since = w.now;
    let penalty = user_group(p, w.roster, slot).penalty_ms(&cands[pos]);
    booking::hold(w.roster, w.ledger, slot, (to, pos as u32), penalty);
    obs.migrated(w.s.migration_downtime_s + transfer_s);
    if cands[pos].cross_cluster {
        obs.offloaded();
    }
}

/// Time to copy a session's state from cluster `from` to `to` during a live migration:
/// one round trip to set up the copy plus the state at the slower site's bandwidth, s.
fn state_transfer_s(p: &SessionPlatform, app: &SessionApp, from: ClusterId, to: ClusterId) -> f64 {
    if app.state_mib <= 0.0 {
        return 0.0;
    }
    let (a, b) = (
        p.topology.cluster(from).site.ix(),
        p.topology.cluster(to).site.ix(),
    );
    let gbps = p.site_bandwidth_gbps[a].min(p.site_bandwidth_gbps[b]);
    p.site_rtt_ms(a as u32, b as u32) / 1e3 + app.state_mib * 8.0 / (gbps * 1e3)
}
