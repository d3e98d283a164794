import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr
from scipy.special import expit, logit

from companion import fit, models, predict

WARDS = pd.DataFrame({"ward": ["a", "b", "c", "a"], "k": [3, 9, 5, 4], "n": [40, 50, 45, 30]})
BINOMIAL = {"outcome": "k", "trials": "n", "group": "ward", "predictors": ()}


def _fake_fit(draws: dict[str, np.ndarray], dims: dict[str, tuple[str, ...]], coords=None):
    """A fit with the given posterior draws (chain 1), as sampling would return it."""
    data = {
        name: (("chain", "draw", *dims.get(name, ())), value[None]) for name, value in draws.items()
    }
    return xr.DataTree.from_dict({"posterior": xr.Dataset(data, coords=coords or {})})


def _binomial_fit(n_draws=4000, *, w=-1.0, tau=0.5, seed=0):
    model = models.partial_pooling_model(WARDS, **BINOMIAL)
    rng = np.random.default_rng(seed)
    a = np.tile([-2.0, -1.0, 0.5], (n_draws, 1))
    idata = _fake_fit(
        {"a": a, "w": np.full(n_draws, w), "tau": np.full(n_draws, tau)},
        {"a": ("ward",)},
        coords={"ward": ["a", "b", "c"]},
    )
    return model, idata, rng


def test_known_groups_use_their_own_intercepts():
    model, idata, _ = _binomial_fit()
    new = pd.DataFrame({"ward": ["c", "a"], "n": [100, 200]}, index=["r1", "r2"])
    pred = predict.predict(idata, model, new, random_seed=1)
    assert pred["obs"].values.tolist() == ["r1", "r2"]
    assert pred["ward"].values.tolist() == ["c", "a"]
    np.testing.assert_allclose(pred["mu"].values[0, 0], expit([0.5, -2.0]))
    counts = pred["k"].values
    assert (counts[..., 0] <= 100).all() and (counts[..., 1] <= 200).all()
    assert abs(counts[..., 1].mean() - 200 * expit(-2.0)) < 1.0


def test_unknown_label_is_named_with_the_known_ones():
    model, idata, _ = _binomial_fit()
    new = pd.DataFrame({"ward": ["a", "zz"], "n": [10, 10]})
    with pytest.raises(
        ValueError,
        match=r"column 'ward' has unknown level 'zz'; known levels: 'a', 'b', 'c'\. "
        r"Pass new_groups=True",
    ):
        predict.predict(idata, model, new, random_seed=1)


def test_a_new_group_is_drawn_from_the_population():
    model, idata, _ = _binomial_fit(20000, w=-1.0, tau=0.5)
    new = pd.DataFrame({"ward": ["new", "new", "b", "other"], "n": [10, 10, 10, 10]})
    pred = predict.predict(idata, model, new, random_seed=3, new_groups=True)
    eta = logit(pred["mu"].values[0])
    # Rows of the same new group share one intercept per draw; two new groups do not.
    np.testing.assert_allclose(eta[:, 0], eta[:, 1])
    assert np.corrcoef(eta[:, 0], eta[:, 3])[0, 1] < 0.05
    # The known group keeps its posterior; the new ones get w + tau z.
    np.testing.assert_allclose(eta[:, 2], -1.0)
    assert abs(eta[:, 0].mean() + 1.0) < 0.02 and abs(eta[:, 0].std() - 0.5) < 0.02


def test_new_groups_need_a_population():
    model = models.unpooled_model(WARDS, **BINOMIAL)
    idata = _fake_fit({"a": np.zeros((10, 3))}, {"a": ("ward",)}, coords={"ward": ["a", "b", "c"]})
    new = pd.DataFrame({"ward": ["d"], "n": [10]})
    with pytest.raises(
        ValueError, match=r"unknown level 'd'.*no population.*partial_pooling_model"
    ):
        predict.predict(idata, model, new, random_seed=1, new_groups=True)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        (pd.DataFrame({"ward": ["a"]}), r"new_data: missing column 'n'"),
        (pd.DataFrame({"ward": ["a"], "n": [2.5]}), r"'n' should hold whole numbers, found 2.5"),
        (pd.DataFrame({"n": [10]}), r"missing group column 'ward'"),
        (pd.DataFrame({"ward": ["a", None], "n": [1, 2]}), r"'ward' has a missing value at row 1"),
        (pd.DataFrame({"ward": [], "n": []}), r"at least one row"),
    ],
)
def test_bad_new_rows_are_named(new, message):
    model, idata, _ = _binomial_fit(10)
    with pytest.raises(ValueError, match=message):
        predict.predict(idata, model, new, random_seed=1)


def test_only_builder_models_are_accepted():
    _, idata, _ = _binomial_fit(10)
    with pytest.raises(ValueError, match=r"not built by companion.models"):
        predict.predict(idata, pm.Model(), pd.DataFrame({"ward": ["a"]}), random_seed=1)


