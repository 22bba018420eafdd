"""Trains a small placement policy on the Gymnasium environment, numpy only, and reports
its SLO violation, rejections and cost beside latency-greedy's and reject-all's.

    python examples/train_placement.py [--duration-s 21600] [--iterations 20]

The policy scores every allowed slot with a linear function of its 9 figures (see
``xrplace.gym``) and takes the best, or rejects if the reject action's learnt score beats
them all; its 10 weights are trained by the cross-entropy method (a Gaussian over weights,
refitted to the best quarter of each generation) on the environment's default reward.
Training episodes use seeds 0..; the comparison uses seeds the training never saw.
"""

import argparse
import time
from pathlib import Path

import numpy as np

from xrplace.gym import PlacementEnv

ROOT = Path(__file__).resolve().parents[2]
FIGURES = 9


def linear(w):
    def act(env, obs, mask):
        slots = obs[: env.slots * FIGURES].reshape(env.slots, FIGURES)
        score = np.where(mask[:-1], slots @ w[:FIGURES], -np.inf)
        best = int(np.argmax(score))
        return best if mask[best] and score[best] > w[FIGURES] else env.slots
    return act


def latency_greedy(env, obs, mask):
    est = obs[: env.slots * FIGURES].reshape(env.slots, FIGURES)[:, 3]
    if not mask[:-1].any():
        return env.slots
    return int(np.argmin(np.where(mask[:-1], est, np.inf)))


def reject_all(env, obs, mask):
    return env.slots


def episode(env, policy, seed):
    obs, info = env.reset(seed=seed)
    total, done = 0.0, False
    while not done:
        obs, r, done, _, info = env.step(policy(env, obs, info["action_mask"]))
        total += r
    return total, info["episode_stats"]


def train(env, iterations, population, rng):
    mean, sd = np.zeros(FIGURES + 1), np.ones(FIGURES + 1)
    mean[3] = -1.0  # start from "lower estimated latency is better"
    mean[FIGURES] = -5.0
    seed = 0
    for it in range(iterations):
        ws = mean + sd * rng.standard_normal((population, FIGURES + 1))
        returns = np.array([episode(env, linear(w), seed + i)[0] for i, w in enumerate(ws)])
        seed += population
        elite = ws[np.argsort(returns)[-population // 4:]]
        mean, sd = elite.mean(axis=0), elite.std(axis=0) + 0.05
        print(f"iteration {it + 1}: mean return {returns.mean():10.1f}, best {returns.max():10.1f}")
    return mean


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration-s", type=int, default=21600)
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--population", type=int, default=16)
    args = ap.parse_args()
    env = PlacementEnv(ROOT / "experiments" / "strategies-eu.toml", duration_s=args.duration_s)
    t0 = time.process_time()
    w = train(env, args.iterations, args.population, np.random.default_rng(0))
    print(f"trained in {time.process_time() - t0:.1f} CPU-s")
    print(f"{'policy':<16}{'return':>12}{'SLO viol.':>12}{'rejected':>10}{'cost USD':>10}")
    for name, policy in (("trained", linear(w)), ("latency-greedy", latency_greedy), ("reject-all", reject_all)):
        runs = [episode(env, policy, 10_000 + s) for s in range(3)]
        ret = np.mean([r for r, _ in runs])
        mean = {k: np.mean([s[k] for _, s in runs]) for k in ("slo_violation_ratio", "rejected_ratio", "cost_usd")}
        print(f"{name:<16}{ret:12.1f}{mean['slo_violation_ratio']:12.4f}{mean['rejected_ratio']:10.3f}{mean['cost_usd']:10.2f}")


if __name__ == "__main__":
    main()
