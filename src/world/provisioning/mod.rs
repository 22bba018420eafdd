//! Cluster API provisioning as events: reconcile -> cluster infrastructure -> control-plane
//! machine -> control plane initialised -> worker machines (at most `concurrency` created
//! at once, slower when many are) -> workers join in parallel (slower when many do) ->
//! CNI ready -> node Ready. Machines that do not start or join in time fail and are
//! recreated up to `max_retries` times; then the job fails with the reason. Scripted
//! actions scale the MachineDeployment or delete the cluster.
//!
//! Only Ready nodes count as capacity. Every job ends Ready, Failed (with a reason) or
//! Deleted.

use crate::base::units::round_to_u64;
use crate::engine::{EventQueue, RngStreams, SimDuration, SimTime, StreamRng};
use crate::model::provisioning::{CapiModel, ClusterSpec};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use std::collections::VecDeque;

pub use events::{Action, Outcome, PEvent, Phase, ProvisioningReport, Role, TraceEvent};

mod events;

#[derive(Debug, Clone, Copy)]
struct Machine {
    role: Role,
    phase: Phase,
    attempt: u32,
    joining: bool,
}

/// The state of one cluster being provisioned.
pub struct ProvisioningWorld<Q> {
    spec: ClusterSpec,
    m: CapiModel,
    actions: Vec<(SimTime, Action)>,
    horizon: SimTime,
    queue: Q,
    machines: Vec<Machine>,
    creation_queue: VecDeque<u32>,
    creating: u32,
    joining: u32,
    cp_up: bool,
    ready_nodes: u32,
    outcome: Option<Outcome>,
    report: ProvisioningReport,
    rng_time: StreamRng,
    rng_fail: StreamRng,
}

impl<Q: EventQueue<PEvent>> ProvisioningWorld<Q> {
    /// A job that applies `spec` at time zero and runs at most until `horizon`.
    pub fn new(
        spec: ClusterSpec,
        model: CapiModel,
        actions: Vec<(SimTime, Action)>,
        horizon: SimDuration,
        streams: RngStreams,
        queue: Q,
    ) -> Self {
        let cp = Machine {
            role: Role::ControlPlane,
            phase: Phase::Waiting,
            attempt: 0,
            joining: false,
        };
        let worker = Machine {
            role: Role::Worker,
            ..cp
        };
        let mut machines = vec![cp; spec.control_plane_nodes as usize];
        machines.extend(std::iter::repeat_n(worker, spec.workers as usize));
        ProvisioningWorld {
            spec,
            m: model,
            actions,
            horizon: SimTime::ZERO + horizon,
            queue,
            machines,
            creation_queue: VecDeque::new(),
            creating: 0,
            joining: 0,
            cp_up: false,
            ready_nodes: 0,
            outcome: None,
            report: ProvisioningReport {
                outcome: Outcome::Failed(String::new()),
                control_plane_ready: None,
                first_ready: None,
                retries: 0,
                events: 0,
                trace: Vec::new(),
            },
            rng_time: streams.stream("capi-timing"),
            rng_fail: streams.stream("capi-failure"),
        }
    }

    /// Runs the job to its end and reports.
    pub fn run(self) -> ProvisioningReport {
        self.run_with_progress(&mut |_| {})
    }

    /// [`Self::run`], telling `reached` the simulated time (ns) of every event handled, so a
    /// progress display moves inside the run.
    pub fn run_with_progress(mut self, reached: &mut dyn FnMut(u64)) -> ProvisioningReport {
        self.trace(SimTime::ZERO, "cluster-applied", None);
        let infra = self.draw(self.m.reconcile_ns) + self.draw(self.m.infra_ns);
        self.queue.push(SimTime(infra), PEvent::InfraReady);
        for (i, (at, _)) in self.actions.iter().enumerate() {
            self.queue.push(*at, PEvent::Act(i as u32));
        }
        while let Some((now, ev)) = self.queue.pop() {
            if now > self.horizon
                || matches!(self.outcome, Some(Outcome::Failed(_) | Outcome::Deleted(_)))
            {
                break;
            }
            self.report.events += 1;
            self.handle(now, ev);
            reached(now.0);
        }
        self.report.outcome = match self.outcome.take() {
            Some(o) => o,
            None => Outcome::Failed(format!(
                "not all nodes Ready within the experiment's {} s",
                self.horizon.0 / 1_000_000_000
            )),
        };
        self.report
    }

