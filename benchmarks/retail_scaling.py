"""How the crossed-attribute demand model's sampling time grows with the number of products.

Simulates catalogues with :func:`companion.retail.simulate_retail` (52 weeks, the last 8 held
out, as in ``data/retail.csv``), builds :func:`companion.retail.crossed_model` on the weeks
before the held-out block, and times compilation and sampling separately, with the course's
sampler settings (nutpie, 2 chains, 1000 tuning steps; 1500 draws as in notebook 06). Prints
one row per catalogue size with the health figures of :func:`companion.fit.diagnose`.

Not part of the test suite: at 2,000 products it takes minutes. Run it from the repository
root::

    .venv/bin/python benchmarks/retail_scaling.py              # 200 and 2,000 products
    .venv/bin/python benchmarks/retail_scaling.py --products 200 500 1000
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import nutpie
import pandas as pd

from companion import fit, retail


def measure(n_products: int, *, draws: int, tune: int, seed: int) -> dict[str, object]:
    """Simulate, build, compile and sample one catalogue; return timings and health.

    Parameters
    ----------
    n_products : int
        Number of products in the simulated catalogue.
    draws, tune : int
        Kept draws and tuning steps per chain (2 chains).
    seed : int
        Seed of the simulation and of the sampler.

    Returns
    -------
    dict
        ``products``, ``rows``, ``compile_s``, ``sample_s``, ``steps_per_draw`` and the
        health figures.
    """
    sales, _ = retail.simulate_retail(n_products, seed=seed)
    train, _ = retail.split_holdout(sales, holdout_weeks=8)
    start = time.perf_counter()
    model = retail.crossed_model(train)
    compiled = nutpie.compile_pymc_model(model)
    compiled_at = time.perf_counter()
    idata = nutpie.sample(
        compiled,
        draws=draws,
        tune=tune,
        chains=fit.DEFAULTS["chains"],
        cores=fit.DEFAULTS["chains"],
        seed=seed,
        progress_bar=False,
    )
    sampled_at = time.perf_counter()
    health = fit.diagnose(idata)
    return {
        "products": n_products,
        "rows": len(train),
        "compile_s": round(compiled_at - start, 1),
        "sample_s": round(sampled_at - compiled_at, 1),
        "steps_per_draw": round(float(idata.sample_stats["n_steps"].mean()), 1),
        "divergences": health.divergences,
        "max_rhat": round(health.max_rhat, 3),
        "min_ess_bulk": round(health.min_ess_bulk),
        "healthy": health.ok,
    }


def main(argv: list[str] | None = None) -> pd.DataFrame:
    """Run the benchmark from the command line and print one row per catalogue size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--draws", type=int, default=1500)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    print(f"{platform.node()}: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    rows = []
    for n_products in args.products:
        rows.append(measure(n_products, draws=args.draws, tune=args.tune, seed=args.seed))
        print(pd.DataFrame(rows[-1:]).to_string(index=False), flush=True)
    table = pd.DataFrame(rows)
    print()
    print(table.to_string(index=False))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return table


if __name__ == "__main__":
    main()
