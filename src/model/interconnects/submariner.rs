//! Submariner: an L3 cable (IPsec, WireGuard or VXLAN) between active gateway nodes.

use super::facts::{base, gateway_pair, DataPath, Interconnect};
use super::interconnect_kind::{named_facts, Across, InterconnectKind};
use super::sources::{IPSEC_ONE_WAY_US, WIREGUARD_ONE_WAY_US};
use crate::config::kinds::PathKind;
use crate::config::topology::PathsConfig;
use crate::model::path::servers::through_servers;
use crate::model::path::PathModel;

/// Submariner's gateway engines and the cable between them (IPsec, WireGuard or VXLAN),
/// VXLAN legs to them; workloads are deployed in each cluster beforehand.
pub struct Submariner;

impl InterconnectKind for Submariner {
    fn id(&self) -> PathKind {
        PathKind::Submariner
    }

    fn facts(&self, paths: &PathsConfig) -> Interconnect {
        named_facts(PathKind::Submariner, paths, defaults)
    }

    fn path(&self, paths: &PathsConfig, headers: u32, across: Across<'_>) -> Option<PathModel> {
        Some(through_servers(&self.facts(paths), paths, headers, across))
    }

    fn cross_cluster_scheduling(&self) -> bool {
        false
    }
}

/// ICPE'25 one-way added latency of Submariner (its cable driver: libreswan IPsec, the
/// default): 8,678 op/s = 230.5 µs RTT, (230.5 - 31.8) / 2 = 99.3, 99 µs (M, §10 S1).
const SUBMARINER_IPSEC_US: f64 = 99.0;

/// The sourced defaults of a variant (`docs/interconnect-sources.md` §10; M measured, D
/// default, Dv derived, E estimate).
fn defaults(variant: &str) -> Interconnect {
    let common = Interconnect {
        leg_overhead_bytes: 50, // D: vx-submariner VXLAN to the gateway node
        servers: gateway_pair("submariner-gateway"),
        setup_s: 30.0,            // E5: gateway start, Broker sync, IKE; not found
        failure_detection_s: 5.0, // D: health check 1 s x 5
        agent_cpu_cores: 0.05,    // E: not found
        // M: gateway 49,836 KiB + pluto 17,304 KiB RSS (submariner#2529) = 65.6 MiB. The
        // route agent runs on every node; no figure found, so no per-node share (§10 S6).
        agent_memory_mib: 66.0,
        ..base(
            PathKind::Submariner,
            variant,
            DataPath::L3,
            "interconnect-sources.md §2 Submariner, §10",
        )
    };
    // Dv (upper bound): ICPE'25 CPU overhead 2.22 for both sides at 2.73 Gbit/s (8 KiB,
    // one thread): 2.22 / 2 / 2.73 = 0.41 per gateway (§10 S3).
    let ipsec_cpu = 0.41;
    match variant {
        "wireguard" => Interconnect {
            overhead_bytes: 60, // D: WireGuard over IPv4
            pod_mtu_bytes: 1440,
            // E6: IPsec's 99 with Cilium's WireGuard crypto for its IPsec crypto:
            // 99 - 9 + 20 = 110 µs.
            added_latency_us: SUBMARINER_IPSEC_US - IPSEC_ONE_WAY_US + WIREGUARD_ONE_WAY_US,
            max_gbps: 2.1, // Dv: IPsec's 2.6 x the 0.8/1.0 WireGuard/IPsec ratio on GCP (M)
            // Dv: submariner#1509, WireGuard used 2.1 x IPsec's CPU to carry 0.8 against
            // 1.0 Gbit/s: 2.1 / 0.8 = 2.6 x per Gbit/s; 0.41 x 2.625 = 1.08 (§10 S4).
            cpu_per_gbit: ipsec_cpu * 2.1 / 0.8,
            ..common
        },
        "vxlan" => Interconnect {
            overhead_bytes: 50, // D: pkg/vxlan MTUOverhead
            pod_mtu_bytes: 1450,
            // E6: IPsec's 99 without its crypto: 99 - 9 = 90 µs.
            added_latency_us: SUBMARINER_IPSEC_US - IPSEC_ONE_WAY_US,
            max_gbps: 9.9, // Dv: 44 % of the 22.5 Gbit/s NIC non-gateway to non-gateway (M)
            cpu_per_gbit: 0.1, // E7
            ..common
        },
        _ => Interconnect {
            overhead_bytes: 62, // D: ExpectedIPSECOverhead (NAT-T ESP)
            pod_mtu_bytes: 1438,
            added_latency_us: SUBMARINER_IPSEC_US, // M: ICPE'25, 64 B request-response
            max_gbps: 2.6,                         // M: ICPE'25, one core per SA
            cpu_per_gbit: ipsec_cpu,
            ..common
        },
    }
}
