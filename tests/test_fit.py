import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr

from companion import fit, models


def _funnel(n_groups=8):
    """A centred hierarchy with no data: Neal's funnel, which NUTS cannot sample cleanly."""
    with pm.Model(coords={"group": range(n_groups)}) as model:
        log_tau = pm.Normal("log_tau", 0.0, 1.5)
        pm.Normal("theta", 0.0, pm.math.exp(log_tau), dims="group")
    return model


@pytest.mark.sampling
def test_sample_is_seeded():
    with pm.Model() as model:
        pm.Normal("mu", 0.0, 1.0)
    a = fit.sample(model, random_seed=5, draws=100, tune=100)
    b = fit.sample(model, random_seed=5, draws=100, tune=100)
    c = fit.sample(model, random_seed=6, draws=100, tune=100)
    assert a.posterior["mu"].shape == (2, 100)
    np.testing.assert_array_equal(a.posterior["mu"], b.posterior["mu"])
    assert not np.array_equal(a.posterior["mu"], c.posterior["mu"])


@pytest.mark.sampling
def test_health_of_an_easy_model():
    with pm.Model(coords={"k": ["a", "b"]}) as model:
        pm.Normal("mu", [0.0, 3.0], 1.0, dims="k")
    health = fit.check_health(fit.sample(model, random_seed=1))
    assert health.ok and health.divergences == 0
    assert health.max_rhat <= 1.01 and health.min_ess_bulk >= 400
    assert "healthy" in str(health)


@pytest.mark.sampling
def test_the_funnel_is_reported_unhealthy():
    idata = fit.sample(_funnel(), random_seed=2)
    health = fit.diagnose(idata)
    assert health.divergences > 0
    assert not health.ok
    assert any("divergences" in problem for problem in health.problems)
    with pytest.raises(fit.UnhealthyFitError, match="divergences"):
        fit.check_health(idata)


def test_thresholds_are_applied():
    health = fit.Health(
        divergences=0,
        max_rhat=1.02,
        min_ess_bulk=350.0,
        min_ess_tail=500.0,
        worst={"rhat": "tau", "ess_bulk": "tau"},
        thresholds={"max_rhat": 1.01, "min_ess_bulk": 400, "max_divergences": 0},
    )
    assert not health.ok
    assert health.problems == ["r-hat 1.020 > 1.01 (on tau)", "bulk ESS 350 < 400 (on tau)"]
    relaxed = fit.Health(
        **{
            **health.__dict__,
            "thresholds": {**health.thresholds, "max_rhat": 1.05, "min_ess_bulk": 300},
        }
    )
    assert relaxed.ok


def _tree(diverging=0):
    """Two chains: ``good`` mixes, ``bad`` sits at a different level in each chain."""
    rng = np.random.default_rng(0)
    good = rng.standard_normal((2, 1000))
    bad = rng.standard_normal((2, 1000)) * 0.1 + np.array([[0.0], [3.0]])
    flags = np.zeros((2, 1000), dtype=bool)
    flags[0, :diverging] = True
    return xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset(
                {"good": (("chain", "draw"), good), "bad": (("chain", "draw"), bad)}
            ),
            "sample_stats": xr.Dataset({"diverging": (("chain", "draw"), flags)}),
        }
    )


def test_diagnose_names_the_variable_that_fails_and_var_names_restricts_the_check():
    tree = _tree()
    full = fit.diagnose(tree)
    assert not full.ok and full.worst["rhat"] == "bad" and full.max_rhat > 1.5
    part = fit.diagnose(tree, var_names=["good"])
    assert part.ok and part.max_rhat <= 1.01 and part.min_ess_bulk >= 400
    assert part.worst == {"rhat": "good", "ess_bulk": "good"}


def test_divergences_are_counted_from_the_sample_stats():
    health = fit.diagnose(_tree(diverging=3), var_names=["good"])
    assert health.divergences == 3 and not health.ok
    with pytest.raises(fit.UnhealthyFitError, match="3 divergences"):
        fit.check_health(_tree(diverging=3), var_names=["good"])


def _mean_model(y: np.ndarray) -> pm.Model:
    """obs ~ Normal(mu, 1), mu ~ Normal(0, 10), with the observed values in ``pm.Data("y")``."""
    with pm.Model() as model:
        data = pm.Data("y", y)
        mu = pm.Normal("mu", 0, 10)
        pm.Normal("obs", mu, 1, observed=data)
    return model


def test_sample_datasets_rejects_unknown_data_before_compiling():
    with pm.Model() as model:
        y = pm.Data("y", np.zeros(2))
        mu = pm.Normal("mu", 0, 1)
        pm.Normal("obs", mu, 1, observed=y)
    with pytest.raises(ValueError, match="no data 'x'.*known: y"):
        fit.sample_datasets(model, {"a": {"x": [1.0]}}, random_seed=1)
    with pytest.raises(ValueError, match="datasets is empty"):
        fit.sample_datasets(model, {}, random_seed=1)


