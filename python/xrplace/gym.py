"""Gymnasium environments over the session world: each placement decision is a step.

An episode is run 0 of one sweep point of a session experiment (``sweep_point``, counted
over its topology x load x fault-model points, default 0), stepped in place by the Rust
core (``xrplace.experiment.episode``: no thread, no rayon global pool, so forked
``AsyncVectorEnv`` workers are safe); the episode's seed replaces the experiment's. The
parsed experiment and built platform are kept, so ``reset()`` rebuilds nothing. A fault's
re-placements and rebalancing are answered by the built-in ``latency-greedy``: the agent
decides arrivals.

Spaces (the same on every topology: they depend on ``k`` alone):

- ``k`` slots for the ``k`` nearest candidate clusters of the session's site (default the
  experiment's ``candidates_per_site``) plus 4 slots for the clouds among its other
  candidates; ``S = k + 4``.
- observation: ``Box(0, 10, (S * 9 + 3,), float32)``. Per slot: present, fits (by the
  stale view), allowed (the path can carry the application), estimated latency over the
  budget, RTT over the budget, free cores over the session's cores, reserved CPU share,
  up, USD per vCPU-hour. Then the application index over the number of applications, the
  view's scrape time over the run's duration and the application's mean duration over
  1 h. Every figure is clipped to 0..10.
- action: ``Discrete(S + 1)``: a slot, or ``S`` to reject the session. The session is
  tried on the slot's cluster first, then (``try_others=True``, the default) on every
  other allowed slot, lowest estimated latency first, as built-in strategies rank; a slot
  with no candidate rejects.
- ``action_masks()`` and ``info["action_mask"]`` (sb3-contrib ``MaskablePPO``'s
  convention, ``True`` = allowed): a slot is allowed if the view says it fits and its
  path can carry the session; the reject action always is. What the mask promises: the
  view is the last scrape's, so an allowed slot may really be full; with ``try_others``
  an allowed action is rejected only if no allowed slot can really take the session, so
  it never rejects a session that another allowed action would place.
- reward (``xrplace/experiment/reward.rs``): minus ``over_budget_per_min`` times the
  minutes of session time over the latency budget, minus ``rejected_per_min`` times the
  minutes of a rejected session's expected duration (a rejected session counts as one
  over budget all along), minus ``per_usd`` times the usage cost in USD (defaults 1, 1,
  1). A step is charged its own decision: the placed session's expected time over budget
  (its mean duration times the flow model's share of frames over budget on the chosen
  cluster) and its cost over that duration. The episode's last step adds the correction
  to what the run recorded, so the episode's totals of time over budget and cost are the
  run's own. ``reward_fn(parts) -> float`` replaces the weights: ``parts`` holds
  ``over_budget_s``, ``usd``, ``rejected_s`` and ``placed``.
- ``info`` at the last step: ``episode`` statistics (``slo_violation_ratio``,
  ``rejected_ratio``, ``cost_usd``, ``sessions``, ``admitted``, ``rejected``,
  ``decisions``, ``return``).
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, Optional, Tuple

import gymnasium
import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from . import _native
from . import _sets

CLIP = 10.0
ENV_ID = "xrplace/Placement-v0"

RewardFn = Callable[[Dict[str, Any]], float]


def _stats(s) -> Dict[str, Any]:
    """The episode statistics of the core's tuple, named."""
    names = ("slo_violation_ratio", "rejected_ratio", "cost_usd", "sessions",
             "admitted", "rejected", "decisions", "return")
    return dict(zip(names, s))


def _weights(over_budget_per_min: float, rejected_per_min: float, per_usd: float):
    return (float(over_budget_per_min), float(rejected_per_min), float(per_usd))