    fn handle(&mut self, now: SimTime, ev: PEvent) {
        match ev {
            PEvent::InfraReady => {
                self.trace(now, "infrastructure-ready", None);
                self.enqueue(now, 0);
            }
            PEvent::Created(i, a) if self.is(i, a, Phase::Creating) => self.created(now, i),
            PEvent::Booted(i, a) if self.is(i, a, Phase::Bootstrapping) => self.booted(now, i),
            PEvent::ControlPlaneUp(i, a) if self.is(i, a, Phase::Bootstrapping) => {
                self.cp_up = true;
                self.trace(now, "control-plane-initialized", Some(i));
                self.registered(now, i);
                let waiting: Vec<u32> = (0..self.machines.len() as u32)
                    .filter(|&w| self.machines[w as usize].role == Role::Worker)
                    .collect();
                for w in waiting {
                    self.enqueue(now, w);
                }
            }
            PEvent::Joined(i, a) if self.is(i, a, Phase::Bootstrapping) => {
                self.stop_joining(i);
                self.registered(now, i);
            }
            PEvent::NodeReady(i, a) if self.is(i, a, Phase::Registered) => self.node_ready(now, i),
            PEvent::StartTimeout(i, a) if self.is(i, a, Phase::Creating) => {
                self.creating -= 1;
                self.fail_machine(now, i, "server not ACTIVE before the machine start timeout");
                self.start_creations(now);
            }
            PEvent::JoinTimeout(i, a) if self.is(i, a, Phase::Bootstrapping) => {
                self.stop_joining(i);
                self.fail_machine(now, i, "node did not join before the node join timeout");
            }
            PEvent::Act(k) => self.act(now, self.actions[k as usize].1),
            _ => {}
        }
    }

    fn is(&self, i: u32, attempt: u32, phase: Phase) -> bool {
        let m = &self.machines[i as usize];
        m.attempt == attempt && m.phase == phase
    }

    /// A log-normal duration with median `median_ns`.
    fn draw(&mut self, median_ns: u64) -> u64 {
        if self.m.sigma == 0.0 {
            return median_ns;
        }
        let z: f64 = StandardNormal.sample(&mut self.rng_time);
        round_to_u64(median_ns as f64 * (self.m.sigma * z.clamp(-4.0, 4.0)).exp())
    }

    /// Puts a machine in line for a creation slot, if it may be created now: a worker
    /// needs the control plane's bootstrap data, control-plane machines go one at a time.
    fn enqueue(&mut self, now: SimTime, i: u32) {
        let m = &mut self.machines[i as usize];
        if m.phase != Phase::Waiting || (m.role == Role::Worker && !self.cp_up) {
            return;
        }
        m.phase = Phase::Queued;
        self.creation_queue.push_back(i);
        self.start_creations(now);
    }

    fn start_creations(&mut self, now: SimTime) {
        while self.creating < self.m.concurrency {
            let Some(i) = self.creation_queue.pop_front() else {
                break;
            };
            if self.machines[i as usize].phase != Phase::Queued {
                continue;
            }
            self.creating += 1;
            let attempt = self.machines[i as usize].attempt;
            self.machines[i as usize].phase = Phase::Creating;
            self.trace(now, "machine-creating", Some(i));
            let hung = self.rng_fail.random::<f64>() < self.m.machine_failure_prob;
            if !hung {
                let t = self.draw(self.m.create_ns)
                    + (self.creating as u64 - 1) * self.m.create_contention_ns;
                self.queue
                    .push(SimTime(now.0 + t), PEvent::Created(i, attempt));
            }
            self.queue.push(
                SimTime(now.0 + self.m.start_timeout_ns),
                PEvent::StartTimeout(i, attempt),
            );
        }
    }

    fn created(&mut self, now: SimTime, i: u32) {
        self.creating -= 1;
        self.machines[i as usize].phase = Phase::Bootstrapping;
        self.trace(now, "machine-running", Some(i));
        let attempt = self.machines[i as usize].attempt;
        let boot = self.draw(self.m.boot_ns);
        self.queue
            .push(SimTime(now.0 + boot), PEvent::Booted(i, attempt));
        self.start_creations(now);
    }

    fn booted(&mut self, now: SimTime, i: u32) {
        let attempt = self.machines[i as usize].attempt;
        self.trace(now, "bootstrap-started", Some(i));
        self.queue.push(
            SimTime(now.0 + self.m.join_timeout_ns),
            PEvent::JoinTimeout(i, attempt),
        );
        if self.rng_fail.random::<f64>() < self.m.join_failure_prob {
            return;
        }
        if !self.cp_up && self.machines[i as usize].role == Role::ControlPlane {
            let t = self.draw(self.m.cp_init_ns);
            self.queue
                .push(SimTime(now.0 + t), PEvent::ControlPlaneUp(i, attempt));
            return;
        }
        self.joining += 1;
        self.machines[i as usize].joining = true;
        let t = self.draw(self.m.join_ns) + (self.joining as u64 - 1) * self.m.join_contention_ns;
        self.queue
            .push(SimTime(now.0 + t), PEvent::Joined(i, attempt));
    }

    fn stop_joining(&mut self, i: u32) {
        let m = &mut self.machines[i as usize];
        if m.joining {
            m.joining = false;
            self.joining -= 1;
        }
    }

