"""How the crossed-attribute demand model's fit time grows with the number of products.

For each catalogue size, simulates weekly sales with :func:`companion.simulate.simulate_retail`
(52 weeks, the last 8 held out, as in ``data/retail.csv``), builds
:func:`companion.retail.crossed_model` on the weeks before the held-out block, compiles it with
nutpie and samples it with the course's settings (2 chains, 1000 tuning steps, 1500 draws as
in notebook 06). Compile time and sampling time are timed separately (wall clock, and the
process's CPU time), next to the health figures of :func:`companion.fit.diagnose`.

Each size runs in a fresh Python process with an empty PyTensor compile directory, after a
small warm-up model (the first model a process compiles pays for Numba's own start-up), so
that every row measures a learner's first compile of that model. The targets checked: every
fit healthy (0 divergences, r-hat <= 1.01, bulk ESS >= 400) and the largest catalogue's total
time (compile + sampling) at most ``--max-ratio`` times the smallest one's. The exit status is
1 if a target fails.

Not part of the test suite: at 2,000 products it takes a few minutes. From the repository
root::

    .venv/bin/python benchmarks/retail_scaling.py                     # 200 and 2,000 products
    .venv/bin/python benchmarks/retail_scaling.py --out retail_scaling.txt
    .venv/bin/python benchmarks/retail_scaling.py --products 200 500 1000 --draws 1000
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from importlib.metadata import version

import pandas as pd
from fresh import run_fresh

HEALTH = {"divergences": 0, "max_rhat": 1.01, "min_ess_bulk": 400}


def measure(n_products: int, *, draws: int, tune: int, seed: int) -> dict[str, object]:
    """Simulate, build, compile and sample one catalogue; return timings and health.

    Call it in a fresh process: it first compiles and samples a small warm-up model, so that
    the times measured are those of this model alone.

    Parameters
    ----------
    n_products : int
        Number of products in the simulated catalogue.
    draws, tune : int
        Kept draws and tuning steps per chain (2 chains, run in parallel).
    seed : int
        Seed of the simulation and of the sampler.

    Returns
    -------
    dict
        ``products``, ``rows``, ``compile_s``, ``sample_s``, ``total_s`` (wall clock),
        ``compile_cpu_s``, ``sample_cpu_s`` (CPU time of the process, all threads),
        ``steps_per_draw`` and the health figures.
    """
    import nutpie

    from companion import fit, retail, simulate

    def compile_and_sample(model: object, **kwargs: object) -> tuple[object, list[float]]:
        clocks = [time.perf_counter(), time.process_time()]
        compiled = nutpie.compile_pymc_model(model)
        clocks += [time.perf_counter(), time.process_time()]
        idata = nutpie.sample(
            compiled,
            chains=fit.DEFAULTS["chains"],
            cores=fit.DEFAULTS["chains"],
            seed=seed,
            progress_bar=False,
            **kwargs,
        )
        clocks += [time.perf_counter(), time.process_time()]
        return idata, clocks

    small, _ = simulate.simulate_retail(20, 10, holdout_weeks=2, random_seed=seed)
    compile_and_sample(retail.no_pooling_model(small), draws=20, tune=20)
    sales, _ = simulate.simulate_retail(n_products, random_seed=seed)
    train, _ = retail.split_holdout(sales, holdout_weeks=8)
    model = retail.crossed_model(train)
    idata, (t0, c0, t1, c1, t2, c2) = compile_and_sample(model, draws=draws, tune=tune)
    health = fit.diagnose(idata)
    return {
        "products": n_products,
        "rows": len(train),
        "compile_s": round(t1 - t0, 1),
        "sample_s": round(t2 - t1, 1),
        "total_s": round(t2 - t0, 1),
        "compile_cpu_s": round(c1 - c0, 1),
        "sample_cpu_s": round(c2 - c1, 1),
        "steps_per_draw": round(float(idata.sample_stats["n_steps"].mean()), 1),
        "divergences": health.divergences,
        "max_rhat": round(health.max_rhat, 3),
        "min_ess_bulk": round(health.min_ess_bulk),
        "healthy": health.ok,
    }


def _run_fresh(n_products: int, args: argparse.Namespace) -> dict[str, object]:
    """Run :func:`measure` in a new process with an empty compile directory."""
    settings = ["--draws", str(args.draws), "--tune", str(args.tune), "--seed", str(args.seed)]
    return run_fresh(__file__, "--one", str(n_products), *settings)


def failures(table: pd.DataFrame, max_ratio: float) -> list[str]:
    """List the targets a results table misses, as sentences (empty if all are met)."""
    missed = []
    for row in table.itertuples():
        if row.divergences > HEALTH["divergences"]:
            missed.append(f"{row.products} products: {row.divergences} divergences")
        if row.max_rhat > HEALTH["max_rhat"]:
            missed.append(f"{row.products} products: r-hat {row.max_rhat} > {HEALTH['max_rhat']}")
        if row.min_ess_bulk < HEALTH["min_ess_bulk"]:
            missed.append(
                f"{row.products} products: bulk ESS {row.min_ess_bulk} < {HEALTH['min_ess_bulk']}"
            )
    smallest = table.loc[table["products"].idxmin()]
    largest = table.loc[table["products"].idxmax()]
    ratio = largest["total_s"] / smallest["total_s"]
    if len(table) > 1 and ratio > max_ratio:
        missed.append(
            f"{largest['products']} products took {ratio:.2f} times as long as "
            f"{smallest['products']} (target: at most {max_ratio})"
        )
    return missed


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, and return 1 if a target fails (else 0)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--draws", type=int, default=1500)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--max-ratio", type=float, default=3.0)
    parser.add_argument("--out", help="also write the report to this file")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        row = measure(args.one, draws=args.draws, tune=args.tune, seed=args.seed)
        print(json.dumps(row))
        return 0

    lines = [
        f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}",
        f"date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"machine: {platform.node()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, pymc {version('pymc')}, "
        f"nutpie {version('nutpie')}, pytensor {version('pytensor')}",
        f"settings: 2 chains, tune={args.tune}, draws={args.draws}, seed={args.seed}",
        f"load average before: {os.getloadavg()[0]:.2f}",
    ]
    print("\n".join(lines), flush=True)
    rows = []
    for n_products in args.products:
        rows.append(_run_fresh(n_products, args))
        print(pd.DataFrame(rows[-1:]).to_string(index=False), flush=True)
    table = pd.DataFrame(rows)
    missed = failures(table, args.max_ratio)
    ratio = table["total_s"].iloc[-1] / table["total_s"].iloc[0]
    cpu = table["compile_cpu_s"] + table["sample_cpu_s"]
    lines += [
        "",
        table.to_string(index=False),
        "",
        f"total time, last size / first size: {ratio:.2f} (target <= {args.max_ratio}); "
        f"in CPU time: {cpu.iloc[-1] / cpu.iloc[0]:.2f}",
        f"load average after: {os.getloadavg()[0]:.2f}",
        "targets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)),
    ]
    print("\n".join(lines[-6:]))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
