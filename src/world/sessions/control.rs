//! The control loop's actions besides placement: scaling clusters out and in through
//! Cluster API, creating and deleting standby clusters, and Liqo peerings made on demand.
//! It acts on the monitored view (after the aggregation lag) and books what it adds.

use super::events::SEvent;
use super::ledger::Ledger;
use super::monitor::Monitor;
use super::observer::SessionObserver;
use super::settings::{ControlSettings, SessionSettings};
use crate::engine::RadixQueue;
use crate::engine::{EventQueue, RngStreams, SimDuration, SimTime, StreamRng};
use crate::model::provisioning::{CapiModel, ClusterSpec};
use crate::model::session_platform::SessionPlatform;
use crate::model::ClusterId;
use crate::world::provisioning::{ProvisioningReport, ProvisioningWorld};
use rand::Rng;
use std::collections::{BTreeSet, HashMap};

/// The control loop's state of a standby cluster.
#[derive(Debug, Clone, Copy, Default)]
struct Standby {
    /// Its creation is under way.
    creating: bool,
    /// Since when the created cluster has held no session.
    idle_since: Option<SimTime>,
    /// Unserved sessions it would have served within budget, since the last decision.
    demand: u32,
}

/// Scaling, cluster creation and peering state of one run.
pub struct Control<'a> {
    p: &'a SessionPlatform,
    c: &'a ControlSettings,
    rng: StreamRng,
    standby: Vec<Standby>,
    /// Position of each cluster in the platform's `standby` (`u32::MAX` if none); empty when
    /// there are no standby clusters.
    standby_of: Vec<u32>,
    /// Clusters that ever gained nodes by autoscaling (their added capacity is billed).
    scaled: BTreeSet<u32>,
    scale_in_pending: Vec<u32>,
    /// (home cluster, other cluster) -> established, for on-demand peering.
    peerings: HashMap<(u32, u32), bool>,
    peering_list: Vec<(u32, u32)>,
}

impl<'a> Control<'a> {
    /// Nothing scaled, created or peered yet.
    pub fn new(p: &'a SessionPlatform, s: &'a SessionSettings, rng: StreamRng) -> Self {
        let mut standby_of = Vec::new();
        if !p.standby.is_empty() {
            standby_of = vec![u32::MAX; p.topology.clusters.len()];
            for (i, &c) in p.standby.iter().enumerate() {
                standby_of[c.ix()] = i as u32;
            }
        }
        Control {
            p,
            c: &s.control,
            rng,
            standby: vec![Standby::default(); p.standby.len()],
            standby_of,
            scaled: BTreeSet::new(),
            scale_in_pending: Vec::new(),
            peerings: HashMap::new(),
            peering_list: Vec::new(),
        }
    }

    /// Whether there are standby clusters to create.
    pub fn has_standby(&self) -> bool {
        !self.p.standby.is_empty()
    }

    /// Standby cluster `c` waits to be created (exists in the plan, not yet asked for).
    pub fn waiting_standby(&self, ledger: &Ledger, c: ClusterId) -> Option<u32> {
        let i = *self.standby_of.get(c.ix())?;
        (i != u32::MAX && ledger.load(c.ix()).absent && !self.standby[i as usize].creating)
            .then_some(i)
    }

    /// An unserved session would have been served within budget by standby cluster `i`.
    pub fn note_demand(&mut self, i: u32) {
        self.standby[i as usize].demand += 1;
    }

    /// Whether the Liqo peering from `home` to `other` exists; with on-demand peering the
    /// first request starts it (it becomes usable after the peering delay).
    pub fn peering_ready(
        &mut self,
        now: SimTime,
        home: ClusterId,
        other: ClusterId,
        queue: &mut impl EventQueue<SEvent>,
    ) -> bool {
        if !self.c.on_demand_peering {
            return true;
        }
        let key = (home.0, other.0);
        match self.peerings.get(&key) {
            Some(&ready) => ready,
            None => {
                self.peerings.insert(key, false);
                self.peering_list.push(key);
                let at = now + self.c.peering_delay;
                queue.push(at, SEvent::Peered(self.peering_list.len() as u32 - 1));
                false
            }
        }
    }

    /// Peering number `i` is established.
    pub fn peered(&mut self, i: u32, obs: &mut impl SessionObserver) {
        let pair = self.peering_list[i as usize];
        self.peerings.insert(pair, true);
        obs.peered();
    }

