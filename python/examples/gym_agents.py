"""A random and a greedy agent on the Gymnasium environment over strategies-eu.

    python examples/gym_agents.py [--episodes 3] [--duration-s 3600]
"""

import argparse
from pathlib import Path

import numpy as np

from xrplace.gym import PlacementEnv

ROOT = Path(__file__).resolve().parents[2]
FIGURES = 9  # per candidate slot (see xrplace.gym)


def random_agent(env, obs):
    return env.action_space.sample()


def greedy_agent(env, obs):
    """The candidate with the lowest estimated latency among those the view says fit."""
    slots = obs[: env.slots * FIGURES].reshape(env.slots, FIGURES)
    ok = (slots[:, 0] == 1) & (slots[:, 1] == 1) & (slots[:, 2] == 1)
    if not ok.any():
        return env.slots
    estimate = np.where(ok, slots[:, 3], np.inf)
    return int(np.argmin(estimate))


def run(env, agent, seed):
    obs, _ = env.reset(seed=seed)
    env.action_space.seed(seed)
    total, steps, done = 0.0, 0, False
    while not done:
        obs, reward, done, _, _ = env.step(agent(env, obs))
        total += reward
        steps += 1
    return total, steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--episodes", type=int, default=3)
    ap.add_argument("--duration-s", type=float, default=3600)
    args = ap.parse_args()
    env = PlacementEnv(ROOT / "experiments" / "strategies-eu.toml", duration_s=args.duration_s)
    for name, agent in [("random", random_agent), ("greedy", greedy_agent)]:
        returns = [run(env, agent, seed) for seed in range(args.episodes)]
        mean = np.mean([r for r, _ in returns])
        print(f"{name:>7}: mean return {mean:10.2f} over {args.episodes} episodes of {returns[0][1]} decisions")
    env.close()


if __name__ == "__main__":
    main()
