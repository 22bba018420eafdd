//! Network Service Mesh: an L2/L3 vWire per connection between VPP forwarders.

use super::facts::{base, gateway_pair, DataPath, Interconnect};
use super::interconnect_kind::{named_facts, Across, InterconnectKind};
use super::sources::{
    IPSEC_CPU_PER_GBIT, IPSEC_ONE_WAY_US, WIREGUARD_CPU_PER_GBIT, WIREGUARD_ONE_WAY_US,
};
use crate::config::kinds::PathKind;
use crate::config::topology::PathsConfig;
use crate::model::path::servers::through_servers;
use crate::model::path::PathModel;

/// NSM's forwarders on both sides of a vWire; workloads are deployed in each cluster
/// beforehand.
pub struct Nsm;

impl InterconnectKind for Nsm {
    fn id(&self) -> PathKind {
        PathKind::Nsm
    }

    fn facts(&self, paths: &PathsConfig) -> Interconnect {
        named_facts(PathKind::Nsm, paths, defaults)
    }

    fn path(&self, paths: &PathsConfig, headers: u32, across: Across<'_>) -> Option<PathModel> {
        Some(through_servers(&self.facts(paths), paths, headers, across))
    }

    fn cross_cluster_scheduling(&self) -> bool {
        false
    }
}

/// E11: two VPP forwarders in user space, 15 µs each, no measurement (§10 N1).
const NSM_FORWARDERS_US: f64 = 30.0;

/// The sourced defaults of a variant (`docs/interconnect-sources.md` §10; M measured, D
/// default, Dv derived, E estimate).
fn defaults(variant: &str) -> Interconnect {
    let common = Interconnect {
        servers: gateway_pair("forwarder-vpp"),
        setup_s: 3.0,             // E11: 1-5 s vWire request (timeout 15 s, D)
        failure_detection_s: 1.2, // Dv: liveness 200 ms, timeout 1 s
        // D (deployments-k8s@53739ca5, interdomain suite; a limit without a request
        // requests the limit): Deployments nsmgr-proxy 200m / 100 Mi + map-ip-k8s 50m /
        // 25 Mi + registry-k8s 100m / 100 Mi + registry-proxy-dns 100m / 40 Mi = 450m /
        // 265 Mi per cluster (§10 N5).
        agent_cpu_cores: 0.45,
        agent_memory_mib: 265.0,
        // D: DaemonSets forwarder-vpp 150m / 350 Mi + nsmgr 200m / 100 Mi + its
        // exclude-prefixes 75m / 40 Mi = 425m / 490 Mi per node (§10 N5).
        agent_cpu_cores_per_node: 0.425,
        agent_memory_mib_per_node: 490.0,
        ..base(
            PathKind::Nsm,
            variant,
            DataPath::L3,
            "interconnect-sources.md §7 NSM, §10",
        )
    };
    match variant {
        "vxlan" => Interconnect {
            overhead_bytes: 54,                  // D
            pod_mtu_bytes: 1446,                 // D
            added_latency_us: NSM_FORWARDERS_US, // E11: no crypto
            max_gbps: 10.0,                      // E: unencrypted; not found
            cpu_per_gbit: 0.1,                   // E
            ..common
        },
        "ipsec" => Interconnect {
            overhead_bytes: 81,                                     // D
            pod_mtu_bytes: 1419,                                    // D
            added_latency_us: NSM_FORWARDERS_US + IPSEC_ONE_WAY_US, // E11: + 9 µs
            max_gbps: 2.6,                    // E: one core per SA, as Submariner (M)
            cpu_per_gbit: IPSEC_CPU_PER_GBIT, // E11: as kernel IPsec (Dv), 0.38
            ..common
        },
        _ => Interconnect {
            overhead_bytes: 60,                                         // D
            pod_mtu_bytes: 1440,                                        // D
            added_latency_us: NSM_FORWARDERS_US + WIREGUARD_ONE_WAY_US, // E11: + 20 µs
            max_gbps: 3.0, // E: one WireGuard flow, 2.3-4.7 Gbit/s (M)
            cpu_per_gbit: WIREGUARD_CPU_PER_GBIT, // E11: as kernel WireGuard (Dv), 0.77
            ..common
        },
    }
}