    fn registered(&mut self, now: SimTime, i: u32) {
        self.machines[i as usize].phase = Phase::Registered;
        self.trace(now, "node-registered", Some(i));
        let attempt = self.machines[i as usize].attempt;
        let t = self.draw(self.m.cni_ns);
        self.queue
            .push(SimTime(now.0 + t), PEvent::NodeReady(i, attempt));
    }

    fn node_ready(&mut self, now: SimTime, i: u32) {
        debug_assert!(
            self.cp_up,
            "a node is Ready only once its control plane serves"
        );
        self.machines[i as usize].phase = Phase::Ready;
        self.ready_nodes += 1;
        self.trace(now, "node-ready", Some(i));
        if self.machines[i as usize].role == Role::ControlPlane {
            self.report.control_plane_ready.get_or_insert(now);
            if let Some(next) = self.next_waiting(Role::ControlPlane) {
                self.enqueue(now, next);
            }
        }
        self.check_ready(now);
    }

    fn next_waiting(&self, role: Role) -> Option<u32> {
        self.machines
            .iter()
            .position(|m| m.role == role && m.phase == Phase::Waiting)
            .map(|p| p as u32)
    }

    fn check_ready(&mut self, now: SimTime) {
        let alive = self
            .machines
            .iter()
            .filter(|m| m.phase != Phase::Deleted)
            .count() as u32;
        if alive == self.ready_nodes && !matches!(self.outcome, Some(Outcome::Ready(_))) {
            self.outcome = Some(Outcome::Ready(now));
            self.report.first_ready.get_or_insert(now);
            self.trace(now, "cluster-ready", None);
        }
    }

    fn fail_machine(&mut self, now: SimTime, i: u32, reason: &str) {
        self.trace(now, "machine-failed", Some(i));
        let m = &mut self.machines[i as usize];
        if m.attempt >= self.m.max_retries {
            let role = if m.role == Role::ControlPlane {
                "control-plane"
            } else {
                "worker"
            };
            self.outcome = Some(Outcome::Failed(format!(
                "{role} machine {i}: {reason}, {} attempts",
                m.attempt + 1
            )));
            self.trace(now, "cluster-failed", Some(i));
            return;
        }
        m.attempt += 1;
        m.phase = Phase::Waiting;
        self.report.retries += 1;
        self.trace(now, "machine-recreated", Some(i));
        self.enqueue(now, i);
    }

    fn act(&mut self, now: SimTime, action: Action) {
        match action {
            Action::Scale(workers) => self.scale(now, workers),
            Action::Delete => {
                for i in 0..self.machines.len() as u32 {
                    self.delete_machine(i);
                }
                self.outcome = Some(Outcome::Deleted(now));
                self.trace(now, "cluster-deleted", None);
            }
        }
    }

    fn scale(&mut self, now: SimTime, workers: u32) {
        self.trace(now, "machinedeployment-scaled", None);
        let live: Vec<u32> = (0..self.machines.len() as u32)
            .filter(|&i| {
                let m = self.machines[i as usize];
                m.role == Role::Worker && m.phase != Phase::Deleted
            })
            .collect();
        if workers as usize > live.len() {
            for _ in live.len()..workers as usize {
                self.machines.push(Machine {
                    role: Role::Worker,
                    phase: Phase::Waiting,
                    attempt: 0,
                    joining: false,
                });
                self.enqueue(now, self.machines.len() as u32 - 1);
            }
            if matches!(self.outcome, Some(Outcome::Ready(_))) {
                self.outcome = None;
            }
        } else {
            // CAPI deletes machines that are not Ready first, then the newest.
            let mut victims = live;
            victims.sort_by_key(|&i| {
                (
                    self.machines[i as usize].phase == Phase::Ready,
                    std::cmp::Reverse(i),
                )
            });
            for &i in victims.iter().take(victims.len() - workers as usize) {
                self.delete_machine(i);
                self.trace(now, "machine-deleted", Some(i));
            }
            self.start_creations(now);
            self.check_ready(now);
        }
    }

    fn delete_machine(&mut self, i: u32) {
        self.stop_joining(i);
        let m = &mut self.machines[i as usize];
        match m.phase {
            Phase::Creating => self.creating -= 1,
            Phase::Ready => self.ready_nodes -= 1,
            _ => {}
        }
        m.phase = Phase::Deleted;
    }

    fn trace(&mut self, at: SimTime, what: &'static str, machine: Option<u32>) {
        let attempt = machine.map_or(0, |i| self.machines[i as usize].attempt);
        self.report.trace.push(TraceEvent {
            at,
            what,
            machine,
            attempt,
            ready_nodes: self.ready_nodes,
            ready_cpu_cores: self.ready_nodes as f64 * self.spec.vcpu_per_node,
        });
    }
}
