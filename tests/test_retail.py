import numpy as np
import pandas as pd
import pymc as pm
import pytest
from scipy import stats

from companion import fit, retail, simulate


@pytest.fixture(scope="module")
def small():
    """A small catalogue: 120 products, 30 weeks (the last 6 held out)."""
    return simulate.simulate_retail(120, 30, holdout_weeks=6, random_seed=11)


@pytest.fixture()
def frame():
    return pd.DataFrame(
        {
            "product": ["a", "a", "a", "b", "b"],
            "colour": ["red", "red", "red", "blue", "blue"],
            "brand": ["x", "x", "x", "y", "y"],
            "category": ["shirt"] * 5,
            "week": [1, 2, 3, 2, 3],
            "sales": [4, 0, 2, 7, 5],
        }
    )


# --- simulator -------------------------------------------------------------------------


def test_simulator_is_seeded_and_shaped():
    first, truth = simulate.simulate_retail(random_seed=5)
    again, _ = simulate.simulate_retail(random_seed=5)
    other, _ = simulate.simulate_retail(random_seed=6)
    pd.testing.assert_frame_equal(first, again)
    assert not first["sales"].equals(other["sales"])
    assert first["product"].nunique() == 200 and first["week"].between(1, 52).all()
    # every product is sold through the held-out block, launched at its launch week
    per_product = first.groupby("product")["week"].agg(["min", "max", "size"])
    assert (per_product["max"] == 52).all()
    assert (per_product["min"] == truth.products["launch_week"]).all()
    assert (per_product["size"] == 52 - per_product["min"] + 1).all()
    retail.validate_sales(first, attributes=list(simulate.RETAIL_LEVELS))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_simulator_has_a_long_tail_and_overdispersion(seed):
    sales, truth = simulate.simulate_retail(random_seed=seed)
    history = truth.products["history_weeks"]
    assert (history <= 4).mean() > 0.25 and (history >= 20).mean() > 0.15
    steady = sales[sales["product"].isin(history.index[history >= 20])]
    moments = steady.groupby("product")["sales"].agg(["mean", "var"])
    assert (moments["var"] / moments["mean"]).median() > 1.5
    for attribute, effect in truth.effects.items():
        assert abs(effect.sum()) < 1e-12
        assert effect.index.tolist() == list(simulate.RETAIL_LEVELS[attribute])


def test_simulator_refuses_bad_options():
    with pytest.raises(ValueError, match="alpha must be a positive number"):
        simulate.simulate_retail(alpha=0)
    with pytest.raises(ValueError, match="unknown key"):
        simulate.simulate_retail(sd={"price_band": 1.0})
    with pytest.raises(ValueError, match="holdout_weeks"):
        simulate.simulate_retail(n_weeks=8, holdout_weeks=8)


def test_csv_matches_its_seed_and_loader_validates():
    sales = retail.load_retail()
    pd.testing.assert_frame_equal(sales, simulate.simulate_retail(random_seed=2026)[0])
    assert list(sales.columns) == list(retail.SCHEMA)


# --- validation ------------------------------------------------------------------------


def test_valid_frame_passes_and_is_sorted(frame):
    checked = retail.validate_sales(frame.iloc[::-1])
    assert checked["product"].tolist() == ["a", "a", "a", "b", "b"]
    assert checked["week"].tolist() == [1, 2, 3, 2, 3]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sales": [4, -1, 2, 7, 5]}, "holds counts, found negative value -1"),
        ({"sales": [4, 0.5, 2, 7, 5]}, "should hold whole numbers, found 0.5"),
        ({"sales": [4, np.nan, 2, 7, 5]}, "column 'sales' has 1 missing value"),
        ({"sales": ["4", "x", "2", "7", "5"]}, "should hold numbers, found 'x'"),
        ({"week": [1, 2, 4, 2, 3]}, "product 'a' has no row for week 3"),
        ({"week": [1, 2, 2, 2, 3]}, "product 'a' has more than one row for week 2"),
        ({"colour": ["red", "blue", "red", "blue", "blue"]}, "product 'a' has 2 different"),
    ],
)
def test_bad_sales_are_refused_with_a_clear_message(frame, change, message):
    bad = frame.assign(**change)
    with pytest.raises(ValueError, match=message):
        retail.validate_sales(bad)
    with pytest.raises(ValueError, match=message):
        retail.crossed_model(bad)


def test_missing_column_and_repeated_roles_are_refused(frame):
    with pytest.raises(ValueError, match="missing column 'week'"):
        retail.no_pooling_model(frame.drop(columns="week"))
    with pytest.raises(ValueError, match="missing column 'category'"):
        retail.crossed_model(frame.drop(columns="category"))
    with pytest.raises(ValueError, match="two different roles"):
        retail.crossed_model(frame, attributes=["colour", "product"])


