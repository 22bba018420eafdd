"""Compare a placement heuristic written in Python with the built-in strategies on
strategies-eu, and plot SLO violation against usage cost.

    python examples/compare_strategies.py [--quick] [--out compare.png]

Run it as a notebook, cell by cell (the `# %%` markers), or as a script.
"""

# %%
import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import xrplace  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENT = ROOT / "experiments" / "strategies-eu.toml"


# %% A heuristic: the cheapest candidate the view says fits and whose estimated latency is
# within budget; failing that, the fitting one with the lowest estimate.
class CheapestWithinBudget(xrplace.Strategy):
    def place(self, request, view):
        fitting = [i for i, f in enumerate(request.fits) if f and request.allowed[i]]
        within = [i for i in fitting if request.estimate_ms[i] <= request.slo_latency_ms]
        if within:
            cost = lambda i: view.cost_per_vcpu_hour_usd[request.clusters[i]]  # noqa: E731
            order = sorted(within, key=lambda i: (cost(i), request.estimate_ms[i]))
        else:
            order = sorted(fitting, key=lambda i: request.estimate_ms[i])
        rest = [i for i in range(len(request.clusters)) if i not in order]
        return [request.clusters[i] for i in order + rest]


# %%
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="1 run of 1 hour instead of the file's")
    ap.add_argument("--out", default="compare_strategies.png")
    args = ap.parse_args()
    xrplace.register("cheapest-within-budget", CheapestWithinBudget)
    strategies = ["first-fit", "best-fit", "latency-greedy", "network-aware", "cheapest-within-budget"]
    short = dict(runs=1, duration_s=3600) if args.quick else {}
    res = xrplace.run(EXPERIMENT, {"sessions.strategies": strategies}, **short)
    table = res.summary[["strategy", "slo_violation_ratio", "rejected_ratio", "usage_cost_usd"]]
    print(table.to_string(index=False))

    fig, ax = plt.subplots(figsize=(6, 4))
    for _, row in res.summary.iterrows():
        python = row["strategy"] in xrplace.registered()
        ax.scatter(row["usage_cost_usd"], row["slo_violation_ratio"], marker="*" if python else "o", s=90 if python else 40)
        ax.annotate(row["strategy"], (row["usage_cost_usd"], row["slo_violation_ratio"]), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set_xlabel("usage cost per run, USD")
    ax.set_ylabel("share of session time over budget")
    ax.set_title("strategies-eu: Python heuristic (star) against the built-ins")
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(f"figure: {args.out}")


if __name__ == "__main__":
    main()
