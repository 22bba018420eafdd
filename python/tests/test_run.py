"""xrplace.run, plan and check from Python against the command line."""

from pathlib import Path

import pytest

import xrplace
from conftest import EXPERIMENTS, ROOT, run_cli


def test_strategies_eu_gives_the_cli_summary(tmp_path: Path, strategies_eu: Path):
    res = xrplace.run(strategies_eu, out=tmp_path / "py")
    run_cli("run", str(strategies_eu), "--out", str(tmp_path / "cli"))
    cli = (tmp_path / "cli" / "summary.csv").read_text()
    assert (tmp_path / "py" / "summary.csv").read_text() == cli
    import pandas as pd

    want = pd.read_csv(tmp_path / "cli" / "summary.csv")
    strategies = [l.split('"')[1::2] for l in strategies_eu.read_text().splitlines() if l.startswith("strategies = ")][0]
    assert list(res.summary["strategy"]) == strategies, "one summary row per strategy"
    pd.testing.assert_frame_equal(res.summary, want)
    assert res.kind == "sessions"
    assert len(res.runs) == len(want) * int(want["runs"][0])
    assert res.quantiles is not None and len(res.quantiles) > 0


class PyFirstFit(xrplace.Strategy):
    """first-fit in Python: the candidates the view says fit, by cluster id, then the rest
    in candidate order (what the built-in ranks)."""

    def place(self, request, view):
        fit = sorted(c for c, f in zip(request.clusters, request.fits) if f)
        return fit + [c for c, f in zip(request.clusters, request.fits) if not f]


def test_python_first_fit_is_byte_identical_to_the_builtin(tmp_path: Path, strategies_eu: Path):
    only = {"sessions.strategies": ["first-fit"]}
    run_cli("run", str(strategies_eu), "--set", 'sessions.strategies=["first-fit"]', "--out", str(tmp_path / "builtin"))
    xrplace.register("first-fit", PyFirstFit)
    xrplace.run(strategies_eu, only, out=tmp_path / "python", threads=2)
    for table in ["summary.csv", "runs.csv", "latency_quantiles.csv"]:
        assert (tmp_path / "python" / table).read_bytes() == (tmp_path / "builtin" / table).read_bytes(), table


def test_python_strategies_run_in_parallel_deterministically(strategies_eu: Path):
    xrplace.register("py-first-fit", PyFirstFit)
    args = dict(overrides={"sessions.strategies": ["py-first-fit", "latency-greedy"]}, runs=2, duration_s=1800)
    one = xrplace.run(strategies_eu, threads=1, **args)
    two = xrplace.run(strategies_eu, threads=2, **args)
    assert one.runs.equals(two.runs)
    assert list(one.summary["strategy"]) == ["py-first-fit", "latency-greedy"]


class Nearest(xrplace.Strategy):
    """Every candidate, nearest first: the request and view are typed objects."""

    def place(self, request, view):
        assert isinstance(request, xrplace.Request) and isinstance(view, xrplace.View)
        n = len(request.clusters)
        assert len(request.fits) == len(request.estimate_ms) == len(request.rtt_ms) == n
        assert len(view.free_cpu_cores) == len(view.up) == len(view.tier)
        assert request.rtt_ms == sorted(request.rtt_ms)
        assert set(view.tier) <= {"cloud", "edge", "far-edge"}
        assert len(view.cluster_name) == len(view.site_name) == len(view.up)
        Nearest.names = list(view.cluster_name)
        Nearest.sites.add(request.site_name)
        return list(request.clusters)

    names: list = []
    sites: set = set()


def test_request_and_view_are_typed(strategies_eu: Path):
    xrplace.register("nearest", Nearest)
    res = xrplace.run(strategies_eu, {"sessions.strategies": ["nearest"]}, runs=1, duration_s=600, metrics=True)
    assert res.summary["admitted"][0] > 0
    # The view names clusters as timeseries.csv does, and the request names its site.
    assert set(res.timeseries["cluster"]) <= set(Nearest.names)
    assert len(set(Nearest.names)) == len(Nearest.names) > 0
    topology = (ROOT / "topologies" / "eu-continuum.toml").read_text()
    assert all(f'name = "{s}"' in topology for s in Nearest.sites) and Nearest.sites