@pytest.mark.sampling
def test_sample_datasets_follows_each_data_set_with_one_compile(monkeypatch):
    calls = []
    compile_model = fit.nutpie.compile_pymc_model
    monkeypatch.setattr(
        fit.nutpie, "compile_pymc_model", lambda m, **kw: calls.append(m) or compile_model(m, **kw)
    )
    model = _mean_model(np.zeros(4))
    sets = {"minus": {"y": np.full(4, -3.0)}, "plus": {"y": np.full(9, 3.0)}}
    fits = fit.sample_datasets(model, sets, random_seed=2, draws=400, tune=400)
    assert len(calls) == 1 and list(fits) == ["minus", "plus"]
    assert all(f.posterior.attrs["sampling_time"] > 0 for f in fits.values())
    minus, plus = (fits[k].posterior["mu"] for k in sets)
    # the posterior mean of mu is 4 * -3 / (4 + 1/100) and 9 * 3 / (9 + 1/100); sds 1/2, 1/3
    assert abs(float(minus.mean()) + 3.0) < 0.15 and abs(float(plus.mean()) - 3.0) < 0.1
    assert float(plus.std()) < float(minus.std())


@pytest.mark.sampling
def test_sample_datasets_gives_the_same_draws_through_python_functions(monkeypatch):
    model = _mean_model(np.zeros(3))
    sets = {"low": {"y": [-2.0, -1.0, -3.0]}, "high": {"y": [4.0, 5.0, 3.0]}}
    settings = {"random_seed": 5, "draws": 300, "tune": 300}
    callback = fit.sample_datasets(model, sets, **settings)
    monkeypatch.setattr(fit.nutpie, "compile_pymc_model", None)  # the Python path must not call it
    python = fit.sample_datasets(model, sets, compiled_callback=False, **settings)
    for name in sets:
        np.testing.assert_array_equal(
            python[name].posterior["mu"].to_numpy(), callback[name].posterior["mu"].to_numpy()
        )
    assert (
        float(python["low"].posterior["mu"].mean())
        < 0
        < float(python["high"].posterior["mu"].mean())
    )


@pytest.mark.sampling
def test_python_functions_run_the_chains_one_after_the_other(monkeypatch):
    calls = []
    nutpie_sample = fit.nutpie.sample
    monkeypatch.setattr(
        fit.nutpie, "sample", lambda *a, **kw: calls.append(kw) or nutpie_sample(*a, **kw)
    )
    model = _mean_model(np.zeros(3))
    settings = {"random_seed": 3, "draws": 50, "tune": 50}
    fit.sample(model, **settings)
    fit.sample_datasets(model, {"one": {"y": np.ones(3)}}, **settings)
    assert calls[0]["cores"] == 1  # through Python functions
    assert "cores" not in calls[1]  # the C callback: nutpie's default, side by side


@pytest.mark.sampling
def test_sample_compiled_gives_the_draws_of_sample_without_compiling_again():
    model = _mean_model(np.array([0.5, 1.5, 1.0]))
    direct = fit.sample(model, random_seed=11, draws=200, tune=200)
    compiled = fit.nutpie.compile_pymc_model(model)
    again = fit.sample_compiled(compiled, random_seed=11, draws=200, tune=200)
    np.testing.assert_array_equal(again.posterior["mu"], direct.posterior["mu"])
    other = fit.sample_compiled(compiled, random_seed=12, draws=200, tune=200)
    assert not np.array_equal(other.posterior["mu"], direct.posterior["mu"])
    moved = fit.sample_compiled(compiled, {"y": [9.0, 9.0]}, random_seed=11, draws=200, tune=200)
    assert float(moved.posterior["mu"].mean()) > 8


@pytest.mark.sampling
def test_sample_gives_the_draws_and_groups_of_pm_sample():
    frame = pd.DataFrame(
        {"g": ["a", "a", "b", "c"], "dose": [0.0, 1.0, 0.5, 2.0], "y": [0.3, 1.2, -0.4, 2.0]}
    )
    # predictors sit in pm.Data("x"): a data name may clash with any argument name
    model = models.partial_pooling_model(frame, group="g", predictors=("dose",), outcome="y")
    assert "x" in [var.name for var in model.data_vars]
    ours = fit.sample(model, random_seed=3, draws=150, tune=150, target_accept=0.9)
    theirs = pm.sample(
        model=model,
        draws=150,
        tune=150,
        chains=2,
        random_seed=3,
        nuts_sampler="nutpie",
        target_accept=0.9,
        progressbar=False,
        quiet=True,
    )
    assert sorted(ours.children) == sorted(theirs.children)
    for group in ("posterior", "observed_data", "constant_data"):
        xr.testing.assert_identical(
            ours[group].to_dataset().drop_attrs(), theirs[group].to_dataset().drop_attrs()
        )
    for stat in ("diverging", "depth", "step_size", "n_steps"):
        np.testing.assert_array_equal(ours.sample_stats[stat], theirs.sample_stats[stat])
    assert ours.posterior.attrs["sampling_time"] > 0
