//! The mixed-integer bound: a model of the plan that keeps what the relaxations drop (whole
//! sizes per candidate from its allowed set, the overheads that make a small cluster dear
//! per core, each region's demand at its own peak in every search run, one allowance shared
//! by all runs), solved by branch and bound ([`microlp`], pure Rust).
//!
//! **Demand.** A demand node is an (access site, application) pair whose sessions some
//! cluster could keep within the latency budget at all (the clusters of
//! [`super::bound::within_budget`]: twice the access latency, the RTT to the cluster's site,
//! one frame's processing and its serialisation; every other latency term only adds). Its
//! *reach* K is that set of clusters. For a set K of clusters, the group G(K) is every demand node whose reach
//! lies within K: its sessions served within budget run on K and nowhere else, so at every
//! instant of a run K's capacity holds them. The model takes the groups of every node's
//! reach, of the union of every two reaches that share a cluster, and of all clusters.
//!
//! **Allowance.** The SLO lets a plan leave some demand unserved within budget: sessions
//! over budget (at most `max_violation_ratio` of session time, each of at most the biggest
//! session's cores) and rejected ones (at most `max_rejected_ratio` of arrivals, each of at
//! most the biggest session's core-hours). Holding group G in run r only to level
//! peak - d leaves at least area(d) core-hours unserved, area being convex in d (the time
//! G's demand spends above each level, [`super::cover`]); its pieces' lines bound it from
//! below. The SLO is judged on the mean over runs, so the search's runs together hold at
//! most `runs` x the longest run's violation allowance, pooled (the allowances scaled as
//! [`super::evaluation::first_runs_excess`] says for plans that got more runs); the groups of distinct reaches are disjoint and share it,
//! every other group is bounded by it alone. Rejections lower a group's level by at most the
//! biggest session's cores each, their count per run within the pooled rejection ratio.
//!
//! **Model.** Minimise sum over candidates c and allowed sizes k of price(c, k) y(c, k),
//! y binary, one size per candidate; for every group G and run r: sum over candidates c in
//! K of allocatable(c, k) y(c, k) + d(G, r) >= peak(G, r) - existing(K) (existing clusters
//! in K at their allocatable cores, free); a(G, r) >= each piece's line at d(G, r); and the
//! allowance rows above.
//!
//! **Rejections by the core-hour.** A rejection lowers the level only while its session
//! would have run, so besides the count above (h, at any one instant) the model also bounds
//! the area: holding G in run r at peak - d - h leaves area(d + h) core-hours unserved
//! within budget, covered by G's sessions over budget (a) and G's rejected sessions (rho).
//! The rejected sessions of run r (the classes are disjoint, so their rho add up) hold at
//! most the core-hours of the run's k_r longest sessions, k_r its rejection count, a
//! concave function of k_r bounded by lines through consecutive whole counts
//! ([`count_lines`]; each lies on or above it at every whole count, and k_r is whole). For
//! the plan's own point take h = min(peak - C, the most cores G has rejected at any instant),
//! d = peak - C - h, a = G's violation core-hours, rho = G's rejected core-hours: every row
//! holds, so the rows cut off no plan. On capacity-eu the model proved 355.04 USD/day without
//! them (below the peak-covering relaxation's 357.34) and 399.30 with them.
//!
//! Every plan meeting the SLO on the mean over the search's runs
//! gives a feasible point of this model at its own capacity price, so the model's optimum,
//! or the best bound branch and bound proved within its node budget, is a lower bound.
//!
//! It leaves out what only a simulation sees: contention and every latency term but the
//! least, the spread of frames around a session's mean, the strategy's choices (placement
//! is free here), memory, and the sessions' use of existing clusters (priced at 0).

use super::allowance::{area_lines, count_lines, top_core_hours, Allowance};
use super::cover::{segments, Segment};
use super::price::cluster_usd_per_day;
use super::relaxation::{BoundInputs, BoundSession};
use crate::experiment::plan_build::schedulable;
use microlp::{
    ComparisonOp, OptimizationDirection, Problem, SolveOptions, SolveOutcome, TerminationReason,
    Variable,
};
use std::collections::{BTreeMap, BTreeSet};

/// Branch-and-bound nodes the solver may spend; past them it reports the best bound it
/// proved, so the bound's cost is bounded and the same on every machine. On capacity-eu
/// (dev profile, 2026-12-08, the area's tangents then thinned evenly by index) 300 nodes
/// proved 395.62 USD/day in 4.0 s, 1,000 nodes 399.30 in 15.9 s, 4,000 nodes 406.28 in
/// 41.0 s: past 1,000 a node buys little (with the thinning of [`area_lines`], 1,000 nodes
/// prove 396.85).
const NODE_LIMIT: u64 = 1_000;
/// Most groups in the model (the reaches' groups first, then unions, in a fixed order).
const MAX_GROUPS: usize = 600;