def test_split_holdout_keeps_the_final_block(small):
    sales, truth = small
    train, test = retail.split_holdout(sales, holdout_weeks=6)
    assert train["week"].max() == truth.last_train_week and test["week"].min() == 25
    assert len(train) + len(test) == len(sales)
    assert test.groupby("product").size().eq(6).all()
    with pytest.raises(ValueError, match="needs at least 31 distinct weeks"):
        retail.split_holdout(sales, holdout_weeks=30)


# --- builders --------------------------------------------------------------------------


def test_dims_are_named_after_the_learners_columns(frame):
    renamed = frame.rename(columns={"product": "sku", "colour": "hue", "sales": "units"})
    model = retail.crossed_model(
        renamed, outcome="units", product="sku", attributes=["hue", "brand", "category"]
    )
    assert {"hue", "brand", "category", "sku", "obs"} == set(model.coords)
    assert model.named_vars_to_dims["hue_effect"] == ("hue",)
    assert model.named_vars_to_dims["log_demand"] == ("sku",)
    assert model.named_vars_to_dims["units"] == ("obs",)
    codes = model["sku_hue_idx"].get_value()
    assert np.asarray(model.coords["hue"])[codes].tolist() == ["red", "blue"]
    colour = retail.attribute_model(renamed, attribute="hue", outcome="units", product="sku")
    assert colour.named_vars_to_dims["beta"] == ("hue",)


def test_builders_have_the_expected_variables(small):
    sales, _ = small
    names = lambda m: sorted(v.name for v in m.free_RVs)  # noqa: E731
    assert names(retail.no_pooling_model(sales)) == ["alpha", "log_demand"]
    assert names(retail.attribute_model(sales)) == ["alpha", "beta", "beta_mu"]
    assert names(retail.crossed_model(sales)) == [
        "alpha",
        "brand_effect",
        "brand_sd",
        "category_effect",
        "category_sd",
        "colour_effect",
        "colour_sd",
        "intercept",
        "product_raw",
        "product_sd",
    ]


def test_crossed_model_centres_only_data_rich_products(small):
    sales, truth = small
    model = retail.crossed_model(sales, centre_weeks=10)
    weeks = sales.groupby("product").size()
    centred = model["product_centred"].get_value()
    assert (centred == (weeks.loc[list(model.coords["product"])] >= 10)).all()
    assert 0 < centred.mean() < 1
    # log_demand equals raw (centred) or expected + sd * raw (non-centred)
    raw = np.linspace(-1, 1, len(weeks))
    given = {model["intercept"]: 1.5, model["product_raw"]: raw, model["product_sd"]: 0.5}
    for attribute in simulate.RETAIL_ATTRIBUTES:
        given[model[f"{attribute}_effect"]] = np.zeros(len(model.coords[attribute]))
    log_demand = model["log_demand"].eval(given)
    assert np.allclose(log_demand, np.where(centred == 1, raw, 1.5 + 0.5 * raw))
    with pytest.raises(ValueError, match="centre_weeks"):
        retail.crossed_model(sales, centre_weeks=0)


@pytest.mark.parametrize("alpha", [0.5, 4.0, 60.0])
def test_mean_form_logp_equals_the_negative_binomial(alpha):
    counts = np.arange(0, 80)
    for mu in [0.3, 6.0, 45.0]:
        ours = retail.negative_binomial_logp(counts, mu, alpha).eval()
        exact = stats.nbinom.logpmf(counts, alpha, alpha / (alpha + mu))
        pymc = pm.logp(pm.NegativeBinomial.dist(mu=mu, alpha=alpha), counts).eval()
        assert np.allclose(ours, exact, rtol=1e-10, atol=1e-10)
        assert np.allclose(ours, pymc, rtol=1e-6, atol=1e-4)


def test_model_logp_uses_the_negative_binomial(small):
    sales, _ = small
    model = retail.no_pooling_model(sales)
    point = model.initial_point()
    point["log_demand"] = np.full(len(model.coords["product"]), 1.5)
    logp = model.compile_fn(model.logp(vars=[model["sales"]], sum=True), inputs=model.value_vars)
    alpha = float(np.exp(point["alpha_log__"]))
    frame = retail.validate_sales(sales, attributes=())
    direct = pm.logp(pm.NegativeBinomial.dist(mu=np.exp(1.5), alpha=alpha), frame["sales"])
    assert np.isclose(logp(point), float(direct.eval().sum()))


