//! The address ranges a plan of record gives each cluster. Pod and service ranges come from
//! the Cluster API `Cluster`'s `spec.clusterNetwork` (`pods.cidrBlocks`,
//! `services.cidrBlocks`: the first IPv4 block; cluster-api v1.14.0
//! `api/core/v1beta2/cluster_types.go`, `ClusterNetwork`) where the estate has one. Nothing
//! else an estate's objects hold says a node subnet, Liqo's external and internal ranges, or
//! the ranges of a cluster Cluster API does not manage, so those are **placeholders**: the
//! first block of the planner's address plan ([`crate::config::cidr`]) that overlaps no
//! range read and no other placeholder, each named in a warning and in `plan.toml`'s
//! header. A range read that overlaps one read before (two k3s clusters on the default
//! 10.42.0.0/16, which Liqo remaps) is replaced the same way, with a warning: a plan's
//! ranges must be disjoint.

use super::facts::ClusterFacts;
use crate::config::cidr::{cluster_ranges, Cidr, ClusterRanges, MAX_CLUSTERS};

/// Which ranges of a cluster were read; the rest are placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranges {
    /// The cluster's five ranges.
    pub ranges: ClusterRanges,
    /// Names of the plan fields (`pod_cidr`...) that hold placeholders.
    pub placeholders: Vec<&'static str>,
}

/// The first IPv4 block of `blocks` that is a valid CIDR.
fn first_ipv4(blocks: &[String]) -> Option<Cidr> {
    blocks.iter().find_map(|b| Cidr::parse(b))
}

/// The ranges of every cluster, in order, by the module's rule; `None` if the address plan
/// runs out (more clusters than [`MAX_CLUSTERS`]).
pub fn plan_ranges(facts: &[ClusterFacts], warnings: &mut Vec<String>) -> Option<Vec<Ranges>> {
    let mut taken: Vec<Cidr> = Vec::new();
    let mut read: Vec<[Option<Cidr>; 2]> = Vec::new();
    for f in facts {
        let mut pair = [None, None];
        if let Some(c) = &f.capi {
            for (slot, (what, blocks)) in [("pod", &c.pod_cidrs), ("service", &c.service_cidrs)]
                .into_iter()
                .enumerate()
            {
                let Some(cidr) = first_ipv4(blocks) else {
                    continue;
                };
                if let Some(o) = taken.iter().find(|o| o.overlaps(&cidr)) {
                    warnings.push(format!(
                        "cluster {:?}: its {what} range {cidr} overlaps {o}, read before; a plan's ranges must be disjoint, so a placeholder replaces it",
                        f.name
                    ));
                    continue;
                }
                taken.push(cidr);
                pair[slot] = Some(cidr);
            }
        }
        read.push(pair);
    }
    let mut next = 0usize;
    let mut out = Vec::new();
    for (f, [pod, service]) in facts.iter().zip(read) {
        let (block, n) = free_block(next, &taken)?;
        next = n + 1;
        let mut placeholders = vec!["node_cidr", "external_cidr", "internal_cidr"];
        let mut ranges = block;
        match pod {
            Some(p) => ranges.pod = p.to_string(),
            None => placeholders.push("pod_cidr"),
        }
        match service {
            Some(s) => ranges.service = s.to_string(),
            None => placeholders.push("service_cidr"),
        }
        for r in [&ranges.node, &ranges.external, &ranges.internal] {
            taken.extend(Cidr::parse(r));
        }
        if pod.is_none() {
            taken.extend(Cidr::parse(&ranges.pod));
        }
        if service.is_none() {
            taken.extend(Cidr::parse(&ranges.service));
        }
        warnings.push(format!(
            "cluster {:?}: {} not in the estate's objects; placeholders from the address plan written (set the real ones in plan.toml)",
            f.name,
            placeholders.join(", ")
        ));
        out.push(Ranges {
            ranges,
            placeholders,
        });
    }
    Some(out)
}

/// The first block of the address plan from index `from` none of whose ranges overlaps
/// `taken`, and its index.
fn free_block(from: usize, taken: &[Cidr]) -> Option<(ClusterRanges, usize)> {
    (from..MAX_CLUSTERS).find_map(|n| {
        let r = cluster_ranges(n);
        let clear = [&r.node, &r.pod, &r.service, &r.external, &r.internal]
            .iter()
            .filter_map(|v| Cidr::parse(v))
            .all(|c| !taken.iter().any(|t| t.overlaps(&c)));
        clear.then_some((r, n))
    })
}