/// The bound, USD per day of candidate capacity, and whether branch and bound proved it
/// optimal (else it stopped at its node budget with a weaker but valid bound); `None` when
/// the model has nothing to say (no group needs candidate capacity) or the solver failed.
pub fn milp_bound_usd_per_day(
    x: &BoundInputs,
    runs: &[Vec<BoundSession>],
    eligible: &[Vec<Vec<usize>>],
) -> Option<(f64, bool)> {
    let nodes = demand_nodes(eligible);
    let groups = groups(&nodes);
    let model = Model::new(x);

    let allow = Allowance::of(x, runs);
    let mut m = model.problem();
    // Sessions rejected in each run (relaxed to a real), within the pooled ratio.
    let rejected: Vec<Variable> = runs
        .iter()
        .map(|_| m.p.add_var(0.0, (0.0, f64::INFINITY)))
        .collect();
    let ratio: Vec<(Variable, f64)> = rejected
        .iter()
        .zip(runs)
        .filter(|(_, r)| !r.is_empty())
        .map(|(&v, r)| (v, 1.0 / r.len() as f64))
        .collect();
    m.p.add_constraint(ratio, ComparisonOp::Le, allow.rejected_share);
    // Core-hours of the sessions rejected in each run: at most the longest ones'.
    let rejected_core_hours: Vec<(Variable, f64)> = runs
        .iter()
        .zip(&rejected)
        .map(|(sessions, &k)| {
            let top = top_core_hours(x, sessions, allow.rejected_share);
            let most = top.last().copied().unwrap_or(0.0);
            let v = m.p.add_var(0.0, (0.0, most));
            for (intercept, slope) in count_lines(&top) {
                m.p.add_constraint([(v, 1.0), (k, -slope)], ComparisonOp::Le, intercept);
            }
            (v, most)
        })
        .collect();
    let mut class_rejected: Vec<Vec<(Variable, f64)>> = vec![Vec::new(); runs.len()];
    let mut class_areas: Vec<(Variable, f64)> = Vec::new();
    let mut class_heights: Vec<Vec<(Variable, f64)>> = vec![Vec::new(); runs.len()];
    let mut any = false;
    for g in &groups {
        let existing = model.existing_cores(&g.reach);
        let mut areas = Vec::new();
        for (r, sessions) in runs.iter().enumerate() {
            let profile = group_profile(&nodes, g, sessions, x);
            let Some(peak) = profile.first().map(|s| s.high) else {
                continue;
            };
            if peak <= existing + 1e-9 {
                continue;
            }
            any = true;
            // Held at peak - d - h: d by sessions over budget (area a), h by rejections.
            let d = m.p.add_var(0.0, (0.0, peak));
            let h = m.p.add_var(0.0, (0.0, peak));
            let a = m.p.add_var(0.0, (0.0, f64::INFINITY));
            let mut row: Vec<(Variable, f64)> = model.capacity_terms(&m.y, &g.reach);
            row.extend([(d, 1.0), (h, 1.0)]);
            m.p.add_constraint(row, ComparisonOp::Ge, peak - existing);
            for (intercept, slope) in area_lines(&profile, peak, allow.violation_core_hours) {
                m.p.add_constraint([(a, 1.0), (d, -slope)], ComparisonOp::Ge, intercept);
            }
            // The rejections' core-hours: with them, the whole shave d + h leaves an area
            // that violations and rejections together must cover.
            let (rejected_r, most) = rejected_core_hours[r];
            let rho = m.p.add_var(0.0, (0.0, most));
            let both = allow.violation_core_hours + most;
            for (intercept, slope) in area_lines(&profile, peak, both) {
                m.p.add_constraint(
                    [(a, 1.0), (rho, 1.0), (d, -slope), (h, -slope)],
                    ComparisonOp::Ge,
                    intercept,
                );
            }
            if g.class {
                class_rejected[r].push((rho, 1.0));
            } else {
                m.p.add_constraint([(rho, 1.0), (rejected_r, -1.0)], ComparisonOp::Le, 0.0);
            }
            areas.push((a, 1.0));
            if g.class {
                class_heights[r].push((h, 1.0));
            } else {
                m.p.add_constraint(
                    [(h, 1.0), (rejected[r], -allow.biggest_cores)],
                    ComparisonOp::Le,
                    0.0,
                );
            }
        }
        if g.class {
            class_areas.extend(areas);
        } else if !areas.is_empty() {
            m.p.add_constraint(areas, ComparisonOp::Le, allow.violation_core_hours);
        }
    }
    if !any {
        return None;
    }
    for (r, mut rhos) in class_rejected.into_iter().enumerate() {
        rhos.push((rejected_core_hours[r].0, -1.0));
        m.p.add_constraint(rhos, ComparisonOp::Le, 0.0);
    }
    for (r, mut heights) in class_heights.into_iter().enumerate() {
        heights.push((rejected[r], -allow.biggest_cores));
        m.p.add_constraint(heights, ComparisonOp::Le, 0.0);
    }
    if !class_areas.is_empty() {
        m.p.add_constraint(class_areas, ComparisonOp::Le, allow.violation_core_hours);
    }
    solve(&m.p)
}

