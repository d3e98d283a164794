"""How :func:`companion.fit.sample` should let nutpie call a model's log-density.

nutpie can call the log-density that PyTensor compiles with numba in two ways: through a C
callback that numba compiles for each model (``pm.sample``'s way, ``compiled_callback=True``),
or through Python functions around the same numba code (nutpie's ``from_pyfunc``, the default
of :func:`companion.fit.sample`). The first costs seconds of compiling, the second more per
gradient evaluation. This script fits three of the course's models both ways, each way in a
fresh Python process with an empty PyTensor compile directory (a learner's first run), in this
order, as a notebook would:

- ``schools``: eight schools, partial pooling with known standard errors, 1,000 draws (the
  first model of a process also pays for numba's start-up);
- ``surgical``: twelve hospitals, binomial partial pooling, 2,000 draws;
- ``coins``: notebook 05's centred model of the data-poor coins at ``target_accept=0.99``,
  2,000 draws (exercise 05-2): long trajectories.

Per fit it prints the seconds before sampling (``setup``: building the functions, compiling),
the seconds of sampling, the gradient evaluations of the kept draws (tuning is not stored),
the extra microseconds per kept-draw gradient of the Python path (an upper bound on the cost
per gradient, since tuning's gradients are not counted), and whether both ways gave the same
draws. Last, it samples the surgical model with one chain and with two, each way: with the
C callback the two chains run side by side; through Python, which holds the interpreter's lock,
they run one after the other (two chains take about twice the time of one; side by side they
took about three times, waiting for each other's turn). From the repository root (about a
minute)::

    .venv/bin/python benchmarks/callback.py
"""

from __future__ import annotations

import hashlib
import sys
import time

from fresh import run_ways


def worker(way: str) -> dict[str, dict[str, float | int | str]]:
    """Fit the three models one way (``"python"`` or ``"callback"``) and time each fit."""
    import numpy as np

    from companion import coins, data, fit, models, simulate

    schools, surgical = data.load_eight_schools(), data.load_surgical()
    design = {"n_regions": 1, "n_factories": 1, "n_lines": 8, "n_coins": (2, 4)}
    poor, _ = simulate.simulate_coins(n_flips=(3, 10), random_seed=2026, **design)
    fits = {
        "schools": (
            models.partial_pooling_model(
                schools, group="school", outcome="effect", predictors=(), sigma="se"
            ),
            {"draws": 1000},
        ),
        "surgical": (
            models.partial_pooling_model(
                surgical, group="hospital", outcome="deaths", trials="operations", predictors=()
            ),
            {"draws": 2000},
        ),
        "coins": (
            coins.nested_model(poor, hierarchy=["line", "coin"], centered=True),
            {"draws": 2000, "target_accept": 0.99},
        ),
    }
    results = {}
    for name, (model, settings) in fits.items():
        start = time.perf_counter()
        idata = fit.sample(model, random_seed=2026, compiled_callback=way == "callback", **settings)
        total = time.perf_counter() - start
        sampling = float(idata.posterior.attrs["sampling_time"])
        digest = hashlib.sha256()
        for var in sorted(idata.posterior.data_vars):
            digest.update(np.ascontiguousarray(idata.posterior[var].to_numpy()).tobytes())
        results[name] = {
            "setup": total - sampling,
            "sampling": sampling,
            "gradients": int(idata.sample_stats["n_steps"].sum()),
            "draws": digest.hexdigest()[:12],
        }
    # One chain against two, sampling only, on the surgical model: side by side or one by one?
    model = fits["surgical"][0]
    for chains in (1, 2):
        idata = fit.sample(
            model, random_seed=2026, chains=chains, compiled_callback=way == "callback"
        )
        results["surgical"][f"sampling_{chains}_chains"] = idata.posterior.attrs["sampling_time"]
    return results


def main(argv: list[str] | None = None) -> int:
    """Time both ways, print the table; exit status 1 if the draws differ."""
    ways = run_ways(__file__, worker, ("callback", "python"), argv, __doc__.splitlines()[0])
    if ways is None:
        return 0
    header = "fit        way       setup s  sampling s  total s  gradients  extra us/gradient"
    print(header)
    same = True
    for name in ways["python"]:
        c, p = ways["callback"][name], ways["python"][name]
        extra = 1e6 * (p["sampling"] - c["sampling"]) / p["gradients"]
        for way, r in (("callback", c), ("python", p)):
            print(
                f"{name:<10} {way:<8} {r['setup']:8.1f} {r['sampling']:11.1f} "
                f"{r['setup'] + r['sampling']:8.1f} {r['gradients']:10d}"
                + (f" {extra:18.0f}" if way == "python" else "")
            )
        same &= c["draws"] == p["draws"]
    print(f"same draws both ways: {same}")
    for way in ("callback", "python"):
        one, two = (ways[way]["surgical"][f"sampling_{n}_chains"] for n in (1, 2))
        print(f"surgical, {way}: two chains take {two / one:.1f}x the sampling time of one")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
