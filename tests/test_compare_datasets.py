"""compare.fit_datasets and compare.log_likelihood: one compile per model, LOO's log-likelihood."""

import numpy as np
import pandas as pd
import pymc as pm
import pytest

from companion import compare, fit, models


def _counts(seed, groups=("a", "b", "c", "d")):
    rng = np.random.default_rng(seed)
    trials = rng.integers(20, 60, size=len(groups))
    return pd.DataFrame({"g": list(groups), "n": trials, "k": rng.binomial(trials, 0.3)})


def _binomial(frame):
    return models.partial_pooling_model(frame, outcome="k", trials="n", group="g", predictors=())


@pytest.mark.sampling
def test_log_likelihood_equals_pymc_on_a_binomial_fit():
    model = _binomial(_counts(1))
    idata = fit.sample(model, random_seed=1, draws=200, tune=300)
    ours = compare.log_likelihood(idata.copy(), model).log_likelihood["k"]
    theirs = pm.compute_log_likelihood(idata.copy(), model=model, progressbar=False)
    np.testing.assert_allclose(ours.to_numpy(), theirs.log_likelihood["k"].to_numpy(), atol=1e-8)


@pytest.mark.sampling
def test_fit_datasets_follows_each_data_set():
    low, high = _counts(2), _counts(3)
    high["k"] = high["n"] - high["k"]  # mostly successes: a higher rate than `low`
    fits = compare.fit_datasets(
        {"low": {"partial": _binomial(low)}, "high": {"partial": _binomial(high)}},
        random_seed=4,
        draws=300,
        tune=300,
    )
    w = {name: float(f["partial"].posterior["w"].mean()) for name, f in fits.items()}
    assert w["low"] < 0 < w["high"]
    assert all("log_likelihood" in f["partial"].children for f in fits.values())


def test_fit_datasets_refuses_other_groups_other_rows_and_other_models():
    base = {"partial": _binomial(_counts(5))}
    other_groups = {"partial": _binomial(_counts(6, groups=("a", "b", "c", "z")))}
    with pytest.raises(ValueError, match="other parameters or groups"):
        compare.fit_datasets({"one": base, "two": other_groups}, random_seed=1)
    more = pd.concat([_counts(7), _counts(8)], ignore_index=True)
    with pytest.raises(ValueError, match="other numbers of rows"):
        compare.fit_datasets({"one": base, "two": {"partial": _binomial(more)}}, random_seed=1)
    with pytest.raises(ValueError, match="names models"):
        compare.fit_datasets({"one": base, "two": {"pooled": base["partial"]}}, random_seed=1)
    with pytest.raises(ValueError, match="empty"):
        compare.fit_datasets({}, random_seed=1)


def test_fit_datasets_refuses_models_whose_log_density_differs():
    frame = _counts(9).rename(columns={"k": "y"}).assign(y=lambda d: d["y"] / 10.0)
    one = models.partial_pooling_model(frame, outcome="y", group="g", predictors=(), sigma=1.0)
    two = models.partial_pooling_model(frame, outcome="y", group="g", predictors=(), sigma=2.0)
    with pytest.raises(ValueError, match="log-density differs from data set 'two'"):
        compare.fit_datasets({"one": {"m": one}, "two": {"m": two}}, random_seed=1)