@pytest.mark.parametrize(
    ("builder", "means"),
    [
        (lambda sales: retail.no_pooling_model(sales), ("log_demand", "product_idx")),
        (lambda sales: retail.attribute_model(sales), ("beta", "colour_idx")),
        (lambda sales: retail.crossed_model(sales, centre_weeks=10), ("log_demand", "product_idx")),
    ],
)
def test_grouped_likelihood_equals_the_sum_over_rows(small, builder, means):
    """The builders sum the likelihood from per-group totals: exactly the per-row sum."""
    sales, _ = small
    model = builder(sales)
    likelihood = model.compile_fn(
        model.logp(vars=[model["sales"]], sum=True),
        inputs=model.value_vars,
        mode="FAST_COMPILE",
        on_unused_input="ignore",
    )
    evaluate = model.compile_fn(
        model.replace_rvs_by_values([model[means[0]], model["alpha"]]),
        inputs=model.value_vars,
        mode="FAST_COMPILE",
        on_unused_input="ignore",
    )
    counts = model.rvs_to_values[model["sales"]].data
    codes = model[means[1]].get_value()
    rng = np.random.default_rng(7)
    for _ in range(3):
        point = {k: rng.normal(size=np.shape(v)) for k, v in model.initial_point().items()}
        group_mean, alpha = evaluate(point)
        mu = np.exp(group_mean[codes])
        direct = stats.nbinom.logpmf(counts, alpha, alpha / (alpha + mu)).sum()
        assert np.isclose(likelihood(point), direct, rtol=1e-10, atol=0)


def test_grouped_likelihood_refuses_other_values(small):
    sales, _ = small
    model = retail.no_pooling_model(sales)
    other = model.rvs_to_values[model["sales"]].data + 1
    with pytest.raises(NotImplementedError, match="per-group totals of the observed sales"):
        pm.logp(model["sales"], other)
    # the totals belong to the rows' groups at build time: other groups give -inf, not stale
    point, codes = model.initial_point(), model["product_idx"].get_value()
    assert np.isfinite(model.compile_logp(mode="FAST_COMPILE")(point))
    with model:
        pm.set_data({"product_idx": codes[::-1].copy()})
    assert model.compile_logp(mode="FAST_COMPILE")(point) == -np.inf


_FITS: dict = {}


def _crossed_fit(seed, attributes):
    """Simulate a catalogue of 120 products over 26 weeks and fit the crossed model (cached)."""
    key = (seed, tuple(attributes))
    if key not in _FITS:
        sales, truth = simulate.simulate_retail(120, 26, holdout_weeks=1, random_seed=seed)
        model = retail.crossed_model(sales, attributes=attributes)
        _FITS[key] = truth, fit.sample(model, random_seed=seed, draws=1000, tune=1000)
    return _FITS[key]


@pytest.mark.sampling
@pytest.mark.parametrize("seed", [21, 22])
def test_crossed_model_recovers_the_attribute_effects(seed):
    truth, idata = _crossed_fit(seed, simulate.RETAIL_ATTRIBUTES)
    inside, estimates, truths = [], [], []
    for attribute in simulate.RETAIL_ATTRIBUTES:
        draws = idata.posterior[f"{attribute}_effect"]
        lower, upper = draws.quantile([0.05, 0.95], dim=("chain", "draw")).to_numpy()
        true = truth.effects[attribute].loc[draws[attribute].to_numpy()].to_numpy()
        inside.extend((lower <= true) & (true <= upper))
        estimates.extend(draws.mean(("chain", "draw")).to_numpy())
        truths.extend(true)
    assert np.mean(inside) >= 0.75
    assert np.corrcoef(estimates, truths)[0, 1] > 0.85
    # the price band, left out of this model, is absorbed by the products' own spread
    product_sd = float(idata.posterior["product_sd"].mean())
    total = np.sqrt(truth.sd["product"] ** 2 + truth.effects["price_band"].var(ddof=0))
    assert abs(product_sd - total) < 0.1
    assert product_sd > truth.sd["product"] + 0.05


@pytest.mark.sampling
def test_adding_the_price_band_recovers_it_and_shrinks_product_sd():
    """The claim of exercise 06-2."""
    truth, without = _crossed_fit(21, simulate.RETAIL_ATTRIBUTES)
    _, with_band = _crossed_fit(21, [*simulate.RETAIL_ATTRIBUTES, "price_band"])
    band = with_band.posterior["price_band_effect"].mean(("chain", "draw"))
    true = truth.effects["price_band"].loc[band["price_band"].to_numpy()].to_numpy()
    assert np.abs(band.to_numpy() - true).max() < 0.15
    shrunk = float(with_band.posterior["product_sd"].mean())
    # by 0.050 at this seed (1000 draws; Monte Carlo error about 0.002): the bands' spread
    # is small next to the products' own
    assert shrunk < float(without.posterior["product_sd"].mean()) - 0.03
    assert abs(shrunk - truth.sd["product"]) < 0.1