/// The model's fixed part: per candidate its sizes, their prices and allocatable cores, and
/// the existing clusters' cores.
struct Model {
    /// Per candidate (in `candidates` order): (size, USD per day, allocatable cores).
    sizes: Vec<Vec<(u32, f64, f64)>>,
    /// Topology index to candidate index.
    candidate_of: BTreeMap<usize, usize>,
    /// Allocatable cores of every topology cluster at its own size (for existing ones).
    own_cores: Vec<f64>,
}

/// The problem with its size variables.
struct Built {
    p: Problem,
    /// Per candidate, per allowed size, its binary.
    y: Vec<Vec<Variable>>,
}

impl Model {
    fn new(x: &BoundInputs) -> Model {
        let sizes = x
            .candidates
            .iter()
            .zip(x.sizes)
            .map(|(&i, sizes)| {
                let k = &x.base.clusters[i];
                sizes
                    .iter()
                    .map(|&n| {
                        let cores = if n == 0 {
                            0.0
                        } else {
                            schedulable(x.base, k, n).cpu_cores.max(0.0)
                        };
                        (n, cluster_usd_per_day(k, n), cores)
                    })
                    .collect()
            })
            .collect();
        Model {
            sizes,
            candidate_of: x
                .candidates
                .iter()
                .enumerate()
                .map(|(c, &i)| (i, c))
                .collect(),
            own_cores: x
                .base
                .clusters
                .iter()
                .map(|k| schedulable(x.base, k, k.nodes).cpu_cores.max(0.0))
                .collect(),
        }
    }

    /// The problem: one binary per (candidate, size) at its price, one size per candidate.
    fn problem(&self) -> Built {
        let mut p = Problem::new(OptimizationDirection::Minimize);
        let y: Vec<Vec<Variable>> = self
            .sizes
            .iter()
            .map(|s| s.iter().map(|&(_, usd, _)| p.add_binary_var(usd)).collect())
            .collect();
        for row in &y {
            let one: Vec<(Variable, f64)> = row.iter().map(|&v| (v, 1.0)).collect();
            p.add_constraint(one, ComparisonOp::Eq, 1.0);
        }
        Built { p, y }
    }

    /// Allocatable cores of the existing (non-candidate) clusters of `reach`.
    fn existing_cores(&self, reach: &BTreeSet<usize>) -> f64 {
        reach
            .iter()
            .filter(|i| !self.candidate_of.contains_key(i))
            .map(|&i| self.own_cores[i])
            .sum()
    }

    /// The candidates of `reach` as terms (size binary, its allocatable cores).
    fn capacity_terms(&self, y: &[Vec<Variable>], reach: &BTreeSet<usize>) -> Vec<(Variable, f64)> {
        reach
            .iter()
            .filter_map(|i| self.candidate_of.get(i))
            .flat_map(|&c| {
                y[c].iter()
                    .zip(&self.sizes[c])
                    .filter(|(_, s)| s.2 > 0.0)
                    .map(|(&v, s)| (v, s.2))
            })
            .collect()
    }
}

/// A demand node: an (application, access site) with somewhere within budget.
struct DemandNode {
    app: u32,
    site: u32,
    reach: BTreeSet<usize>,
}

fn demand_nodes(eligible: &[Vec<Vec<usize>>]) -> Vec<DemandNode> {
    let mut out = Vec::new();
    for (app, per_site) in eligible.iter().enumerate() {
        for (site, cs) in per_site.iter().enumerate() {
            if !cs.is_empty() {
                out.push(DemandNode {
                    app: app as u32,
                    site: site as u32,
                    reach: cs.iter().copied().collect(),
                });
            }
        }
    }
    out
}

/// A set of clusters and the demand nodes whose reach lies within it.
struct Group {
    reach: BTreeSet<usize>,
    members: Vec<usize>,
    /// The nodes of exactly this reach (the classes partition the nodes).
    class: bool,
}

