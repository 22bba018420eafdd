"""Throughput of the Gymnasium environments, in CPU time (the machine may be shared).

    python benchmarks/gym_bench.py [--duration-s 86400] [--experiment experiments/strategies-eu.toml]

Prints: single-environment steps per CPU-second with a fixed policy (always slot 0) and
with a greedy policy (lowest estimated latency among allowed slots, in numpy); the vector
environment's steps per CPU-second at 8 and 64 worlds (fixed policy); the median
``reset()`` time; and a Python strategy's overhead per decision against the built-in
latency-greedy in a normal run. A benchmark, not a test: figures depend on the machine.
"""

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

import xrplace
from xrplace.gym import PlacementEnv, PlacementVectorEnv

ROOT = Path(__file__).resolve().parents[2]
FIGURES = 9


def cpu():
    return time.process_time()


def single(env, policy, min_steps):
    obs, info = env.reset(seed=0)
    steps, t0 = 0, cpu()
    while steps < min_steps:
        obs, _, done, _, info = env.step(policy(env, obs, info))
        steps += 1
        if done:
            obs, info = env.reset()
    return steps / (cpu() - t0)


def fixed(env, obs, info):
    return 0


def greedy(env, obs, info):
    est = obs[: env.slots * FIGURES].reshape(env.slots, FIGURES)[:, 3]
    ok = info["action_mask"][:-1]
    if not ok.any():
        return env.slots
    return int(np.argmin(np.where(ok, est, np.inf)))


def vector(path, n, min_steps, duration_s):
    venv = PlacementVectorEnv(path, num_envs=n, seed=0, duration_s=duration_s)
    venv.reset()
    actions = np.zeros(n, dtype=np.int64)
    steps, t0 = 0, cpu()
    while steps < min_steps:
        venv.step(actions)
        steps += n
    return steps / (cpu() - t0)


def reset_median_ms(env, n=30):
    times = []
    for i in range(n):
        t0 = cpu()
        env.reset(seed=i)
        times.append((cpu() - t0) * 1e3)
    return statistics.median(times)


class PyGreedy(xrplace.Strategy):
    def place(self, request, view):
        order = sorted(range(len(request.clusters)), key=lambda i: (not request.fits[i], request.estimate_ms[i]))
        return [request.clusters[i] for i in order]


def strategy_overhead_us(path, duration_s):
    xrplace.register("py-greedy", PyGreedy)
    per = {}
    for name in ("latency-greedy", "py-greedy"):
        t0 = cpu()
        res = xrplace.run(path, {"sessions.strategies": [name]}, runs=1, threads=1, duration_s=max(duration_s, 21600))
        runs = res.runs
        n = runs["arrivals"] if "arrivals" in runs else runs["admitted"] + runs["rejected"]
        per[name] = (cpu() - t0, int(n.sum()))
    (tb, n), (tp, _) = per["latency-greedy"], per["py-greedy"]
    return (tp - tb) / n * 1e6, n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--experiment", default=str(ROOT / "experiments" / "strategies-eu.toml"))
    ap.add_argument("--duration-s", type=int, default=86400)
    ap.add_argument("--steps", type=int, default=200_000)
    args = ap.parse_args()
    env = PlacementEnv(args.experiment, duration_s=args.duration_s)
    print(f"single env, fixed policy:  {single(env, fixed, args.steps):10,.0f} steps/CPU-s")
    print(f"single env, greedy policy: {single(env, greedy, args.steps // 4):10,.0f} steps/CPU-s")
    for n in (8, 64):
        print(f"vector env, {n:2d} worlds:      {vector(args.experiment, n, args.steps, args.duration_s):10,.0f} steps/CPU-s")
    print(f"reset() median:            {reset_median_ms(env):10.2f} ms CPU")
    us, n = strategy_overhead_us(args.experiment, args.duration_s)
    print(f"Python strategy overhead:  {us:10.1f} us/decision (over {n} decisions)")


if __name__ == "__main__":
    main()