    /// A scale-out of cluster `c` by `n` nodes finished (`ok`: they came up).
    pub fn nodes_ready(
        &mut self,
        ledger: &mut Ledger,
        c: u32,
        n: u32,
        ok: bool,
        obs: &mut impl SessionObserver,
    ) {
        let l = ledger.load_mut(c as usize);
        l.pending_nodes -= n;
        if ok {
            l.extra_nodes += n;
            self.scaled.insert(c);
        }
        obs.scaled(if ok { n as i64 } else { 0 }, !ok);
    }

    /// Scale-out and scale-in decisions on the monitored view (reserved share of CPU).
    pub fn autoscale(
        &mut self,
        now: SimTime,
        ledger: &mut Ledger,
        monitor: &Monitor,
        queue: &mut impl EventQueue<SEvent>,
    ) {
        let c = self.c;
        for i in 0..ledger.len() {
            let o = *monitor.visible(i);
            let cap = ledger.capacity(i).0;
            let l = *ledger.load(i);
            let cooling = now < l.cool_until;
            if !o.up || cap <= 0.0 || cooling || l.pending_nodes > 0 {
                continue;
            }
            let share = 1.0 - o.free_cpu_cores / cap;
            if share > c.scale_out_util && l.extra_nodes + c.step_nodes <= c.max_extra_nodes {
                let (ok, delay) = self.scale_out_time(i, c.step_nodes);
                let l = ledger.load_mut(i);
                l.pending_nodes += c.step_nodes;
                l.cool_until = now + c.cooldown;
                queue.push(now + delay, SEvent::NodesReady(i as u32, c.step_nodes, ok));
            } else if share < c.scale_in_util && l.extra_nodes >= c.step_nodes {
                let k = &self.p.topology.clusters[i];
                let per_node = k.schedulable_cpu_cores / k.nodes as f64;
                let mem_per_node = k.schedulable_memory_mib / k.nodes as f64;
                let (cpu, mem) = ledger.capacity(i);
                let step = c.step_nodes as f64;
                if l.used_cpu <= cpu - step * per_node && l.used_mem <= mem - step * mem_per_node {
                    let l = ledger.load_mut(i);
                    l.extra_nodes -= c.step_nodes;
                    l.cool_until = now + c.cooldown;
                    self.scale_in_pending.push(c.step_nodes);
                }
            }
        }
    }

    /// Creates standby clusters that unserved sessions ask for and deletes created clusters
    /// that stayed empty for `deprovision_idle` (checked on the cluster itself, as a
    /// controller would before deleting).
    pub fn provision(
        &mut self,
        now: SimTime,
        ledger: &mut Ledger,
        queue: &mut impl EventQueue<SEvent>,
        obs: &mut impl SessionObserver,
    ) {
        for i in 0..self.p.standby.len() {
            let c = self.p.standby[i].ix();
            let (l, st) = (*ledger.load(c), self.standby[i]);
            if l.absent && !st.creating && st.demand >= self.c.provision_after_sessions {
                let (ok, delay) = self.creation_time(c);
                self.standby[i].creating = true;
                let at = now + delay + self.c.peering_delay;
                queue.push(at, SEvent::ClusterUp(c as u32, ok));
            } else if !l.absent {
                let empty = l.used_cpu <= 1e-9 && l.used_mem <= 1e-9 && l.pending_nodes == 0;
                let since = st.idle_since.unwrap_or(now);
                self.standby[i].idle_since = empty.then_some(since);
                if empty && now - since >= self.c.deprovision_idle {
                    let l = ledger.load_mut(c);
                    l.absent = true;
                    l.extra_nodes = 0;
                    self.standby[i].idle_since = None;
                    obs.deprovisioned();
                }
            }
            self.standby[i].demand = 0;
        }
    }

    /// A standby cluster's creation finished: it takes sessions if its machines came up.
    pub fn cluster_up(
        &mut self,
        now: SimTime,
        ledger: &mut Ledger,
        c: u32,
        ok: bool,
        obs: &mut impl SessionObserver,
    ) {
        let st = &mut self.standby[self.standby_of[c as usize] as usize];
        st.creating = false;
        if ok {
            st.idle_since = Some(now);
            ledger.load_mut(c as usize).absent = false;
        }
        obs.provisioned(ok);
    }

