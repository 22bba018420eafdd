//! Cross traffic against a packet-level reference: one stream over a three-site route
//! whose first or second link carries Poisson background packets of 1,538 bytes on the
//! wire, at 30-90 % total utilisation. The reference (`tests/reference/packet.rs`) serves
//! every packet of the stream and of the background through store-and-forward FIFO links;
//! xrplace's frame world and flow world must give the frame delays it gives.

use crate::common;
#[path = "reference/packet.rs"]
mod packet;

use common::fresh_dir;
use packet::{Server, Stream};
use xrplace::config::load_experiment;
use xrplace::experiment::{run_experiment, RunOptions};

/// Full TCP packets of the stream: 1,500 B MTU less 52 B of IPv4 + TCP headers.
const PAYLOAD_BYTES: u64 = 1448;
/// Packets per frame; a frame is exactly this many full packets.
const PACKETS: u64 = 86;
/// Frames per second.
const FPS: f64 = 30.0;
/// Background packets on the wire: 1,500 B plus Ethernet framing.
const BACKGROUND_WIRE_BYTES: u64 = 1538;
/// One-way propagation of each link, ms (4 ms RTT).
const LINK_ONE_WAY_MS: f64 = 2.0;
/// Processing per frame at each of the two components, ms.
const CPU_MS: f64 = 1.0;
/// NodePort's packet servers after the route: DNAT and the extra node hop, µs.
const DNAT_US: f64 = 2.0;
const EXTRA_HOP_US: f64 = 10.0;
/// Simulated seconds per case.
const DURATION_S: f64 = 300.0;

/// Sites a - b - c in a line, clusters at a and c, links of `gbps` (a-b, b-c); `loaded`
/// (0: a-b, 1: b-c) carries `util` of background.
fn topology(gbps: [f64; 2], loaded: usize, util: f64) -> String {
    let cluster = |name: &str, site: &str| {
        format!(
            "[[clusters]]\nname = \"{name}\"\nsite = \"{site}\"\nnodes = 4\nvcpu_per_node = 8\nmemory_gib_per_node = 32\ndistribution = \"kubeadm\"\nprovider = \"openstack\"\n"
        )
    };
    let link = |i: usize, a: &str, b: &str| {
        let bg = if i == loaded && util > 0.0 {
            format!("background_util = {util}\nbackground_packet_bytes = 1500\n")
        } else {
            String::new()
        };
        format!(
            "[[links]]\na = \"{a}\"\nb = \"{b}\"\nrtt_ms = {}\njitter_ms = 0.0\nbandwidth_gbps = {}\n{bg}",
            2.0 * LINK_ONE_WAY_MS,
            gbps[i]
        )
    };
    format!(
        "name = \"line\"\n[[sites]]\nname = \"a\"\nlat = 50.1\nlon = 8.7\ntier = \"cloud\"\n[[sites]]\nname = \"b\"\nlat = 48.1\nlon = 11.6\ntier = \"edge\"\n[[sites]]\nname = \"c\"\nlat = 46.2\nlon = 6.1\ntier = \"edge\"\n{}{}{}{}[paths.nodeport]\ndnat_us_per_packet = {DNAT_US}\nextra_node_hop = true\nextra_hop_us_per_packet = {EXTRA_HOP_US}\n",
        cluster("ca", "a"),
        cluster("cc", "c"),
        link(0, "a", "b"),
        link(1, "b", "c"),
    )
}

/// Two components, `ca` -> `cc` over NodePort, frames of exactly `PACKETS` packets.
fn experiment(fidelity: &str) -> String {
    let mbps = (PACKETS * PAYLOAD_BYTES * 8) as f64 * FPS / 1e6;
    format!(
        r#"name = "x"
fidelity = "{fidelity}"
duration_s = {DURATION_S}
warmup_s = 1.0
runs = 1
seed = 29
[application]
name = "stream"
capture_jitter_ms = 0.0
[[application.components]]
name = "source"
cpu_ms_per_frame = {CPU_MS}
memory_mib = 100
[[application.components]]
name = "sink"
cpu_ms_per_frame = {CPU_MS}
memory_mib = 100
[[application.flows]]
from = "source"
to = "sink"
protocol = "tcp"
bitrate_mbps = {mbps}
frame_rate_fps = {FPS}
frame_size_sd_pct = 0.0
[[scenarios]]
name = "s"
topology = "line.toml"
cross_cluster_path = "nodeport"
placement = {{ source = "ca", sink = "cc" }}
"#
    )
}

/// (mean, p50, p99) of xrplace's end-to-end latency, ms.
fn xrplace(tag: &str, fidelity: &str, gbps: [f64; 2], loaded: usize, util: f64) -> (f64, f64, f64) {
    let dir = fresh_dir(tag);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("line.toml"), topology(gbps, loaded, util)).unwrap();
    std::fs::write(dir.join("x.toml"), experiment(fidelity)).unwrap();
    let exp = load_experiment(&dir.join("x.toml")).unwrap();
    let r = run_experiment(&exp, RunOptions::default()).unwrap();
    let s = &r.rows[0].summary;
    (s.latency_mean_ms, s.latency_p50_ms, s.latency_p99_ms)
}

