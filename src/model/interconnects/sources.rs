//! Sourced figures more than one kind uses: Envoy's, measured through Istio (Istio, Consul
//! and Linkerd build on them), and kernel IPsec and WireGuard crypto, measured by Cilium
//! (Submariner, Cilium ClusterMesh and NSM build on them). Labels and rows as in
//! [`super::facts`].

/// Low-load one-way cost of one Envoy of Istio's measured sidecar path (sidecar,
/// east-west gateway, sidecar), µs: 114 / 3 = 38 (`docs/interconnect-sources.md` §10 I1).
/// The estimate for every other Envoy or proxy with no measurement of its own.
pub(super) const ENVOY_ONE_WAY_US: f64 = ISTIO_SIDECAR_ONE_WAY_US / 3.0;

/// ICPE'25 TCP_RR, 64 B, one thread (uperf counts the write and the read: RTT = 2 / op/s):
/// Istio 7,707 op/s = 259.5 µs, host to host between the clusters 62,948 op/s = 31.8 µs;
/// (259.5 - 31.8) / 2 = 113.9, 114 µs one way (M, §0a).
pub(super) const ISTIO_SIDECAR_ONE_WAY_US: f64 = 114.0;

/// CPU per Gbit/s of one Envoy, core-s per Gbit: ICPE'25's CPU overhead at Istio's
/// single-connection operating point (8 KiB writes, 8.56 Gbit/s) is 3.57 for sender and
/// receiver together, 3.57 / 8.56 = 0.417 per Gbit/s over the three Envoys, 0.139 each
/// (Dv, an upper bound: whole-node figures with uperf's own TCP work, §10 I3).
pub(super) const ENVOY_CPU_PER_GBIT: f64 = 0.417 / 3.0;

/// Envoy's busy time per message, µs: Istio 1.24 measures 0.20 vCPU per 1,000 requests/s
/// for a sidecar (1 KiB, HTTP/1.1, mTLS, 2 workers), 200 µs of CPU per request and its
/// response; a frame is one direction: 100 µs (D, §10 I2; the 0.6-0.5 vCPU of the 1.1-1.7
/// pages and the 0.35 vCPU quoted for 1.8-1.12 are older Envoys).
pub(super) const ENVOY_REQUEST_US: f64 = 100.0;

/// One-way crypto cost over plain routing, Cilium's 2021 TCP_RR (one process, MTU 1500):
/// node to node 47,800 req/s = 20.9 µs; IPsec 26,000 = 38.5 µs, (38.5 - 20.9) / 2 = 8.8,
/// 9 µs; WireGuard 16,300 = 61.3 µs, (61.3 - 20.9) / 2 = 20.2, 20 µs (Dv, §0b, §10 M1).
pub(super) const IPSEC_ONE_WAY_US: f64 = 9.0;
pub(super) const WIREGUARD_ONE_WAY_US: f64 = 20.0;

/// CPU per Gbit/s per side of kernel IPsec and WireGuard at MTU 1500, Cilium 2021 (hardware
/// threads to carry 10 Gbit/s, % of 32): IPsec 12.5 / 11.4 % = 0.400 / 0.365, mean 0.38;
/// WireGuard 19.4 / 28.7 % = 0.621 / 0.918, mean 0.77 (Dv, §10 M3; includes netperf's own
/// TCP work, 0.027 / 0.045 per Gbit/s node to node).
pub(super) const IPSEC_CPU_PER_GBIT: f64 = 0.38;
pub(super) const WIREGUARD_CPU_PER_GBIT: f64 = 0.77;
