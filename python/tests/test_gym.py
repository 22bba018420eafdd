"""xrplace.gym: Gymnasium's checker, conventions, masks, seeding, vector environments."""

import multiprocessing
import pickle
import warnings

import numpy as np
import pytest

gymnasium = pytest.importorskip("gymnasium")
from gymnasium.utils.env_checker import check_env  # noqa: E402

import xrplace  # noqa: E402
from xrplace.gym import PlacementEnv, PlacementVectorEnv, sweep_points  # noqa: E402

# A short run keeps episodes to a few hundred decisions.
SHORT = dict(duration_s=1800)


def make(strategies_eu, **kw):
    return PlacementEnv(strategies_eu, **SHORT, **kw)


def episode(env, seed, policy):
    """Runs one episode; returns its rewards, actions and last info."""
    obs, info = env.reset(seed=seed)
    rewards, actions, done = [], [], False
    while not done:
        assert env.observation_space.contains(obs)
        a = policy(env, obs, info)
        obs, reward, done, truncated, info = env.step(a)
        assert not truncated
        rewards.append(reward)
        actions.append(a)
    return rewards, actions, info


def reject(env, obs, info):
    return env.slots


def nearest_allowed(env, obs, info):
    allowed = np.flatnonzero(info["action_mask"][:-1])
    return int(allowed[0]) if allowed.size else env.slots


def test_check_env_passes_with_no_warnings(strategies_eu):
    env = gymnasium.make("xrplace/Placement-v0", experiment=strategies_eu, render_mode="ansi", **SHORT).unwrapped
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env)


def test_shapes_are_the_same_on_every_topology(strategies_eu):
    eu = make(strategies_eu)
    big = PlacementEnv(xrplace_experiment("scale-1k"), duration_s=600)
    assert eu.observation_space.shape == big.observation_space.shape
    assert eu.action_space == big.action_space
    # candidates_per_site = 12 in both: 12 + 4 cloud slots, 9 figures each, 3 of the request.
    assert eu.observation_space.shape == ((12 + 4) * 9 + 3,)
    assert eu.action_space.n == 12 + 4 + 1
    assert PlacementEnv(strategies_eu, k=3, **SHORT).action_space.n == 3 + 4 + 1


def xrplace_experiment(name):
    from pathlib import Path

    return Path(__file__).resolve().parents[2] / "experiments" / f"{name}.toml"


def test_the_reject_action_is_always_allowed_and_masks_follow_the_view(strategies_eu):
    env = make(strategies_eu)
    obs, info = env.reset(seed=1)
    for _ in range(200):
        mask = info["action_mask"]
        assert mask.dtype == bool and mask.shape == (env.slots + 1,)
        assert mask[-1]
        assert np.array_equal(mask, env.action_masks())
        rows = obs[: env.slots * 9].reshape(env.slots, 9)
        # Allowed = present, fits by the view and the path carries it.
        assert np.array_equal(mask[:-1], (rows[:, 0] == 1) & (rows[:, 1] == 1) & (rows[:, 2] == 1))
        obs, _, done, _, info = env.step(nearest_allowed(env, obs, info))
        if done:
            break


def test_an_allowed_action_never_rejects_what_another_allowed_action_places(strategies_eu):
    """Replays the episode to every step where an allowed action was rejected and tries
    every other allowed action there: none may place the session. A load the edge cannot
    carry (a hundred times the file's rate, 5 minutes) makes such steps common."""
    kw = dict(duration_s=300, overrides={"sessions.load.rate_per_s": 20.0})
    env = PlacementEnv(strategies_eu, **kw)
    rng = np.random.default_rng(0)

    def random_allowed(env, obs, info):
        allowed = np.flatnonzero(info["action_mask"][:-1])
        return int(rng.choice(allowed)) if allowed.size else env.slots

    obs, info = env.reset(seed=4)
    actions, rejected_at, masks = [], [], []
    done = False
    while not done:
        a = random_allowed(env, obs, info)
        masks.append(info["action_mask"].copy())
        obs, _, done, _, info = env.step(a)
        if a != env.slots and not info["placed"]:
            rejected_at.append(len(actions))
        actions.append(a)
    assert rejected_at, "the overload should make some allowed actions fail"
    replay = PlacementEnv(strategies_eu, **kw)
    for t in rejected_at[:5]:
        for other in np.flatnonzero(masks[t][:-1]):
            replay.reset(seed=4)
            for a in actions[:t]:
                replay.step(a)
            _, _, _, _, info = replay.step(int(other))
            assert not info["placed"], (t, other)


