//! Linkerd multi-cluster (gateway or flat mode), TCP only.

use super::facts::{base, DataPath, Interconnect, Side};
use super::interconnect_kind::{named_facts, Across, InterconnectKind};
use super::sources::{ENVOY_CPU_PER_GBIT, ENVOY_ONE_WAY_US, ENVOY_REQUEST_US};
use crate::config::kinds::PathKind;
use crate::config::topology::PathsConfig;
use crate::model::path::servers::through_servers;
use crate::model::path::PathModel;

/// Linkerd's proxies, through the gateway or pod to pod; workloads are deployed in each
/// cluster beforehand.
pub struct Linkerd;

impl InterconnectKind for Linkerd {
    fn id(&self) -> PathKind {
        PathKind::Linkerd
    }

    fn facts(&self, paths: &PathsConfig) -> Interconnect {
        named_facts(PathKind::Linkerd, paths, defaults)
    }

    fn path(&self, paths: &PathsConfig, headers: u32, across: Across<'_>) -> Option<PathModel> {
        Some(through_servers(&self.facts(paths), paths, headers, across))
    }

    fn cross_cluster_scheduling(&self) -> bool {
        false
    }
}

/// linkerd2-proxy against Envoy, per request: the 2021 Linkerd-vs-Istio benchmark's
/// largest proxy CPU time at 2,000 requests/s, 36 ms (Linkerd 2.11.1) against 67 ms (Istio
/// 1.12): 0.54 (M ratio, §10 L2).
const LINKERD_PER_ENVOY: f64 = 36.0 / 67.0;

/// The sourced defaults of a variant (`docs/interconnect-sources.md` §10; M measured, D
/// default, Dv derived, E estimate).
fn defaults(variant: &str) -> Interconnect {
    let common = Interconnect {
        pod_mtu_bytes: 1450,
        max_gbps: 5.0, // E: not found; within the measured L7 range (4.2-8.6)
        // E9: linkerd2-proxy with one worker (its default): 200 µs x 0.54 = 107 µs of CPU
        // per request and its response, 54 µs per direction (§10 L2).
        request_us: ENVOY_REQUEST_US * LINKERD_PER_ENVOY,
        // E9: Envoy's 0.139 per Gbit/s x 0.54 = 0.075 per proxy (§10 L3).
        cpu_per_gbit: ENVOY_CPU_PER_GBIT * LINKERD_PER_ENVOY,
        setup_s: 15.0,            // E: service mirroring; not found
        handshake_rtts: 2,        // TCP + TLS (mTLS between proxies)
        failure_detection_s: 9.0, // D: gateway probe 3 s x 3
        agent_cpu_cores: 0.1,     // E: gateway, 1 replica (D)
        agent_memory_mib: 26.0,   // M: proxy 26 MB max
        ..base(
            PathKind::Linkerd,
            variant,
            DataPath::L7,
            "interconnect-sources.md §5 Linkerd, §10",
        )
    };
    // E9: no multi-cluster measurement; each proxy at Envoy's measured 38 µs, an upper
    // figure (both Linkerd-vs-Istio benchmarks measure Linkerd's added latency at 0.35-0.4
    // of Istio's) (§10 L1).
    match variant {
        "flat" => Interconnect {
            servers: vec![("linkerd-proxy", Side::Src), ("linkerd-proxy", Side::Dst)],
            added_latency_us: 2.0 * ENVOY_ONE_WAY_US, // 76 µs
            ..common
        },
        _ => Interconnect {
            servers: vec![
                ("linkerd-proxy", Side::Src),
                ("linkerd-gateway", Side::Dst),
                ("linkerd-proxy", Side::Dst),
            ],
            added_latency_us: 3.0 * ENVOY_ONE_WAY_US, // 114 µs
            ..common
        },
    }
}
