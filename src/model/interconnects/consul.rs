//! Consul service mesh: Envoy sidecars and mesh gateways (SNI passthrough), TCP only.

use super::facts::{base, DataPath, Interconnect, Side};
use super::interconnect_kind::{named_facts, Across, InterconnectKind};
use super::sources::{ENVOY_CPU_PER_GBIT, ENVOY_ONE_WAY_US, ENVOY_REQUEST_US};
use crate::config::kinds::PathKind;
use crate::config::topology::PathsConfig;
use crate::model::path::servers::through_servers;
use crate::model::path::PathModel;

/// Consul's sidecars and mesh gateways on both sides; no variants; workloads are deployed
/// in each cluster beforehand.
pub struct Consul;

impl InterconnectKind for Consul {
    fn id(&self) -> PathKind {
        PathKind::Consul
    }

    fn facts(&self, paths: &PathsConfig) -> Interconnect {
        named_facts(PathKind::Consul, paths, defaults)
    }

    fn path(&self, paths: &PathsConfig, headers: u32, across: Across<'_>) -> Option<PathModel> {
        Some(through_servers(&self.facts(paths), paths, headers, across))
    }

    fn cross_cluster_scheduling(&self) -> bool {
        false
    }
}

/// The sourced defaults (`docs/interconnect-sources.md` §10; M measured, D default, Dv
/// derived, E estimate); Consul has no variants.
fn defaults(variant: &str) -> Interconnect {
    Interconnect {
        pod_mtu_bytes: 1450,
        servers: vec![
            ("envoy-sidecar", Side::Src),
            ("mesh-gateway", Side::Src),
            ("mesh-gateway", Side::Dst),
            ("envoy-sidecar", Side::Dst),
        ],
        // E12: four Envoys (two sidecars, two SNI-passthrough gateways) at Istio's
        // measured 114 / 3 = 38 µs each: 152 µs (§10 C1).
        added_latency_us: 4.0 * ENVOY_ONE_WAY_US,
        max_gbps: 8.6,                    // E12: Envoy per connection, as Istio (M)
        cpu_per_gbit: ENVOY_CPU_PER_GBIT, // E12: per Envoy as Istio's, 0.139
        request_us: ENVOY_REQUEST_US,     // E12: Envoy, as Istio 1.24's (D), 100 µs
        // D: mesh gateways route by SNI and do not terminate TLS (Consul docs).
        passthrough: &["mesh-gateway"],
        setup_s: 15.0,             // E: not found
        handshake_rtts: 2,         // TCP + TLS 1.3 (mTLS to the remote sidecar)
        failure_detection_s: 30.0, // Dv: memberlist WAN profile
        agent_cpu_cores: 0.1,      // D: mesh gateway requests 100m
        agent_memory_mib: 100.0,   // D: 100 Mi
        ..base(
            PathKind::Consul,
            variant,
            DataPath::L7,
            "interconnect-sources.md §8 Consul, §10",
        )
    }
}
