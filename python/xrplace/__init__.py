"""xrplace from Python: run experiment files, write placement strategies in Python, and
learn placement with a Gymnasium environment (``xrplace.gym.PlacementEnv``).

Tables come back as pandas DataFrames, read from the same CSV files ``xrplace run``
writes (pandas rather than pyarrow: it is what the simulators of this field and their
users' notebooks already use, and the tables are small).

>>> import xrplace
>>> res = xrplace.run("experiments/strategies-eu.toml", runs=1, duration_s=600)
>>> res.summary[["strategy", "slo_violation_ratio"]]
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Type

import pandas as pd

from . import _native
from ._native import ConfigError, Plan, Request, View

__all__ = [
    "ConfigError",
    "Plan",
    "Request",
    "Result",
    "Strategy",
    "View",
    "builtin_strategies",
    "check",
    "plan",
    "register",
    "registered",
    "run",
    "unregister",
]

__version__ = _native.VERSION


class Strategy:
    """Base class of a placement strategy written in Python.

    The session world makes one instance per run, ``cls(seed)`` (``seed``: an int drawn from
    the run's own random stream, so runs stay reproducible), and calls :meth:`place` for
    every arriving session. It admits the session on the first cluster of the returned
    ranking that really has room and whose path can carry it, else rejects it: exactly as
    for the built-in strategies, which see the same stale view.

    Define ``rebalance(self, plan, view)`` to be offered the running sessions after every
    new monitored view; return a list of ``(session_id, cluster_id)`` moves (each costs the
    session a migration downtime) or ``None``.
    """

    #: Set by the base constructor.
    seed: int

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def place(self, request: Request, view: View) -> List[int]:
        """Cluster ids to try, best first. ``request.clusters`` are the candidates
        (nearest first) with their per-candidate figures (``fits``, ``allowed``,
        ``estimate_ms``, ``rtt_ms``); ``view`` lists every cluster by id."""
        raise NotImplementedError

    rebalance = None


_registry: Dict[str, Type[Strategy]] = {}


def register(name: str, cls: Type[Strategy]) -> None:
    """Makes ``cls`` the strategy called ``name`` in experiment files
    (``sessions.strategies``). A name of a built-in replaces it for this process."""
    if not isinstance(name, str) or not name:
        raise ValueError("a strategy name is a non-empty string")
    if not callable(getattr(cls, "place", None)):
        raise TypeError(f"{cls!r} has no place(request, view) method")
    _registry[name] = cls


def unregister(name: str) -> None:
    """Forgets the Python strategy called ``name`` (a built-in of that name returns)."""
    _registry.pop(name, None)


def registered() -> Dict[str, Type[Strategy]]:
    """The Python strategies registered, by name."""
    return dict(_registry)


def builtin_strategies() -> List[str]:
    """Names of the built-in strategies."""
    return list(_native.builtin_strategies())


def _toml(value) -> str:
    """A Python value as the TOML literal ``--set`` takes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"cannot pass {value!r} as an override (bool, number, string or list)")


def _sets(overrides: Optional[Dict[str, object]], kwargs: Dict[str, object]) -> List[str]:
    """``key=value`` overrides: ``overrides`` keeps dotted keys as they are
    (``{"sessions.strategies": [...]}``); keyword arguments spell dots as ``__``
    (``sessions__load__rate_per_s=0.5``)."""
    items = dict(overrides or {})
    items.update({k.replace("__", "."): v for k, v in kwargs.items()})
    return [f"{k}={_toml(v)}" for k, v in items.items()]


_TABLES = {
    "runs": "runs.csv",
    "summary": "summary.csv",
    "quantiles": "latency_quantiles.csv",
    "app_latency": "app_latency.csv",
    "timeseries": "timeseries.csv",
    "trace": "trace.csv",
    "candidates": "candidates.csv",
}


