"""The cost of a strategy written in Python: sessions placed per CPU-second with the
built-in first-fit and with the same first-fit in Python, on strategies-eu (one thread,
so CPU time is the simulation's).

    python examples/strategy_cost.py [--repeat 3]
"""

import argparse
import resource
from pathlib import Path

import xrplace

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENT = ROOT / "experiments" / "strategies-eu.toml"


class PyFirstFit(xrplace.Strategy):
    def place(self, request, view):
        fit = sorted(c for c, f in zip(request.clusters, request.fits) if f)
        return fit + [c for c, f in zip(request.clusters, request.fits) if not f]


def cpu_s():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def measure(name):
    before = cpu_s()
    res = xrplace.run(EXPERIMENT, {"sessions.strategies": [name]}, threads=1)
    used = cpu_s() - before
    return int(res.runs["arrivals"].sum()), used


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    xrplace.register("first-fit-python", PyFirstFit)
    rates = {}
    for name in ["first-fit", "first-fit-python"]:
        best = None
        for _ in range(args.repeat):
            sessions, used = measure(name)
            best = used if best is None else min(best, used)
        rates[name] = sessions / best
        print(f"{name:>17}: {sessions} sessions in {best:.3f} CPU-s = {rates[name]:,.0f} sessions/CPU-s")
    print(f"the Python strategy places {rates['first-fit'] / rates['first-fit-python']:.1f}x fewer sessions per CPU-second")


if __name__ == "__main__":
    main()
