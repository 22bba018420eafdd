//! Skupper: an L7 application network of routers (TCP and HTTP only).

use super::facts::{base, DataPath, Interconnect, Side};
use super::interconnect_kind::{named_facts, Across, InterconnectKind};
use crate::config::kinds::PathKind;
use crate::config::topology::PathsConfig;
use crate::model::path::servers::through_servers;
use crate::model::path::PathModel;

/// Skupper's routers, one per cluster, joined by an AMQP link; no variants; workloads
/// are deployed in each cluster beforehand.
pub struct Skupper;

impl InterconnectKind for Skupper {
    fn id(&self) -> PathKind {
        PathKind::Skupper
    }

    fn facts(&self, paths: &PathsConfig) -> Interconnect {
        named_facts(PathKind::Skupper, paths, defaults)
    }

    fn path(&self, paths: &PathsConfig, headers: u32, across: Across<'_>) -> Option<PathModel> {
        Some(through_servers(&self.facts(paths), paths, headers, across))
    }

    fn cross_cluster_scheduling(&self) -> bool {
        false
    }
}

/// A Skupper router's work per message, µs (E: no figure found); it is inside ICPE'25's
/// measured 242 µs, so the routers' fixed cost is that less twice this.
const SKUPPER_REQUEST_US: f64 = 50.0;

/// The sourced defaults (`docs/interconnect-sources.md` §10; M measured, D default, Dv
/// derived, E estimate); Skupper has no variants.
fn defaults(variant: &str) -> Interconnect {
    Interconnect {
        overhead_bytes: 0,   // E: AMQP frames and TLS records, 0.5-2 % of bytes
        pod_mtu_bytes: 1450, // TCP stream: the CNI's MTU
        servers: vec![("skupper-router", Side::Src), ("skupper-router", Side::Dst)],
        // M: ICPE'25 TCP_RR 64 B, 3,885 op/s = 514.8 µs RTT, (514.8 - 31.8) / 2 =
        // 241.5, 242 µs one way through both routers, their per-message work
        // included: 242 - 2 x request_us = 142 (§10 K1).
        added_latency_us: 242.0 - 2.0 * SKUPPER_REQUEST_US,
        max_gbps: 4.2, // M: ICPE'25, one TCP connection, 8 KiB
        // Dv (upper bound): 4.90 for both sides at 4.19 Gbit/s (8 KiB, one
        // connection): 4.90 / 2 / 4.19 = 0.58 per router (§10 K3).
        cpu_per_gbit: 0.58,
        request_us: SKUPPER_REQUEST_US,
        setup_s: 10.0,            // E: router pods and link; not found
        failure_detection_s: 3.0, // D: HELLO 1 s, neighbour lost after 3 s
        agent_cpu_cores: 0.1,     // E: routers ship without requests
        agent_memory_mib: 100.0,  // E
        ..base(
            PathKind::Skupper,
            variant,
            DataPath::L7,
            "interconnect-sources.md §3 Skupper, §10",
        )
    }
}