def test_run_without_figures_writes_the_same_tables(strategies_eu: Path):
    args = dict(runs=1, duration_s=300)
    drawn = xrplace.run(strategies_eu, **args)
    bare = xrplace.run(strategies_eu, figures=False, **args)
    assert any(f.startswith("plots/") for f in drawn.files)
    assert not any(f.startswith("plots/") for f in bare.files)
    assert drawn.runs.equals(bare.runs) and drawn.summary.equals(bare.summary)


class Broken(xrplace.Strategy):
    def place(self, request, view):
        raise RuntimeError("this strategy is broken")


class OutOfRange(xrplace.Strategy):
    def place(self, request, view):
        return [10_000]


def test_strategy_errors_surface_in_python(strategies_eu: Path):
    xrplace.register("broken", Broken)
    with pytest.raises(RuntimeError, match="broken"):
        xrplace.run(strategies_eu, {"sessions.strategies": ["broken"]}, runs=1, duration_s=600)
    xrplace.register("out-of-range", OutOfRange)
    with pytest.raises(ValueError, match="cluster id 10000"):
        xrplace.run(strategies_eu, {"sessions.strategies": ["out-of-range"]}, runs=1, duration_s=600)


class Mover(xrplace.Strategy):
    """Places nearest first and proposes moving every session to its nearest candidate."""

    calls = 0

    def place(self, request, view):
        return list(request.clusters)

    def rebalance(self, plan, view):
        Mover.calls += 1
        assert len(plan.session_id) == len(plan.cluster) == len(plan.site)
        return [(s, plan.candidates[site][0]) for s, site in zip(plan.session_id, plan.site)]


def test_rebalance_is_offered(strategies_eu: Path):
    xrplace.register("mover", Mover)
    xrplace.run(strategies_eu, {"sessions.strategies": ["mover"]}, runs=1, duration_s=600)
    assert Mover.calls > 0


def test_bad_files_raise_config_error_with_their_location(tmp_path: Path, strategies_eu: Path):
    text = strategies_eu.read_text()
    assert "\nruns = " in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("\nruns = ", "\nruns = -", 1))
    with pytest.raises(xrplace.ConfigError) as e:
        xrplace.check(bad)
    err = e.value
    assert err.file == str(bad)
    assert err.field == "runs"
    assert err.line == text[: text.index("\nruns = ")].count("\n") + 2
    assert err.column > 0 and err.message
    with pytest.raises(xrplace.ConfigError) as e:
        xrplace.run(strategies_eu, {"sessions.strategies": ["no-such-strategy"]})
    assert e.value.field == "sessions.strategies[0]"
    with pytest.raises(xrplace.ConfigError):
        xrplace.run(strategies_eu, duration_s="long")


def test_other_kinds_and_plan(tmp_path: Path):
    streaming = xrplace.run(EXPERIMENTS / "paper-streaming.toml", runs=1)
    assert streaming.kind == "streaming" and len(streaming.summary) > 0
    assert xrplace.check(EXPERIMENTS / "paper-capi.toml") == "provisioning"
    plan = xrplace.plan(EXPERIMENTS / "capacity-slice.toml", runs=1, duration_s=1800)
    assert plan.candidates is not None and len(plan.candidates) > 0
    assert plan.plan_toml and "[[clusters]]" in plan.plan_toml


def test_metrics_give_the_time_series(strategies_eu: Path):
    res = xrplace.run(strategies_eu, {"sessions.strategies": ["first-fit"]}, runs=1, duration_s=600, metrics=True)
    ts = res.timeseries
    assert ts is not None and set(ts["strategy"]) == {"first-fit"}
    assert ts["time_s"].max() == 600
    assert "metrics.om" in res.files


def test_the_budget_bounds_the_whole_work(strategies_eu: Path):
    with pytest.raises(xrplace.ConfigError, match="budget"):
        xrplace.run(strategies_eu, runs=10_000)
