//! Istio multi-cluster through east-west gateways (sidecar or ambient data plane), TCP only.

use super::facts::{base, DataPath, Interconnect, Side};
use super::interconnect_kind::{named_facts, Across, InterconnectKind};
use super::sources::{ENVOY_CPU_PER_GBIT, ENVOY_REQUEST_US, ISTIO_SIDECAR_ONE_WAY_US};
use crate::config::kinds::PathKind;
use crate::config::topology::PathsConfig;
use crate::model::path::servers::through_servers;
use crate::model::path::PathModel;

/// Istio's sidecars (or ztunnels) and the east-west gateway; workloads are deployed in
/// each cluster beforehand.
pub struct Istio;

impl InterconnectKind for Istio {
    fn id(&self) -> PathKind {
        PathKind::Istio
    }

    fn facts(&self, paths: &PathsConfig) -> Interconnect {
        named_facts(PathKind::Istio, paths, defaults)
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
        pod_mtu_bytes: 1450,
        // D: the east-west gateway routes by SNI in AUTO_PASSTHROUGH mode, without
        // terminating TLS (Istio multi-network docs), so it does no per-request work.
        passthrough: &["east-west-gateway"],
        max_gbps: 8.6,             // M: ICPE'25, one connection, 8 KiB (sidecar)
        setup_s: 15.0,             // E: remote secrets and endpoint discovery; not found
        handshake_rtts: 2,         // TCP + TLS 1.3 through the SNI-passthrough gateway
        failure_detection_s: 10.0, // D: proxy TCP connect timeout
        agent_cpu_cores: 0.11,     // D: east-west gateway 100m + M: istiod +1 % core per remote
        // D: east-west gateway 128 MiB + M: istiod +180 MB = 171.7 MiB per remote cluster.
        agent_memory_mib: 128.0 + 180e6 / 1_048_576.0,
        ..base(
            PathKind::Istio,
            variant,
            DataPath::L7,
            "interconnect-sources.md §4 Istio, §10",
        )
    };
    match variant {
        "ambient" => Interconnect {
            servers: vec![
                ("ztunnel", Side::Src),
                ("east-west-gateway", Side::Dst),
                ("ztunnel", Side::Dst),
            ],
            // M: +0.13 ms per request on warm connections against ambient in one cluster,
            // a round trip: 65 µs one way. The ztunnel pair that both sides of that test
            // cross is not in it (not measured against no mesh): a lower figure (§10 I5).
            added_latency_us: 130.0 / 2.0,
            cpu_per_gbit: ENVOY_CPU_PER_GBIT, // E: no throughput CPU found; as the sidecar path
            // D: ztunnel 0.06 vCPU per 1,000 requests/s (Istio 1.24), 60 µs per request and
            // its response: 30 µs per direction (§10 I6).
            request_us: 30.0,
            ..common
        },
        _ => Interconnect {
            servers: vec![
                ("envoy-sidecar", Side::Src),
                ("east-west-gateway", Side::Dst),
                ("envoy-sidecar", Side::Dst),
            ],
            added_latency_us: ISTIO_SIDECAR_ONE_WAY_US, // M: ICPE'25, 64 B TCP request-response
            cpu_per_gbit: ENVOY_CPU_PER_GBIT,           // Dv: 0.139 per Envoy, 0.21 per side
            // D: the HTTP work the TCP measurement has not, at the two sidecars (§10 I2).
            request_us: ENVOY_REQUEST_US,
            ..common
        },
    }
}