/// (mean, p50, p99) of the reference's end-to-end latency, ms: processing at both ends
/// plus the frame's delay through both links and NodePort's two packet servers.
fn reference(gbps: [f64; 2], loaded: usize, util: f64) -> (f64, f64, f64) {
    let link = |i: usize| Server::Link {
        gbps: gbps[i],
        propagation_ns: LINK_ONE_WAY_MS * 1e6,
        background_util: if i == loaded { util } else { 0.0 },
        background_wire_bytes: BACKGROUND_WIRE_BYTES,
    };
    let servers = [
        link(0),
        link(1),
        Server::Processor {
            per_packet_ns: DNAT_US * 1e3,
        },
        Server::Processor {
            per_packet_ns: EXTRA_HOP_US * 1e3,
        },
    ];
    let stream = Stream {
        frames: (DURATION_S * FPS) as usize,
        interval_ns: 1e9 / FPS,
        packets: PACKETS as usize,
        wire_bytes: 1500 + packet::ETHERNET_FRAMING_BYTES,
    };
    let delays: Vec<f64> = packet::frame_delays_ns(stream, &servers, 29 + loaded as u64)
        .into_iter()
        .skip(FPS as usize)
        .map(|ns| ns / 1e6 + 2.0 * CPU_MS)
        .collect();
    (
        packet::mean(&delays),
        packet::quantile(&delays, 0.5),
        packet::quantile(&delays, 0.99),
    )
}

/// The stream's own share of a link of `gbps`.
fn stream_util(gbps: f64) -> f64 {
    (PACKETS * (1500 + packet::ETHERNET_FRAMING_BYTES) * 8) as f64 * FPS / (gbps * 1e9)
}

fn within(what: &str, got: f64, want: f64, tolerance: f64) -> bool {
    let ok = (got - want).abs() <= tolerance * want.abs();
    if !ok {
        eprintln!("FAIL {what}: {got:.4} against the reference's {want:.4} (±{tolerance})");
    }
    ok
}

/// Every case: (links' Gbit/s, loaded link, total utilisation of the loaded link).
fn cases() -> Vec<([f64; 2], usize, f64)> {
    let mut out = Vec::new();
    for loaded in [0, 1] {
        for total in [0.3, 0.6, 0.75, 0.9] {
            out.push(([1.0, 1.0], loaded, total));
        }
        for total in [0.6, 0.75, 0.9] {
            out.push(([0.1, 0.1], loaded, total));
        }
        // Links of different speeds: the loaded one faster or slower than the other.
        for total in [0.6, 0.9] {
            out.push(([1.0, 0.1], loaded, total));
        }
    }
    out
}

#[test]
fn frame_delays_under_cross_traffic_match_a_packet_level_reference() {
    let mut ok = true;
    eprintln!("gbps loaded total | ref mean p50 p99 | frame mean p50 p99 | flow mean | added by background: ref mean p99, frame mean p99, flow mean");
    for (gbps, loaded, total) in cases() {
        let util = total - stream_util(gbps[loaded]);
        let tag = format!("xt-{}-{}-{loaded}-{total}", gbps[0], gbps[1]);
        let r0 = reference(gbps, loaded, 0.0);
        let r = reference(gbps, loaded, util);
        let f0 = xrplace(&format!("{tag}-f0"), "frame", gbps, loaded, 0.0);
        let f = xrplace(&format!("{tag}-f"), "frame", gbps, loaded, util);
        let w0 = xrplace(&format!("{tag}-w0"), "flow", gbps, loaded, 0.0);
        let w = xrplace(&format!("{tag}-w"), "flow", gbps, loaded, util);
        let added = |x: (f64, f64, f64), x0: (f64, f64, f64)| (x.0 - x0.0, x.2 - x0.2);
        let (ra, fa, wa) = (added(r, r0), added(f, f0), added(w, w0));
        eprintln!(
            "{gbps:?} {loaded} {total} | {:.3} {:.3} {:.3} | {:.3} {:.3} {:.3} | {:.3} | {:.4} {:.3}, {:.4} {:.3}, {:.4}",
            r.0, r.1, r.2, f.0, f.1, f.2, w.0, ra.0, ra.1, fa.0, fa.1, wa.0
        );
        let case = format!("{gbps:?} Gbit/s, link {loaded} loaded, total {total}");
        // The totals, within 3 % (the issue asks for 10 %).
        ok &= within(&format!("{case}: frame p50"), f.1, r.1, 0.03);
        ok &= within(&format!("{case}: frame p99"), f.2, r.2, 0.03);
        ok &= within(&format!("{case}: flow mean"), w.0, r.0, 0.03);
        // What the background adds, which the totals dilute. Means are exact (moments),
        // so only a microsecond of slack; the p99 is read off the latency histogram
        // (buckets 0.2 % wide: 20 µs at 10 ms), so it has that much.
        let near = |what: &str, got: f64, want: f64, tolerance: f64, slack_ms: f64| {
            (got - want).abs() <= tolerance * want.abs() + slack_ms
                || within(&format!("{case}: {what}"), got, want, tolerance)
        };
        ok &= near("frame's added mean", fa.0, ra.0, 0.15, 0.001);
        ok &= near("flow's added mean", wa.0, ra.0, 0.20, 0.001);
        ok &= near("frame's added p99", fa.1, ra.1, 0.20, 0.02);
    }
    assert!(
        ok,
        "cross traffic departs from the packet-level reference (see above)"
    );
}