PUMPS = pd.DataFrame({"pump": [1, 2, 10], "failures": [5, 1, 22], "hours": [94.3, 15.7, 10.5]})
POISSON = {"outcome": "failures", "group": "pump", "predictors": (), "family": "poisson"}


def test_poisson_rows_scale_with_their_exposure():
    model = models.partial_pooling_model(PUMPS, **POISSON, exposure="hours")
    a = np.tile(np.log([0.05, 0.1, 2.0]), (3000, 1))
    idata = _fake_fit(
        {"a": a, "w": np.full(3000, -1.0), "tau": np.full(3000, 1.0)},
        {"a": ("pump",)},
        coords={"pump": [1, 2, 10]},
    )
    # Integer labels are matched as numbers, whatever the new column's dtype.
    new = pd.DataFrame({"pump": [10.0, 10.0, 2.0], "hours": [1.0, 5.0, 20.0]})
    pred = predict.predict(idata, model, new, random_seed=2)
    np.testing.assert_allclose(pred["mu"].values[0, 0], [2.0, 10.0, 2.0])
    assert abs(pred["failures"].values[..., 1].mean() - 10.0) < 0.3
    with pytest.raises(ValueError, match=r"column 'hours' must be positive, found 0.0 at row 1"):
        predict.predict(idata, model, new.assign(hours=[1.0, 0.0, 2.0]), random_seed=2)
    with pytest.raises(ValueError, match=r"unknown level 11"):
        predict.predict(idata, model, pd.DataFrame({"pump": [11], "hours": [1.0]}), random_seed=2)


def test_normal_rows_use_their_known_sd_and_predictors():
    table = pd.DataFrame(
        {"school": ["A", "B"], "x": [0.0, 1.0], "effect": [28.0, 8.0], "se": [15.0, 10.0]}
    )
    model = models.unpooled_model(
        table, outcome="effect", group="school", predictors="x", sigma="se"
    )
    idata = _fake_fit(
        {"a": np.tile([10.0, 5.0], (20000, 1)), "b": np.full((20000, 1), 2.0)},
        {"a": ("school",), "b": ("predictor",)},
        coords={"school": ["A", "B"], "predictor": ["x"]},
    )
    new = pd.DataFrame({"school": ["A", "B"], "x": [1.0, 3.0], "se": [1.0, 4.0]})
    pred = predict.predict(idata, model, new, random_seed=4)
    np.testing.assert_allclose(pred["mu"].values[0, 0], [12.0, 11.0])
    spread = pred["effect"].values[0].std(axis=0)
    assert abs(spread[0] - 1.0) < 0.05 and abs(spread[1] - 4.0) < 0.2


def test_pooled_model_needs_no_group_column():
    model = models.pooled_model(PUMPS, outcome="failures", predictors=(), family="poisson")
    idata = _fake_fit({"a": np.full(100, np.log(3.0))}, {})
    pred = predict.predict(idata, model, pd.DataFrame({"other": [1, 2]}), random_seed=1)
    np.testing.assert_allclose(pred["mu"].values, 3.0)


@pytest.mark.sampling
def test_predicting_from_a_fit_matches_the_fit():
    """A known group's predicted rate is its posterior; a new one is wider than any known."""
    model = models.partial_pooling_model(WARDS, **BINOMIAL)
    idata = fit.sample(model, random_seed=5, draws=500, tune=500, target_accept=0.95)
    new = pd.DataFrame({"ward": ["b", "new"], "n": [1000, 1000]})
    pred = predict.predict(idata, model, new, random_seed=6, new_groups=True)
    np.testing.assert_allclose(
        pred["mu"].values[..., 0], expit(idata.posterior["a"].sel(ward="b").values)
    )
    width = lambda v: np.subtract(*np.quantile(v, [0.95, 0.05]))  # noqa: E731
    known = [width(expit(idata.posterior["a"].sel(ward=w).values)) for w in ["a", "b", "c"]]
    assert width(pred["mu"].values[..., 1]) > max(known)


def _draws(values):
    return xr.DataArray(np.asarray(values), dims=("chain", "draw"))


def test_population_draws_add_the_population_spread_to_the_mean_uncertainty():
    rng = np.random.default_rng(7)
    mean = _draws(rng.normal(1.0, 0.5, (2, 20_000)))
    sd = _draws(np.abs(rng.normal(2.0, 0.3, (2, 20_000))))
    new = predict.population_draws(mean, sd, ["p", "q"], dim="ward", random_seed=3)
    assert new.dims == ("chain", "draw", "ward") and new["ward"].values.tolist() == ["p", "q"]
    expected = float(mean.var() + (sd**2).mean())  # law of total variance
    for label in ["p", "q"]:
        assert abs(float(new.sel(ward=label).var()) / expected - 1) < 0.03
    # each new group draws its own z: the two groups are independent given the draws
    z = (new - mean) / sd
    assert abs(float(xr.corr(z.sel(ward="p"), z.sel(ward="q")))) < 0.03


