"""Notebook 10's varying-slopes model, written out against ``pm.LKJCholeskyCov``.

For two correlated effects, ``pm.LKJCholeskyCov(n=2, eta, sd_dist)`` is the same prior as
independent standard deviations from ``sd_dist`` and a ``Beta(eta, eta)`` prior on
``(rho + 1) / 2`` (``tests/test_radon.py`` checks the densities).
:func:`companion.radon.varying_slopes_model` writes the second form. This script fits both
forms of the model, each in a fresh Python process on an empty PyTensor compile directory (a
learner's first run), with notebook 10's settings (2,000 draws per chain, 2 chains), and
prints, per form: seconds from building the model to the end of sampling, of which sampling,
the health check, and the posterior mean and sd of ``rho`` and of the floor slopes' sd. The two
posteriors should agree within Monte Carlo error; the script exits 1 if a fit is unhealthy or
a posterior mean differs by more than 4 Monte Carlo standard errors. From the repository root
(about a minute)::

    .venv/bin/python benchmarks/lkj.py
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from fresh import run_ways

if TYPE_CHECKING:
    import pandas as pd
    import pymc as pm


def lkj_model(radon: pd.DataFrame) -> pm.Model:
    """Build the varying-slopes model with ``pm.LKJCholeskyCov``, the same priors."""
    import pymc as pm

    from companion import radon as rd

    coords, county_idx = rd._coords(radon)
    coords |= {"effect": ["intercept", "floor"], "level_coef": ["intercept", "log_uranium"]}
    u = rd.county_table(radon)["log_uranium"].to_numpy()
    with pm.Model(coords=coords) as model:
        gamma = pm.Normal("gamma", 0, rd.PRIORS["coef_sd"], dims="level_coef")
        beta_bar = pm.Normal("beta_bar", 0, rd.PRIORS["coef_sd"])
        chol, corr, stds = pm.LKJCholeskyCov(
            "chol",
            n=2,
            eta=rd.PRIORS["lkj_eta"],
            sd_dist=pm.HalfNormal.dist(rd.PRIORS["scale_sd"], shape=2),
            initval=[1.0, 0.0, 1.0],
            store_in_trace=False,
        )
        pm.Deterministic("sigma_effect", stds, dims="effect")
        pm.Deterministic("rho", corr[0, 1])
        z = pm.Normal("z", 0, 1, dims=("county", "effect"))
        effect = z @ chol.T
        alpha = pm.Deterministic("alpha", gamma[0] + gamma[1] * u + effect[:, 0], dims="county")
        beta = pm.Deterministic("beta", beta_bar + effect[:, 1], dims="county")
        sigma_y = pm.HalfNormal("sigma_y", rd.PRIORS["scale_sd"])
        mu = alpha[county_idx] + beta[county_idx] * radon["floor"].to_numpy()
        pm.Normal("log_radon", mu, sigma_y, observed=radon["log_radon"].to_numpy(), dims="house")
    return model


def worker(form: str) -> dict[str, float | bool]:
    """Build and fit one form of the model; time it and summarise the posterior."""
    start = time.perf_counter()
    import arviz as az

    from companion import fit
    from companion import radon as rd

    radon = rd.load_radon()
    built = time.perf_counter()
    model = lkj_model(radon) if form == "lkj" else rd.varying_slopes_model(radon)
    idata = fit.sample(model, random_seed=2026, draws=2000)
    end = time.perf_counter()
    summary = az.summary(idata, var_names=["rho", "sigma_effect"], kind="all")
    rows = {"rho": "rho", "slope_sd": "sigma_effect[floor]"}
    result: dict[str, float | bool] = {
        "imports": built - start,
        "fit": end - built,
        "sampling": float(idata.posterior.attrs["sampling_time"]),
        "healthy": fit.diagnose(idata).ok,
    }
    for key, row in rows.items():
        for stat in ("mean", "sd", "mcse_mean"):
            result[f"{key}_{stat}"] = float(summary.loc[row, stat])
    return result


def main(argv: list[str] | None = None) -> int:
    """Fit both forms, print the table; exit status 1 on an unhealthy fit or a disagreement."""
    forms = run_ways(__file__, worker, ("lkj", "written"), argv, __doc__.splitlines()[0])
    if forms is None:
        return 0
    print("form     fit s  sampling s  healthy  rho mean (sd)  slope sd mean (sd)")
    for form, r in forms.items():
        print(
            f"{form:<8} {r['fit']:5.1f} {r['sampling']:11.1f}  {r['healthy']!s:<7}"
            f"  {r['rho_mean']:5.2f} ({r['rho_sd']:.2f})"
            f"  {r['slope_sd_mean']:5.2f} ({r['slope_sd_sd']:.2f})"
        )
    a, b = forms["lkj"], forms["written"]
    print(f"fit time, written / lkj: {b['fit'] / a['fit']:.2f}")
    agree = all(
        abs(a[f"{k}_mean"] - b[f"{k}_mean"])
        < 4 * (a[f"{k}_mcse_mean"] ** 2 + b[f"{k}_mcse_mean"] ** 2) ** 0.5
        for k in ("rho", "slope_sd")
    )
    print(f"posteriors agree within 4 Monte Carlo standard errors: {agree}")
    return 0 if agree and a["healthy"] and b["healthy"] else 1


if __name__ == "__main__":
    sys.exit(main())