def test_same_constructor_seed_same_episodes_across_instances_and_resets(strategies_eu):
    a, b = make(strategies_eu, seed=42), make(strategies_eu, seed=42)
    first = [a.reset()[0], a.reset()[0], a.reset()[0]]
    second = [b.reset()[0], b.reset()[0], b.reset()[0]]
    for x, y in zip(first, second):
        assert np.array_equal(x, y)
    # Successive resets are different episodes (their first sessions differ somewhere).
    assert not all(np.array_equal(first[0], x) for x in first[1:])
    # An explicit seed gives the same episode whatever came before.
    assert np.array_equal(a.reset(seed=7)[0], make(strategies_eu).reset(seed=7)[0])


def test_pickled_environments_repeat_the_original(strategies_eu):
    env = make(strategies_eu, seed=3, per_usd=2.0)
    clone = pickle.loads(pickle.dumps(env))
    r1, _, _ = episode(env, None, nearest_allowed)
    r2, _, _ = episode(clone, None, nearest_allowed)
    assert r1 == r2


def test_gymnasium_make_render_and_episode_statistics(strategies_eu):
    env = gymnasium.make("xrplace/Placement-v0", experiment=strategies_eu, render_mode="ansi", **SHORT)
    assert env.spec is not None and env.spec.id == "xrplace/Placement-v0"
    env.reset(seed=2)
    text = env.render()
    assert "session:" in text and "allowed" in text
    rewards, _, info = episode(env.unwrapped, 2, nearest_allowed)
    stats = info["episode_stats"]
    assert set(stats) >= {"slo_violation_ratio", "rejected_ratio", "cost_usd", "sessions"}
    assert stats["sessions"] == len(rewards) == stats["decisions"]
    assert 0 <= stats["rejected_ratio"] <= 1 and stats["cost_usd"] > 0
    assert stats["return"] == pytest.approx(sum(rewards))


def test_rejecting_everything_scores_below_placing(strategies_eu):
    env = make(strategies_eu)
    good, _, good_info = episode(env, 3, nearest_allowed)
    bad, _, bad_info = episode(env, 3, reject)
    assert sum(bad) < sum(good), (sum(bad), sum(good))
    assert bad_info["episode_stats"]["rejected_ratio"] == 1.0
    assert bad_info["episode_stats"]["cost_usd"] == 0.0


def test_a_reward_function_replaces_the_weights(strategies_eu):
    env = make(strategies_eu, reward_fn=lambda p: 1.0 if p["placed"] else -1.0)
    rewards, actions, info = episode(env, 5, nearest_allowed)
    s = info["episode_stats"]
    assert sum(rewards) == s["admitted"] - s["rejected"]


def test_sweep_points_are_selectable():
    sweep = xrplace_experiment("sweep-eu")
    # 1 topology x 3 loads x 4 fault models.
    assert sweep_points(sweep) == 12
    a = PlacementEnv(sweep, sweep_point=0, duration_s=1800)
    b = PlacementEnv(sweep, sweep_point=11, duration_s=1800)
    ra, _, _ = episode(a, 1, nearest_allowed)
    rb, _, _ = episode(b, 1, nearest_allowed)
    # Point 11 has three times point 0's arrival rate (0.3 vs 0.1 sessions/s).
    assert len(rb) > 2 * len(ra)
    with pytest.raises(xrplace.ConfigError, match="expected 0..12"):
        PlacementEnv(sweep, sweep_point=12)


def test_the_vector_env_steps_worlds_and_resets_them_itself(strategies_eu):
    venv = PlacementVectorEnv(strategies_eu, num_envs=3, seed=9, duration_s=600)
    obs, info = venv.reset()
    assert obs.shape == (3,) + venv.single_observation_space.shape
    assert info["action_mask"].shape == (3, venv.slots + 1)
    ended, steps = set(), 0
    while len(ended) < 3 and steps < 10_000:
        actions = np.full(3, venv.slots)
        obs, rewards, terminated, truncated, info = venv.step(actions)
        assert rewards.shape == (3,) and not truncated.any()
        assert (rewards <= 0).all()
        for i in np.flatnonzero(terminated):
            assert info["episode_stats"][i]["rejected_ratio"] == 1.0
            ended.add(int(i))
        steps += 1
    assert ended == {0, 1, 2}
    # The world i resets itself at its next step; worlds have episodes of their own seeds.
    single = PlacementVectorEnv(strategies_eu, num_envs=1, seed=9, duration_s=600)
    o1, _ = single.reset()
    o3, _ = PlacementVectorEnv(strategies_eu, num_envs=3, seed=9, duration_s=600).reset()
    assert np.array_equal(o1[0], o3[0])


def _make_env(path):
    return lambda: PlacementEnv(path, **SHORT)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_async_vector_env_forks_after_the_parent_stepped(strategies_eu):
    parent = make(strategies_eu)
    parent.reset(seed=1)
    for _ in range(20):
        parent.step(0)
    venv = gymnasium.vector.AsyncVectorEnv([_make_env(strategies_eu)] * 2, context="fork")
    try:
        venv.reset(seed=1)
        for _ in range(20):
            venv.step(np.zeros(2, dtype=np.int64))
    finally:
        venv.close()
