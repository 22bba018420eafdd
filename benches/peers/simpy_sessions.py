#!/usr/bin/env python3
"""The peer benchmark's SimPy model: the workload of benches/peers/peer.toml.template,
written as a SimPy user would write it.

1,000 clusters (the generated topology's sites, one cluster each), Poisson arrivals of
one application (2 vCPU, 3 GiB, mean 900 s, exponential) at uniformly drawn access
sites, first-fit over each site's 12 nearest clusters and 4 nearest clouds on a view that
monitoring scrapes every 15 s and aggregates 5 s later, admission only where the session
really fits, and at every scrape each running session's latency (access, RTT, processing
stretched by its cluster's contention) recorded weighted by the scrape interval.

Usage: simpy_sessions.py TOPOLOGY.toml SESSIONS [SEED]
Prints sessions, admitted, rejected and the median latency (ms).
"""

import heapq
import math
import random
import sys
import tomllib

import simpy

SCRAPE_S = 15.0
LAG_S = 5.0
HORIZON_S = 86_400.0
CPU, MEM_MIB, MEAN_S, MS_PER_FRAME = 2.0, 3072.0, 900.0, 4.0
K, CLOUDS = 12, 4


def load(path):
    with open(path, "rb") as f:
        t = tomllib.load(f)
    sites = t["sites"]
    r = t["routing"]
    index = {s["name"]: i for i, s in enumerate(sites)}
    clusters = []
    for c in t["clusters"]:
        clusters.append(
            {
                "site": index[c["site"]],
                "cores": c["nodes"] * c["vcpu_per_node"],
                "mem": c["nodes"] * c["memory_gib_per_node"] * 1024.0,
            }
        )
    adj = [[] for _ in sites]
    for link in t.get("links", []):
        a, b = index[link["a"]], index[link["b"]]
        adj[a].append((b, link["rtt_ms"]))
        adj[b].append((a, link["rtt_ms"]))

    def derived(a, b):
        p, q = sites[a], sites[b]
        la1, la2 = math.radians(p["lat"]), math.radians(q["lat"])
        dlat, dlon = la2 - la1, math.radians(q["lon"] - p["lon"])
        h = math.sin(dlat / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(dlon / 2) ** 2
        d = 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))
        return r["base_rtt_ms"] + r["route_inflation"] * 2 * d / r["fiber_km_per_ms"]

    return sites, clusters, adj, derived


def rtt_row(sites, adj, derived, a):
    """Dijkstra over the measured links from site a, derived RTT where none reaches."""
    dist = [math.inf] * len(sites)
    dist[a] = 0.0
    heap = [(0.0, a)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, w in adj[u]:
            if d + w < dist[v]:
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    row = [dist[b] if math.isfinite(dist[b]) else derived(a, b) for b in range(len(sites))]
    row[a] = sites[a].get("intra_site_rtt_ms", 0.3)
    return row


def main():
    topo, sessions = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    sites, clusters, adj, derived = load(topo)
    rng = random.Random(seed)
    access = [i for i, s in enumerate(sites) if s["tier"] != "cloud"] or list(range(len(sites)))
    by_site = {}
    for i, c in enumerate(clusters):
        by_site.setdefault(c["site"], []).append(i)
    cands = {}
    for a in access:
        row = rtt_row(sites, adj, derived, a)
        order = sorted(range(len(clusters)), key=lambda i: (row[clusters[i]["site"]], i))
        chosen = order[:K]
        clouds = [i for i in order if sites[clusters[i]["site"]]["tier"] == "cloud"][:CLOUDS]
        chosen += [i for i in clouds if i not in chosen]
        cands[a] = [(i, row[clusters[i]["site"]]) for i in chosen]

    used = [0.0] * len(clusters)
    used_mem = [0.0] * len(clusters)
    view = [c["cores"] for c in clusters]
    active = {}
    hist = {}
    stats = {"admitted": 0, "rejected": 0}
    env = simpy.Environment()

    def session(sid, site, cluster, rtt, duration):
        active[sid] = (site, cluster, rtt)
        yield env.timeout(duration)
        del active[sid]
        used[cluster] -= CPU
        used_mem[cluster] -= MEM_MIB

    def arrivals():
        sid = 0
        rate = sessions / HORIZON_S
        while True:
            yield env.timeout(rng.expovariate(rate))
            site = access[rng.randrange(len(access))]
            duration = rng.expovariate(1.0 / MEAN_S)
            ranked = sorted(c for c in cands[site] if view[c[0]] >= CPU)
            placed = None
            for c, rtt in ranked:
                k = clusters[c]
                if used[c] + CPU <= k["cores"] and used_mem[c] + MEM_MIB <= k["mem"]:
                    placed = (c, rtt)
                    break
            if placed is None:
                stats["rejected"] += 1
            else:
                stats["admitted"] += 1
                used[placed[0]] += CPU
                used_mem[placed[0]] += MEM_MIB
                env.process(session(sid, site, placed[0], placed[1], duration))
            sid += 1

    def publish(snapshot):
        yield env.timeout(LAG_S)
        view[:] = snapshot

    def monitoring():
        while True:
            yield env.timeout(SCRAPE_S)
            snapshot = [c["cores"] - used[i] for i, c in enumerate(clusters)]
            env.process(publish(snapshot))
            stretch = []
            for i, c in enumerate(clusters):
                u = min(0.95, used[i] / c["cores"])
                stretch.append(1.0 / (1.0 - u ** max(1.0, c["cores"])))
            for site, cluster, rtt in active.values():
                ms = 2 * sites[site]["access_latency_ms"] + rtt + MS_PER_FRAME * stretch[cluster]
                b = round(ms, 1)
                hist[b] = hist.get(b, 0.0) + SCRAPE_S

    env.process(arrivals())
    env.process(monitoring())
    env.run(until=HORIZON_S)
    total = sum(hist.values())
    acc, p50 = 0.0, float("nan")
    for b in sorted(hist):
        acc += hist[b]
        if acc >= total / 2:
            p50 = b
            break
    print(
        f"sessions={stats['admitted'] + stats['rejected']} admitted={stats['admitted']} "
        f"rejected={stats['rejected']} p50_ms={p50}"
    )


if __name__ == "__main__":
    main()
