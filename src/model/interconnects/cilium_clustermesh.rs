//! Cilium ClusterMesh: node to node, tunnel or native routing, optional encryption.

use super::facts::{base, DataPath, Interconnect, Side};
use super::interconnect_kind::{named_facts, Across, InterconnectKind};
use super::sources::{
    IPSEC_CPU_PER_GBIT, IPSEC_ONE_WAY_US, WIREGUARD_CPU_PER_GBIT, WIREGUARD_ONE_WAY_US,
};
use crate::config::kinds::PathKind;
use crate::config::topology::PathsConfig;
use crate::model::path::servers::through_servers;
use crate::model::path::PathModel;

/// The Cilium agents of the two nodes, with no gateway; workloads are deployed in each
/// cluster beforehand.
pub struct CiliumClustermesh;

impl InterconnectKind for CiliumClustermesh {
    fn id(&self) -> PathKind {
        PathKind::CiliumClustermesh
    }

    fn facts(&self, paths: &PathsConfig) -> Interconnect {
        named_facts(PathKind::CiliumClustermesh, paths, defaults)
    }

    fn path(&self, paths: &PathsConfig, headers: u32, across: Across<'_>) -> Option<PathModel> {
        Some(through_servers(&self.facts(paths), paths, headers, across))
    }

    fn cross_cluster_scheduling(&self) -> bool {
        false
    }
}

/// The sourced defaults of a variant (`docs/interconnect-sources.md` §10; M measured, D
/// default, Dv derived, E estimate).
fn defaults(variant: &str) -> Interconnect {
    let common = Interconnect {
        servers: vec![("cilium-node", Side::Src), ("cilium-node", Side::Dst)],
        setup_s: 77.0,             // D: the ClusterMesh doc's example
        failure_detection_s: 40.0, // D: node-monitor-grace-period
        // E: clustermesh-apiserver (etcd + apiserver), no default requests, no figure
        // found (§10 M5).
        agent_cpu_cores: 0.05,
        agent_memory_mib: 100.0,
        // M (upper bound): the whole agent at rest, 0.15 % of 2 vCPU = 0.003 cores. The
        // 3.4 % was a 50 k-pod scale-up (§10 M5).
        agent_cpu_cores_per_node: 0.003,
        // E: the agent's 10.5 KiB per pod it knows (M, 50 k-pod test) for 1,000 remote
        // pods: 10 MiB. The 438 MiB is the whole CNI agent at 50 k pods (§10 M5).
        agent_memory_mib_per_node: 10.0,
        ..base(
            PathKind::CiliumClustermesh,
            variant,
            DataPath::L3,
            "interconnect-sources.md §6 Cilium, §10",
        )
    };
    match variant {
        "native" => Interconnect {
            overhead_bytes: 0, // D: routed, no encapsulation
            pod_mtu_bytes: 1500,
            // M: eBPF 45,200 req/s = 22.1 µs against node to node 20.9 µs: 0.6 µs one way.
            added_latency_us: 0.6,
            max_gbps: 42.0, // M: one flow, direct routing
            // Dv: eBPF against node to node at 100 Gbit/s, +0.4 / -0.1 % of 32 threads:
            // 0.001 per Gbit/s, within the charts' reading error (§10 M3).
            cpu_per_gbit: 0.001,
            ..common
        },
        "wireguard" => Interconnect {
            overhead_bytes: 80, // D: Cilium's WireGuard accounting
            pod_mtu_bytes: 1420,
            added_latency_us: WIREGUARD_ONE_WAY_US, // Dv: TCP_RR with WireGuard, 20 µs
            max_gbps: 4.7,                          // M: one flow at MTU 1500
            cpu_per_gbit: WIREGUARD_CPU_PER_GBIT,   // Dv: 0.621 / 0.918 threads, mean 0.77
            ..common
        },
        "ipsec" => Interconnect {
            overhead_bytes: 77, // D: Cilium's IPsec accounting
            pod_mtu_bytes: 1423,
            added_latency_us: IPSEC_ONE_WAY_US, // Dv: TCP_RR with IPsec, 9 µs
            max_gbps: 3.4,                      // M: one flow at MTU 1500, one core per tunnel
            cpu_per_gbit: IPSEC_CPU_PER_GBIT,   // Dv: 0.400 / 0.365 threads, mean 0.38
            ..common
        },
        _ => Interconnect {
            overhead_bytes: 50, // D: VXLAN over IPv4
            pod_mtu_bytes: 1450,
            added_latency_us: 3.0, // E10
            max_gbps: 30.0,        // E10: below direct routing's measured 42
            cpu_per_gbit: 0.05,    // E10
            ..common
        },
    }
}
