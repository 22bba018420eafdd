"""xrplace.gym.PlacementEnv: Gymnasium's checker, whole episodes, reproducibility."""

import numpy as np
import pytest

gymnasium = pytest.importorskip("gymnasium")
from gymnasium.utils.env_checker import check_env  # noqa: E402

from xrplace.gym import PlacementEnv  # noqa: E402

# A short run keeps episodes to a few hundred decisions.
SHORT = dict(duration_s=1800)


def make(strategies_eu):
    return PlacementEnv(strategies_eu, **SHORT)


def test_check_env_passes(strategies_eu):
    env = make(strategies_eu)
    check_env(env, skip_render_check=True)
    env.close()


def episode(env, seed, policy):
    obs, _ = env.reset(seed=seed)
    env.action_space.seed(seed)
    rewards, steps, done = [], 0, False
    while not done:
        assert env.observation_space.contains(obs)
        obs, reward, done, truncated, _ = env.step(policy(env, obs))
        assert not truncated
        rewards.append(reward)
        steps += 1
    return rewards, steps


def random_policy(env, obs):
    return env.action_space.sample()


def nearest_fitting(env, obs):
    """The nearest candidate the view says fits, else reject."""
    slots = obs[: env.slots * 9].reshape(env.slots, 9)
    for i, row in enumerate(slots):
        if row[0] == 1.0 and row[1] == 1.0 and row[2] == 1.0:
            return i
    return env.slots


def test_random_episodes_run_to_the_end_and_repeat(strategies_eu):
    env = make(strategies_eu)
    a, steps = episode(env, 7, random_policy)
    b, _ = episode(env, 7, random_policy)
    assert steps > 10
    assert a == b, "same seeds, same rewards"
    c, _ = episode(env, 8, random_policy)
    assert a != c
    env.close()


def test_rewards_tell_a_good_policy_from_rejecting_everything(strategies_eu):
    env = make(strategies_eu)
    good, _ = episode(env, 3, nearest_fitting)
    reject, _ = episode(env, 3, lambda env, obs: env.slots)
    assert sum(reject) < sum(good), (sum(reject), sum(good))
    # Rejecting everything costs exactly one per session: nothing runs, nothing is paid.
    assert sum(reject) == -len(reject)
    env.close()


def test_reset_mid_episode_starts_afresh(strategies_eu):
    env = make(strategies_eu)
    first, _ = env.reset(seed=11)
    for _ in range(5):
        env.step(0)
    again, _ = env.reset(seed=11)
    assert np.array_equal(first, again)
    env.close()
