import dataclasses

import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr
from scipy import special, stats

from companion import crossval, exact, fit
from companion.simulate import SCENARIOS, simulate_scenario

SEEDS = range(8)


def test_group_folds_zero_only_the_left_out_rows():
    frame = pd.DataFrame({"h": ["B", "A", "B"], "n": [5, 6, 7], "y": [1, 2, 3]})
    folds = crossval.group_folds(frame, group="h", zero={"trials": "n", "obs": "y"})
    assert list(folds) == ["A", "B"]
    assert folds["A"]["trials"].tolist() == [5, 0, 7]
    assert folds["B"]["obs"].tolist() == [0, 2, 0]
    assert frame["n"].tolist() == [5, 6, 7]  # the input is not changed


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"group": "hospital", "zero": {"trials": "n"}}, "missing column 'hospital'"),
        ({"group": "h", "zero": {"trials": "count"}}, "missing column 'count'"),
        ({"group": "h", "zero": {}}, "zero is empty"),
    ],
)
def test_group_folds_rejects_bad_columns(kwargs, message):
    frame = pd.DataFrame({"h": ["A"], "n": [5]})
    with pytest.raises(ValueError, match=message):
        crossval.group_folds(frame, **kwargs)


def _tiny_model():
    with pm.Model() as model:
        y = pm.Data("y", np.zeros(2))
        mu = pm.Normal("mu", 0, 1)
        pm.Normal("obs", mu, 1, observed=y)
    return model


@pytest.mark.parametrize(
    ("folds", "message"),
    [
        ({}, "folds is empty"),
        ({"f": {"x": [0.0, 0.0]}}, "no data 'x'"),
        ({"f": {"y": [0.0, 0.0, 0.0]}}, r"shape \(3,\)"),
    ],
)
def test_refit_folds_rejects_bad_folds_before_compiling(folds, message):
    with pytest.raises(ValueError, match=message):
        crossval.refit_folds(_tiny_model(), folds, random_seed=1)


@pytest.mark.sampling
def test_refit_folds_compiles_once_and_left_out_group_keeps_its_prior(monkeypatch):
    calls = []
    compile_model = fit.nutpie.compile_pymc_model

    def counting(model, **kwargs):
        calls.append(model)
        return compile_model(model, **kwargs)

    monkeypatch.setattr(fit.nutpie, "compile_pymc_model", counting)
    frame = pd.DataFrame({"h": ["A", "B", "C"], "n": [200, 300, 250], "y": [20, 33, 24]})
    with pm.Model(coords={"h": frame["h"], "obs": range(3)}) as model:
        n = pm.Data("n", frame["n"].to_numpy(), dims="obs")
        y = pm.Data("y", frame["y"].to_numpy(), dims="obs")
        a = pm.Normal("a", 0, 2.5, dims="h")
        pm.Binomial("deaths", n=n, logit_p=a, observed=y, dims="obs")
    folds = crossval.group_folds(frame, group="h", zero={"n": "n", "y": "y"})
    fits = crossval.refit_folds(model, folds, random_seed=3, draws=500, tune=500)
    assert len(calls) == 1 and list(fits) == ["A", "B", "C"]
    for label, idata in fits.items():
        a_draws = idata.posterior["a"]
        # the left-out group's intercept is its prior, Normal(0, 2.5); the others are data-bound
        assert abs(float(a_draws.sel(h=label).std()) - 2.5) < 0.4
        assert (a_draws.drop_sel(h=label).std(("chain", "draw")) < 0.4).all()
        assert int(idata.sample_stats["diverging"].sum()) == 0


def test_log_mean_exp_matches_scipy_and_keeps_other_dims():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(2, 50, 3))

    arr = xr.DataArray(values, dims=("chain", "draw", "obs"))
    got = crossval.log_mean_exp(arr)
    want = special.logsumexp(values.reshape(100, 3), axis=0) - np.log(100)
    np.testing.assert_allclose(got.to_numpy(), want)
    assert crossval.log_mean_exp(arr.isel(obs=0)) == pytest.approx(want[0])
    assert crossval.log_mean_exp(values[..., 0]) == pytest.approx(want[0])


@pytest.mark.parametrize("pooling", exact.POOLINGS)
def test_group_loo_with_one_row_per_group_is_row_loo(pooling):
    one_row = dataclasses.replace(SCENARIOS["differ"], groups=12, rows=1)
    data, truth = simulate_scenario(one_row, random_seed=4)
    by_group = crossval.exact_group_loo(data, pooling=pooling, sigma=truth.sigma)
    by_row = pd.Series(
        exact.exact_loo(data, pooling=pooling, sigma=truth.sigma), index=data["level"]
    )
    np.testing.assert_allclose(by_group.to_numpy(), by_row.loc[by_group.index].to_numpy())


def test_unpooled_group_loo_is_the_prior_predictive():
    data, truth = simulate_scenario("large", random_seed=2)
    data = data.assign(x=0.0)  # no slope: a left-out group is predicted by its prior alone
    got = crossval.exact_group_loo(data, pooling="unpooled", sigma=truth.sigma, predictors=())
    rows = data[data["level"] == got.index[0]]["y"].to_numpy()
    cov = truth.sigma**2 * np.eye(rows.size) + 10.0**2
    want = stats.multivariate_normal.logpdf(rows, mean=np.zeros(rows.size), cov=cov)
    assert got.iloc[0] == pytest.approx(want)


def _elpd(world, seed, loo):
    data, truth = simulate_scenario(world, random_seed=seed)
    return {p: float(np.sum(loo(data, pooling=p, sigma=truth.sigma))) for p in exact.POOLINGS}


@pytest.mark.parametrize("seed", SEEDS)
def test_new_groups_rank_the_models_differently_from_new_rows(seed):
    # Many rows per group: a new row is predicted alike with or without the population,
    # but a new group only with it; the unpooled model has nothing but its prior.
    rows = _elpd("large", seed, exact.exact_loo)
    groups = _elpd("large", seed, crossval.exact_group_loo)
    assert abs(rows["partial"] - rows["unpooled"]) < 4
    assert groups["partial"] - groups["unpooled"] > 4
    assert groups["partial"] > groups["pooled"]


@pytest.mark.parametrize("seed", SEEDS)
def test_group_loo_verdicts_in_the_few_rows_worlds(seed):
    differ = _elpd("differ", seed, crossval.exact_group_loo)
    assert differ["partial"] - differ["pooled"] > 4  # the population's spread is real
    assert differ["pooled"] - differ["unpooled"] > 4
    identical = _elpd("identical", seed, crossval.exact_group_loo)
    assert abs(identical["partial"] - identical["pooled"]) < 4
    assert identical["pooled"] - identical["unpooled"] > 4


def test_exact_group_loo_rejects_bad_arguments():
    data, _ = simulate_scenario("differ", random_seed=1)
    with pytest.raises(ValueError, match="pooling must be one of"):
        crossval.exact_group_loo(data, pooling="complete", sigma=1.0)
    with pytest.raises(ValueError, match="sigma"):
        crossval.exact_group_loo(data, pooling="pooled", sigma=0.0)
    with pytest.raises(ValueError, match="grid"):
        crossval.exact_group_loo(data, pooling="partial", sigma=1.0, grid=np.array([1.0]))