@dataclass
class Result:
    """What a run or a plan wrote: its kind, its folder and its tables (``None`` where the
    kind has no such table)."""

    kind: str
    folder: Optional[Path]
    runs: Optional[pd.DataFrame] = None
    summary: Optional[pd.DataFrame] = None
    quantiles: Optional[pd.DataFrame] = None
    app_latency: Optional[pd.DataFrame] = None
    timeseries: Optional[pd.DataFrame] = None
    trace: Optional[pd.DataFrame] = None
    candidates: Optional[pd.DataFrame] = None
    plan_toml: Optional[str] = None
    files: List[str] = field(default_factory=list)


def _read(kind: str, folder: Path, keep: bool) -> Result:
    res = Result(kind=kind, folder=folder if keep else None)
    for attr, name in _TABLES.items():
        p = folder / name
        if p.is_file():
            setattr(res, attr, pd.read_csv(p))
    plan_file = folder / "plan.toml"
    if plan_file.is_file():
        res.plan_toml = plan_file.read_text()
    res.files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    return res


def _call(native, path, out, seed, threads, overrides, kwargs, **flags) -> Result:
    sets = _sets(overrides, kwargs)
    keep = out is not None
    folder = Path(out) if keep else Path(tempfile.mkdtemp(prefix="xrplace-"))
    try:
        got = native(os.fspath(path), sets, os.fspath(folder), dict(_registry), seed, threads, **flags)
        return _read(got, folder, keep)
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def run(
    path,
    overrides: Optional[Dict[str, object]] = None,
    *,
    out=None,
    seed: Optional[int] = None,
    threads: int = 0,
    metrics: bool = False,
    figures: bool = True,
    **kwargs,
) -> Result:
    """Runs the experiment file at ``path`` as ``xrplace run`` does and returns its tables.

    ``overrides`` and keyword arguments are the command line's ``--set``: ``runs=1``,
    ``duration_s=600``, ``overrides={"sessions.strategies": ["first-fit"]}``.
    ``out`` keeps the output folder (by default it is written to a temporary folder and
    removed). ``seed`` replaces the experiment's seed; ``threads`` (0: one per core) runs
    the sweep's jobs in parallel, Python strategies included (they take the GIL only while
    they decide). ``metrics=True`` adds the monitoring samples as ``--metrics
    openmetrics`` does (session experiments: ``timeseries``, and ``metrics.om`` in the
    folder; streaming experiments: ``metrics.om``; refused for the other kinds).
    ``figures=False`` writes only the tables (no ``plots/``; drawing the PNGs is most of
    the time of a short run's output), as ``xrplace run --no-figures``.
    The command line's default budget bounds the whole work. Raises
    :class:`ConfigError` for a bad file, override or budget.
    """
    return _call(
        _native.run_experiment, path, out, seed, threads, overrides, kwargs, metrics=metrics, figures=figures
    )


def plan(
    path,
    overrides: Optional[Dict[str, object]] = None,
    *,
    out=None,
    seed: Optional[int] = None,
    threads: int = 0,
    figures: bool = True,
    **kwargs,
) -> Result:
    """Searches the capacity plan of the experiment at ``path`` (``xrplace plan``):
    ``candidates`` holds every plan simulated and ``plan_toml`` the chosen plan.
    ``figures=False`` skips ``plots/cost_vs_slo``."""

    def native(p, sets, folder, strategies, seed, threads):
        _native.plan_experiment(p, sets, folder, strategies, seed, threads, figures=figures)
        return "plan"

    return _call(native, path, out, seed, threads, overrides, kwargs)


def check(path, overrides: Optional[Dict[str, object]] = None, **kwargs) -> str:
    """Validates the experiment file at ``path`` (with overrides); returns its kind
    (``sessions``, ``streaming``, ``provisioning``, ``interconnects``) or raises
    :class:`ConfigError` with ``file``, ``line``, ``column`` and ``field``."""
    return _native.check_experiment(os.fspath(path), _sets(overrides, kwargs), dict(_registry))