class PlacementEnv(gymnasium.Env):
    """Placement of XR sessions on the clusters of an experiment, one decision per step.

    ``experiment``: a session experiment file; ``overrides`` and keyword arguments as for
    :func:`xrplace.run` (for example ``duration_s=600``); ``seed``: seeds the first
    ``reset()`` given none, and so every later one (same seed, same episodes);
    ``sweep_point``: which topology x load x fault-model point; ``k``: nearest-candidate
    slots; ``try_others``: fall back to the other allowed slots; reward weights
    ``over_budget_per_min``, ``rejected_per_min``, ``per_usd``, or ``reward_fn``;
    ``render_mode``: ``"ansi"`` or None.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}

    def __init__(
        self,
        experiment,
        seed: Optional[int] = None,
        overrides: Optional[Dict[str, Any]] = None,
        sweep_point: int = 0,
        k: Optional[int] = None,
        try_others: bool = True,
        over_budget_per_min: float = 1.0,
        rejected_per_min: float = 1.0,
        per_usd: float = 1.0,
        reward_fn: Optional[RewardFn] = None,
        render_mode: Optional[str] = None,
        **kwargs,
    ) -> None:
        super().__init__()
        if render_mode not in (None, "ansi"):
            raise ValueError(f"render_mode {render_mode!r}: expected None or 'ansi'")
        self._args = dict(
            experiment=os.fspath(experiment), seed=seed, overrides=overrides,
            sweep_point=sweep_point, k=k, try_others=try_others,
            over_budget_per_min=over_budget_per_min, rejected_per_min=rejected_per_min,
            per_usd=per_usd, reward_fn=reward_fn, render_mode=render_mode, **kwargs,
        )
        self.render_mode = render_mode
        self._reward_fn = reward_fn
        self._seed = seed
        self._core = _native.EnvCore(
            self._args["experiment"], _sets(overrides, kwargs), int(sweep_point), k,
            bool(try_others), _weights(over_budget_per_min, rejected_per_min, per_usd),
            0 if seed is None else int(seed),
        )
        slots, f, g = self._core.shape()
        self.slots = slots
        self.observation_space = spaces.Box(0.0, CLIP, shape=(slots * f + g,), dtype=np.float32)
        self.action_space = spaces.Discrete(slots + 1)
        self._mask = np.ones(slots + 1, dtype=bool)
        self._started = False

    def __getstate__(self):
        return self._args

    def __setstate__(self, args):
        args = dict(args)
        experiment = args.pop("experiment")
        self.__init__(experiment, **args)

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None) -> Tuple[np.ndarray, dict]:
        if seed is None and not self._started:
            seed = self._seed
        super().reset(seed=seed)
        self._started = True
        episode_seed = int(self.np_random.integers(0, 2**63 - 1))
        obs, mask, _ = self._core.reset(episode_seed)
        self._mask = np.frombuffer(mask, dtype=bool)
        return np.frombuffer(obs, dtype=np.float32), {"action_mask": self._mask}

    def step(self, action) -> Tuple[np.ndarray, float, bool, bool, dict]:
        if not self._started:
            raise RuntimeError("call reset() before step()")
        a = int(action)
        if not 0 <= a <= self.slots:
            raise ValueError(f"action {a} is outside Discrete({self.slots + 1})")
        obs, mask, reward, done, parts = self._core.step(a)
        self._mask = np.frombuffer(mask, dtype=bool)
        info = {"action_mask": self._mask, "placed": parts[3]}
        if self._reward_fn is not None:
            reward = float(self._reward_fn(
                {"over_budget_s": parts[0], "usd": parts[1], "rejected_s": parts[2], "placed": parts[3]}))
        if done:
            info["episode_stats"] = _stats(self._core.stats())
        return np.frombuffer(obs, dtype=np.float32), float(reward), bool(done), False, info

    def action_masks(self) -> np.ndarray:
        """The allowed actions of the pending decision (``True`` = allowed)."""
        return self._mask

    def episode_stats(self) -> Dict[str, Any]:
        """The episode's statistics so far (final once it has ended)."""
        return _stats(self._core.stats())

    def render(self) -> Optional[str]:
        if self.render_mode == "ansi":
            return self._core.render()
        return None


class PlacementVectorEnv(VectorEnv):
    """``num_envs`` placement environments stepped in Rust in one call.

    Gymnasium's ``VectorEnv`` API with next-step autoreset: the step after an episode
    ends resets that environment (its action ignored, reward 0). Environment ``i``'s
    episodes are seeded from ``seed + i``. ``info["action_mask"]`` holds every
    environment's mask (shape ``(num_envs, S + 1)``); at a step where environments end,
    ``info["episode_stats"]`` maps their index to their statistics. Other arguments as
    for :class:`PlacementEnv` (``reward_fn`` is not offered: rewards are computed in
    Rust).
    """

    metadata = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": []}

    def __init__(
        self,
        experiment,
        num_envs: int = 8,
        seed: int = 0,
        overrides: Optional[Dict[str, Any]] = None,
        sweep_point: int = 0,
        k: Optional[int] = None,
        try_others: bool = True,
        over_budget_per_min: float = 1.0,
        rejected_per_min: float = 1.0,
        per_usd: float = 1.0,
        **kwargs,
    ) -> None:
        self._core = _native.VecEnvCore(
            os.fspath(experiment), _sets(overrides, kwargs), int(sweep_point), k,
            bool(try_others), _weights(over_budget_per_min, rejected_per_min, per_usd),
            int(num_envs), int(seed),
        )
        n, slots, f, g = self._core.shape()
        self.num_envs = n
        self.slots = slots
        self.single_observation_space = spaces.Box(0.0, CLIP, shape=(slots * f + g,), dtype=np.float32)
        self.single_action_space = spaces.Discrete(slots + 1)
        self.observation_space = batch_space(self.single_observation_space, n)
        self.action_space = batch_space(self.single_action_space, n)
        self._obs_len = slots * f + g
        self._mask = np.ones((n, slots + 1), dtype=bool)

    def _arrays(self, obs, mask):
        o = np.frombuffer(obs, dtype=np.float32).reshape(self.num_envs, self._obs_len)
        m = np.frombuffer(mask, dtype=bool).reshape(self.num_envs, self.slots + 1)
        return o, m

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
        obs, mask = self._core.reset(None if seed is None else int(seed))
        o, m = self._arrays(obs, mask)
        self._mask = m
        return o, {"action_mask": m}

    def step(self, actions):
        a = np.ascontiguousarray(actions, dtype=np.int64).tobytes()
        obs, mask, rewards, done, _reset, finished = self._core.step(a)
        o, m = self._arrays(obs, mask)
        self._mask = m
        info: Dict[str, Any] = {"action_mask": m}
        if finished:
            info["episode_stats"] = {i: _stats(s) for i, s in finished}
        terminated = np.frombuffer(done, dtype=bool)
        truncated = np.zeros(self.num_envs, dtype=bool)
        return o, np.frombuffer(rewards, dtype=np.float64), terminated, truncated, info

    def action_masks(self) -> np.ndarray:
        """Every environment's allowed actions, ``(num_envs, S + 1)``."""
        return self._mask


def sweep_points(experiment, overrides: Optional[Dict[str, Any]] = None, **kwargs) -> int:
    """How many sweep points (topology x load x fault model) ``experiment`` offers."""
    return _native.env_sweep_points(os.fspath(experiment), _sets(overrides, kwargs))


if ENV_ID not in gymnasium.registry:
    gymnasium.register(id=ENV_ID, entry_point="xrplace.gym:PlacementEnv")
