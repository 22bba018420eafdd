//! `local`: pod to pod through one cluster's CNI. It joins no clusters: a flow between
//! different clusters cannot take it (validation refuses it there, and its
//! [`InterconnectKind::path`] is `None`).

use super::facts::{base, DataPath, Interconnect};
use super::interconnect_kind::{Across, InterconnectKind};
use crate::base::units::ns_from_us;
use crate::config::kinds::PathKind;
use crate::config::topology::PathsConfig;
use crate::model::path::{Hop, PathModel};

/// One cluster's CNI, from the topology's `[paths.local]`.
pub struct Local;

impl InterconnectKind for Local {
    fn id(&self) -> PathKind {
        PathKind::Local
    }

    fn facts(&self, paths: &PathsConfig) -> Interconnect {
        Interconnect {
            pod_mtu_bytes: paths.local.mtu_bytes,
            handshake_rtts: 0,
            ..base(
                PathKind::Local,
                "",
                DataPath::L3,
                "one cluster (topology [paths.local])",
            )
        }
    }

    fn path(&self, _: &PathsConfig, _: u32, _: Across<'_>) -> Option<PathModel> {
        None
    }

    fn cross_cluster_scheduling(&self) -> bool {
        false
    }
}

/// Pod to pod through the CNI of one cluster: the path of every flow whose ends share a
/// cluster, whatever the cross-cluster kind.
pub fn same_cluster(params: &PathsConfig, headers: u32) -> PathModel {
    let p = &params.local;
    PathModel {
        kind: PathKind::Local,
        payload_bytes_per_packet: p.mtu_bytes - headers,
        hops: vec![Hop {
            name: "cni",
            per_packet_ns: ns_from_us(p.cni_us_per_packet),
            fixed_ns: 0,
            per_frame_ns: 0,
            cpu_ns_per_packet: 0,
            cpu_cluster: None,
        }],
        propagation_ns: 0,
        jitter_sd_ns: 0,
        rtt_ns: 0,
        packet_loss: 0.0,
        background: None,
        wan_bits: 0,
    }
}