def test_population_draws_are_repeatable_and_fixed_sd_zero_gives_the_mean():
    mean = _draws(np.arange(6.0).reshape(2, 3))
    first = predict.population_draws(mean, 1.0, ["a"], random_seed=4)
    again = predict.population_draws(mean, 1.0, ["a"], random_seed=4)
    assert first.identical(again)
    still = predict.population_draws(mean, 0.0, ["a"], random_seed=4)
    assert np.array_equal(still.squeeze("new_group").to_numpy(), mean.to_numpy())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((["a", "a"],), "repeat"),
        (([],), "empty"),
    ],
)
def test_population_draws_refuses_bad_labels(args, message):
    with pytest.raises(ValueError, match=message):
        predict.population_draws(_draws(np.zeros((1, 2))), 1.0, *args, random_seed=1)


def test_population_draws_refuses_a_negative_sd_and_a_mean_without_draws():
    with pytest.raises(ValueError, match="sd: expected a number >= 0"):
        predict.population_draws(_draws(np.zeros((1, 2))), -1.0, ["a"], random_seed=1)
    with pytest.raises(ValueError, match="missing"):
        predict.population_draws(xr.DataArray([0.0, 1.0], dims="x"), 1.0, ["a"], random_seed=1)


def _effects(values, effect=("intercept", "slope")):
    values = np.asarray(values, dtype=float)
    return xr.DataArray(values, dims=("chain", "draw", "effect"), coords={"effect": list(effect)})


def test_correlated_population_draws_have_the_given_sds_and_correlation_per_draw():
    n = 40_000
    mean = _effects(np.tile([1.0, -2.0], (1, n, 1)))
    sd = xr.DataArray([0.5, 3.0], dims="effect", coords={"effect": ["intercept", "slope"]})
    rho = _draws(np.where(np.arange(n) < n // 2, 0.9, -0.6)[None, :])
    one = xr.ones_like(rho)
    corr = xr.concat(
        [xr.concat([one, rho], "effect_bis"), xr.concat([rho, one], "effect_bis")], "effect"
    )
    new = predict.population_draws(mean, sd, ["g"], corr=corr, random_seed=5).squeeze("new_group")
    for half, expected in [(slice(0, n // 2), 0.9), (slice(n // 2, n), -0.6)]:
        part = new.isel(draw=half)
        a, b = (part.sel(effect=e).to_numpy().ravel() for e in ["intercept", "slope"])
        assert abs(np.corrcoef(a, b)[0, 1] - expected) < 0.02
        assert abs(a.mean() - 1.0) < 0.02 and abs(b.mean() + 2.0) < 0.1
        assert abs(a.std() / 0.5 - 1) < 0.03 and abs(b.std() / 3.0 - 1) < 0.03


def test_identity_correlation_gives_the_independent_draws():
    mean = _effects(np.zeros((2, 50, 2)))
    eye = xr.DataArray(np.eye(2), dims=("effect", "effect_bis"))
    plain = predict.population_draws(mean, 1.0, ["g"], random_seed=9)
    same = predict.population_draws(mean, 1.0, ["g"], corr=eye, random_seed=9)
    np.testing.assert_allclose(same.to_numpy(), plain.to_numpy())


@pytest.mark.parametrize(
    ("corr", "message"),
    [
        (xr.DataArray(np.eye(2), dims=("effect", "other")), "expected dims"),
        (xr.DataArray(np.eye(2), dims=("slope", "slope_bis")), "expected dims"),
        (xr.DataArray([[2.0, 0.0], [0.0, 1.0]], dims=("effect", "effect_bis")), "diagonal"),
        (xr.DataArray([[1.0, 1.5], [1.5, 1.0]], dims=("effect", "effect_bis")), "positive"),
    ],
)
def test_population_draws_refuse_a_bad_correlation(corr, message):
    with pytest.raises(ValueError, match=message):
        predict.population_draws(
            _effects(np.zeros((1, 3, 2))), 1.0, ["g"], corr=corr, random_seed=1
        )


def test_new_group_intercept_is_a_population_draw_with_the_fixed_or_learned_spread():
    post = xr.Dataset(
        {
            "w": (("chain", "draw"), np.full((2, 3000), 0.5)),
            "tau": (("chain", "draw"), np.full((2, 3000), 2.0)),
        }
    )
    idata = xr.DataTree.from_dict({"posterior": post})
    learned = predict.new_group_intercept(idata, random_seed=2)
    fixed = predict.new_group_intercept(idata, random_seed=2, group_sd=0.5)
    assert learned.dims == ("chain", "draw") and learned.name == "a_new"
    np.testing.assert_allclose((learned - 0.5) / 2.0, (fixed - 0.5) / 0.5)
    assert abs(float(learned.std()) / 2.0 - 1) < 0.05
    with pytest.raises(KeyError, match="group_sd"):
        predict.new_group_intercept(
            xr.DataTree.from_dict({"posterior": post[["w"]]}), random_seed=2
        )