/// The groups of every reach (as classes: nodes of exactly that reach, and as closures:
/// every node within it), of every union of two reaches that share a cluster, and of all
/// clusters, at most [`MAX_GROUPS`].
fn groups(nodes: &[DemandNode]) -> Vec<Group> {
    let reaches: BTreeSet<&BTreeSet<usize>> = nodes.iter().map(|n| &n.reach).collect();
    let mut out: Vec<Group> = reaches
        .iter()
        .map(|r| Group {
            reach: (*r).clone(),
            members: (0..nodes.len())
                .filter(|&i| nodes[i].reach == **r)
                .collect(),
            class: true,
        })
        .collect();
    let mut wider: BTreeSet<BTreeSet<usize>> = reaches.iter().map(|r| (*r).clone()).collect();
    let list: Vec<&BTreeSet<usize>> = reaches.iter().copied().collect();
    for (i, a) in list.iter().enumerate() {
        for b in &list[i + 1..] {
            if !a.is_disjoint(b) {
                wider.insert(a.union(b).copied().collect());
            }
        }
    }
    wider.insert(nodes.iter().flat_map(|n| n.reach.iter().copied()).collect());
    for reach in wider {
        if out.len() >= MAX_GROUPS {
            break;
        }
        let members: Vec<usize> = (0..nodes.len())
            .filter(|&i| nodes[i].reach.is_subset(&reach))
            .collect();
        let is_class = out.iter().any(|g| g.class && g.members == members);
        if !is_class {
            out.push(Group {
                reach,
                members,
                class: false,
            });
        }
    }
    out
}

/// The demand profile of group `g` in one run: its sessions' local cores over time, as
/// segments from its peak down.
fn group_profile(
    nodes: &[DemandNode],
    g: &Group,
    sessions: &[BoundSession],
    x: &BoundInputs,
) -> Vec<Segment> {
    let member: BTreeSet<(u32, u32)> = g
        .members
        .iter()
        .map(|&i| (nodes[i].app, nodes[i].site))
        .collect();
    let mut events = Vec::new();
    for s in sessions {
        if member.contains(&(s.app, s.site)) {
            let cores = x.platform.apps[s.app as usize].local_resources().0;
            let mc = (cores * 1000.0).round() as i64;
            events.push((s.start_h, mc));
            events.push((s.start_h + s.hours, -mc));
        }
    }
    segments(events)
}

/// Solves within the node budget: the optimum, or the best bound proved; `None` if the
/// solver failed (the relaxations stand then).
fn solve(p: &Problem) -> Option<(f64, bool)> {
    let mut options = SolveOptions::default();
    options.node_limit = Some(NODE_LIMIT);
    let (stats, optimal) = match p.solve_with(options).ok()? {
        SolveOutcome::Solution(s) => (
            s.stats(),
            s.termination_reason() == TerminationReason::ProvenOptimal,
        ),
        SolveOutcome::Interrupted(i) => (i.stats(), false),
    };
    let bound = stats.best_bound?;
    // The simplex works to a tolerance: a hair below what it proved.
    bound
        .is_finite()
        .then(|| ((bound - 1e-6 * bound.abs()).max(0.0), optimal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_partition_the_nodes_and_close_over_shared_clusters() {
        let node = |site: u32, reach: &[usize]| DemandNode {
            app: 0,
            site,
            reach: reach.iter().copied().collect(),
        };
        // Sites 0 and 1 reach only cluster 5; site 2 reaches 5 and 6; site 3 only 7.
        let nodes = vec![
            node(0, &[5]),
            node(1, &[5]),
            node(2, &[5, 6]),
            node(3, &[7]),
        ];
        let g = groups(&nodes);
        let classes: Vec<&Group> = g.iter().filter(|g| g.class).collect();
        let mut covered: Vec<usize> = classes.iter().flat_map(|g| g.members.clone()).collect();
        covered.sort_unstable();
        assert_eq!(covered, vec![0, 1, 2, 3], "the classes partition the nodes");
        // The closures: {5, 6} holds sites 0, 1 and 2 (its class only site 2); all
        // clusters hold every site; {5} is a class and its own closure, kept once.
        let of = |r: &[usize], class: bool| {
            let r: BTreeSet<usize> = r.iter().copied().collect();
            g.iter()
                .filter(|g| g.reach == r && g.class == class)
                .map(|g| g.members.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(of(&[5, 6], true), vec![vec![2]]);
        assert_eq!(of(&[5, 6], false), vec![vec![0, 1, 2]]);
        assert_eq!(of(&[5, 6, 7], false), vec![vec![0, 1, 2, 3]]);
        assert_eq!(of(&[5], true), vec![vec![0, 1]]);
        assert!(of(&[5], false).is_empty());
    }
}
