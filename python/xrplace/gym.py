"""A Gymnasium environment over the session world: each placement decision is a step.

An episode is run 0 of the experiment's first sweep point (its topology, arrival rate and
fault model), simulated by the Rust core on a thread of its own; the episode's seed replaces
the experiment's, so ``reset(seed=s)`` with the same actions gives the same episode.

Spaces (``K`` = clusters of the topology):

- observation: ``Box(0, 10, (K * 9 + 2,), float32)``. For each candidate slot ``i < K``
  (nearest candidate first; slots past the site's candidates are all 0): present, fits
  (by the stale view), allowed (the path can carry the application), estimated latency
  over the budget, RTT over the budget, free cores over the session's cores, reserved CPU
  share, up, USD per vCPU-hour. Then the application index over the number of
  applications, and the view's scrape time over the run's duration. Every figure is
  clipped to 0..10.
- action: ``Discrete(K + 1)``: a candidate slot, or ``K`` to reject the session. The
  world admits the session on the chosen cluster only if it really has room (the view
  may be stale), else rejects it; a slot past the candidates rejects.
- reward: minus the minutes of session time over the latency budget, minus the sessions
  rejected, minus the usage cost in USD, all accounted since the previous decision.
  Session time is accounted when a group of sessions' latency changes, so a decision's
  consequences may arrive some steps later; the episode's total is exact.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Optional, Tuple

import gymnasium
import numpy as np
from gymnasium import spaces

from . import _native
from . import _sets

CLIP = 10.0


class PlacementEnv(gymnasium.Env):
    """Placement of XR sessions on the clusters of an experiment, one decision per step.

    ``experiment_path``: a session experiment file; ``overrides`` and keyword arguments
    as for :func:`xrplace.run` (for example ``duration_s=600``); ``seed``: the first
    episode's seed when ``reset`` is given none (later episodes draw theirs from the
    environment's generator).
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        experiment_path,
        seed: Optional[int] = None,
        overrides: Optional[Dict[str, Any]] = None,
        **kwargs,
    ) -> None:
        super().__init__()
        self._path = os.fspath(experiment_path)
        self._sets = _sets(overrides, kwargs)
        k, f, g = _native.env_shape(self._path, self._sets)
        self.slots = k
        self.observation_space = spaces.Box(0.0, CLIP, shape=(k * f + g,), dtype=np.float32)
        self.action_space = spaces.Discrete(k + 1)
        self._first_seed = seed
        self._core = None

    def _episode_seed(self, seed: Optional[int]) -> int:
        if seed is not None:
            return int(seed)
        if self._first_seed is not None:
            s, self._first_seed = self._first_seed, None
            return int(s)
        return int(self.np_random.integers(0, 2**63 - 1))

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None) -> Tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self.close()
        self._core = _native.EnvCore(self._path, self._sets, self._episode_seed(seed))
        obs, _, done = self._core.first()
        return np.asarray(obs, dtype=np.float32), {"empty_episode": done}

    def step(self, action) -> Tuple[np.ndarray, float, bool, bool, dict]:
        if self._core is None:
            raise RuntimeError("call reset() before step()")
        a = int(action)
        if not 0 <= a <= self.slots:
            raise ValueError(f"action {a} is outside Discrete({self.slots + 1})")
        obs, reward, done = self._core.step(None if a == self.slots else a)
        return np.asarray(obs, dtype=np.float32), float(reward), bool(done), False, {}

    def close(self) -> None:
        if self._core is not None:
            self._core.close()
            self._core = None