    /// Charges the capacity the control loop added (scale-outs, created clusters) over the
    /// last scrape interval of `hours`, in cluster order.
    pub fn charge_added_capacity(
        &mut self,
        ledger: &Ledger,
        hours: f64,
        obs: &mut impl SessionObserver,
    ) {
        for n in self.scale_in_pending.drain(..) {
            obs.scaled(-(n as i64), false);
        }
        if self.scaled.is_empty() && self.p.standby.is_empty() {
            return;
        }
        let mut billed: Vec<u32> = self.p.standby.iter().map(|c| c.0).collect();
        billed.extend(self.scaled.iter().copied());
        billed.sort_unstable();
        billed.dedup();
        for i in billed {
            let i = i as usize;
            let k = &self.p.topology.clusters[i];
            let l = ledger.load(i);
            // A created cluster is added capacity as a whole (billed from its creation);
            // any other cluster only for the nodes autoscaling added.
            let standby = self.standby_of.get(i).map_or(u32::MAX, |&x| x);
            let (base_cpu, base_mem, added_nodes) = if standby != u32::MAX {
                let exists = !l.absent || self.standby[standby as usize].creating;
                (0.0, 0.0, if exists { k.nodes + l.extra_nodes } else { 0 })
            } else {
                (k.cpu_cores, k.memory_mib, l.extra_nodes)
            };
            if added_nodes == 0 {
                continue;
            }
            let share = added_nodes as f64 / k.nodes as f64;
            let (cpu, mem) = (k.cpu_cores * share, k.memory_mib * share);
            // Reservations on the added capacity are billed with their sessions; the
            // unreserved rest is billed here, so every vCPU-hour is charged once.
            let idle_cpu = (cpu - (l.used_cpu - base_cpu).max(0.0)).max(0.0);
            let idle_mem = (mem - (l.used_mem - base_mem).max(0.0)).max(0.0);
            obs.added_capacity(
                cpu * hours,
                hours
                    * (idle_cpu * k.cost_per_vcpu_hour_usd
                        + idle_mem / 1024.0 * k.cost_per_gib_hour_usd),
            );
        }
    }

    /// How long creating standby cluster `i` takes, by running the Cluster API model: from
    /// the Cluster object to every node Ready. `false` if the machines failed.
    fn creation_time(&mut self, i: usize) -> (bool, SimDuration) {
        let workers = self.p.topology.clusters[i].nodes.saturating_sub(1);
        match self.run_capi(self.capi_spec(i, workers)).first_ready {
            Some(all) => (true, all - SimTime::ZERO),
            None => (
                false,
                SimDuration::from_secs_f64(self.c.capi.machine_start_timeout_s),
            ),
        }
    }

    /// Cluster API spec of cluster `i` (its distribution, provider and node shape) with one
    /// control-plane node and `workers` workers.
    fn capi_spec(&self, i: usize, workers: u32) -> ClusterSpec {
        let k = &self.p.topology.clusters[i];
        ClusterSpec {
            distribution: k.distribution,
            provider: k.provider,
            control_plane_nodes: 1,
            workers,
            vcpu_per_node: k.cpu_cores / k.nodes as f64,
        }
    }

    /// Runs the Cluster API model on `spec` with a seed from the control-loop stream.
    fn run_capi(&mut self, spec: ClusterSpec) -> ProvisioningReport {
        let model = CapiModel::new(&self.c.capi, spec.provider, spec.distribution);
        let streams = RngStreams::new(self.rng.random(), 0);
        ProvisioningWorld::new(
            spec,
            model,
            Vec::new(),
            SimDuration::from_secs_f64(86_400.0),
            streams,
            RadixQueue::new(),
        )
        .run()
    }

    /// How long a scale-out of cluster `i` by `nodes` takes, by running the Cluster API
    /// model: from the MachineDeployment change to the new nodes Ready (the control
    /// plane exists already). `false` if the machines failed.
    fn scale_out_time(&mut self, i: usize, nodes: u32) -> (bool, SimDuration) {
        let spec = self.capi_spec(i, nodes);
        let reconcile = CapiModel::new(&self.c.capi, spec.provider, spec.distribution).reconcile_ns;
        let report = self.run_capi(spec);
        match (report.first_ready, report.control_plane_ready) {
            (Some(all), Some(cp)) => (true, SimDuration(reconcile) + (all - cp)),
            _ => (
                false,
                SimDuration::from_secs_f64(self.c.capi.machine_start_timeout_s),
            ),
        }
    }
}
