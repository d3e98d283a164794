import warnings

import numpy as np
import pandas as pd
import pymc as pm
import pytest

from companion import coins, fit, models, simulate, summaries

LEVELS = list(simulate.COIN_HIERARCHY)


@pytest.fixture(scope="module")
def mint():
    return simulate.simulate_coins(random_seed=2026)


# --- simulator ---------------------------------------------------------------------------


def test_simulator_is_seeded_and_nested(mint):
    frame, truth = mint
    again, _ = simulate.simulate_coins(random_seed=2026)
    pd.testing.assert_frame_equal(frame, again)
    assert not frame.equals(simulate.simulate_coins(random_seed=2027)[0])
    coins.check_nesting(frame, LEVELS)
    for level in LEVELS:
        assert set(frame[level]) == set(truth.logit[level].index)
    assert (frame["heads"] <= frame["flips"]).all()
    # unbalanced: a handful of flips for some coins, hundreds for others
    assert frame["flips"].min() <= 10 and frame["flips"].max() >= 300


def test_truth_is_consistent_with_the_flips():
    frame, truth = simulate.simulate_coins(n_flips=(5000, 5000), random_seed=3)
    rate = frame["heads"] / frame["flips"]
    assert np.allclose(rate.to_numpy(), truth.p.loc[frame["coin"]].to_numpy(), atol=0.03)
    line_of_coin = frame.set_index("coin")["line"]
    deviation = truth.logit["coin"] - truth.logit["line"].loc[line_of_coin].to_numpy()
    assert 0.05 < deviation.std() < 0.3  # the default coin spread is 0.15


def test_local_labels_restart_within_parents_and_nest_back(mint):
    frame, _ = mint
    local, _ = simulate.simulate_coins(random_seed=2026, labels="local")
    assert local["factory"].str.fullmatch(r"F\d").all()
    with pytest.raises(ValueError, match="'factory' label 'F1' appears under 3 different"):
        coins.check_nesting(local, LEVELS)
    pd.testing.assert_frame_equal(coins.nest_labels(local, LEVELS), frame)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"labels": "global"}, "labels"),
        ({"level_sd": {"mint": 1.0}}, "unknown level 'mint'"),
        ({"level_sd": {"line": -1.0}}, "level_sd\\['line'\\]"),
        ({"n_flips": (10, 3)}, "n_flips"),
        ({"n_coins": (0, 3)}, "n_coins"),
        ({"n_regions": 0}, "n_regions"),
    ],
)
def test_simulator_rejects_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate.simulate_coins(**kwargs)


# --- loader and validation ---------------------------------------------------------------


def test_loader_reads_the_csv_written_from_the_seed(mint):
    frame, _ = mint
    loaded = coins.load_coins()
    pd.testing.assert_frame_equal(loaded, frame, check_dtype=False)


def _write(tmp_path, frame):
    path = tmp_path / "coins.csv"
    frame.to_csv(path, index=False)
    return path


def test_loader_rejects_a_line_under_two_factories(tmp_path, mint):
    frame, _ = mint
    bad = frame.copy()
    bad.loc[bad.index[-1], "line"] = "R1/F1/L1"  # a line of R3 listed under R1/F1 too
    with pytest.raises(
        ValueError, match=r"coins.csv: column 'line' label 'R1/F1/L1' appears under 2"
    ):
        coins.load_coins(_write(tmp_path, bad))


@pytest.mark.parametrize(
    ("column", "value", "match"),
    [
        ("heads", 1000, "successes in column 'heads' but only .* trials in column 'flips'"),
        ("flips", -2, "'flips' holds counts, found negative"),
        ("heads", 2.5, "'heads' should hold whole numbers"),
        ("flips", np.nan, "'flips' has 1 missing"),
        ("factory", None, "'factory' has 1 missing label"),
    ],
)
def test_validation_names_the_column_and_value(mint, column, value, match):
    frame, _ = mint
    bad = frame.copy().astype({"flips": float, "heads": float, "factory": object})
    bad.loc[bad.index[4], column] = value
    with pytest.raises(ValueError, match=match):
        coins.validate_coins(bad)
    with pytest.raises(ValueError, match=match):
        coins.nested_model(bad)


def test_validation_rejects_missing_and_clashing_columns(mint):
    frame, _ = mint
    with pytest.raises(ValueError, match="missing column 'line'"):
        coins.nested_model(frame.drop(columns="line"))
    with pytest.raises(ValueError, match="missing column 'tosses'"):
        coins.nested_model(frame, trials="tosses")
    with pytest.raises(ValueError, match="distinct"):
        coins.nested_model(frame, hierarchy=["region", "heads"])
    with pytest.raises(ValueError, match="twice"):
        coins.nested_model(frame, hierarchy=["line", "line"])
    with pytest.raises(ValueError, match="string"):
        coins.nested_model(frame, hierarchy="coin")
    with pytest.raises(ValueError, match="unknown level 'mint'"):
        coins.nested_model(frame, centered=["mint"])


# --- builders ----------------------------------------------------------------------------


def test_nested_model_indexes_parents_with_arrays(mint):
    frame, _ = mint
    model = coins.nested_model(frame)
    for level in LEVELS:
        assert list(model.coords[level]) == sorted(frame[level].unique())
    for above, level in zip(LEVELS[:-1], LEVELS[1:], strict=True):
        codes = model[f"{level}_{above}_idx"].get_value()
        parents = np.asarray(model.coords[above])[codes]
        expected = frame.drop_duplicates(level).set_index(level)[above]
        assert parents.tolist() == expected.loc[list(model.coords[level])].tolist()
    rows = np.asarray(model.coords["coin"])[model["coin_idx"].get_value()]
    assert rows.tolist() == frame["coin"].tolist()
    # one vector variable per level, whatever the number of groups
    assert len(model.free_RVs) == 1 + 2 * len(LEVELS)


def test_centering_choice_changes_only_the_parametrisation(mint):
    frame, _ = mint
    names = {rv.name for rv in coins.nested_model(frame, centered=True).free_RVs}
    assert {"region_logit", "coin_logit"} <= names and "coin_offset" not in names
    mixed = {rv.name for rv in coins.nested_model(frame, centered=["line"]).free_RVs}
    assert "line_logit" in mixed and "coin_offset" in mixed and "line_offset" not in mixed


def test_centred_and_non_centred_densities_differ_only_by_the_jacobian(mint):
    # The same model in two coordinates: at matching points, log p(centred) equals
    # log p(non-centred) - sum over groups of log sigma_<level> (the change of variables).
    frame, _ = mint
    hierarchy = ["line", "coin"]
    centred = coins.nested_model(frame, hierarchy=hierarchy, centered=True)
    plain = coins.nested_model(frame, hierarchy=hierarchy, centered=False)
    rng = np.random.default_rng(4)
    sd = {"line": 0.7, "coin": 0.3}
    line = rng.normal(0.2, 0.5, len(centred.coords["line"]))
    parent = centred["coin_line_idx"].get_value()
    coin = line[parent] + rng.normal(0, 0.3, len(centred.coords["coin"]))
    shared = {"mu": 0.2, **{f"sigma_{k}_log__": np.log(v) for k, v in sd.items()}}
    point_c = {**shared, "line_logit": line, "coin_logit": coin}
    point_nc = {
        **shared,
        "line_offset": (line - 0.2) / sd["line"],
        "coin_offset": (coin - line[parent]) / sd["coin"],
    }
    jacobian = sum(len(centred.coords[k]) * np.log(v) for k, v in sd.items())
    logp_c = centred.compile_logp()(point_c)
    logp_nc = plain.compile_logp()(point_nc)
    assert np.isclose(logp_c, logp_nc - jacobian, rtol=0, atol=1e-8)
    assert not np.isclose(logp_c, logp_nc, rtol=0, atol=1e-3)  # the Jacobian is not zero


def test_levels_are_any_nested_columns(mint):
    frame, _ = mint
    model = coins.nested_model(frame, hierarchy=["line", "coin"])
    assert set(model.coords) == {"line", "coin", "obs"}
    renamed = frame.rename(columns={"heads": "successes", "flips": "trials"})
    flat = coins.flat_model(renamed, outcome="successes", trials="trials")
    assert flat["successes"].owner is not None


# --- priors ------------------------------------------------------------------------------


def _log_halfnormal(x, sd):
    return 0.5 * np.log(2 / np.pi) - np.log(sd) - x**2 / (2 * sd**2)


def _log_halfcauchy(x, beta):
    return np.log(2 / (np.pi * beta)) - np.log1p((x / beta) ** 2)


def _log_normal(x, mean, sd):
    return -0.5 * np.log(2 * np.pi) - np.log(sd) - (x - mean) ** 2 / (2 * sd**2)


@pytest.mark.parametrize(("mu", "sigma_coin"), [(0.3, 0.2), (-1.1, 1.5), (2.0, 0.05)])
def test_replaced_priors_change_the_log_density_by_the_hand_computed_amount(mint, mu, sigma_coin):
    frame, _ = mint
    hierarchy = ["line", "coin"]
    default = coins.nested_model(frame, hierarchy=hierarchy)
    chosen = coins.nested_model(
        frame,
        hierarchy=hierarchy,
        priors={"mu": pm.Normal.dist(1.0, 2.0), "sigma_coin": pm.HalfCauchy.dist(1.0)},
    )
    assert type(chosen["sigma_coin"].owner.op).__name__ == "HalfCauchyRV"
    assert type(chosen["sigma_line"].owner.op).__name__ == "HalfNormalRV"  # untouched
    point = default.initial_point()
    point.update(mu=mu, sigma_coin_log__=np.log(sigma_coin))
    sd = coins.COIN_PRIORS
    expected = (
        _log_normal(mu, 1.0, 2.0)
        - _log_normal(mu, 0.0, sd["mu_sd"])
        + _log_halfcauchy(sigma_coin, 1.0)
        - _log_halfnormal(sigma_coin, sd["sigma_sd"])
    )  # both spreads are sampled on the log scale: the Jacobians cancel
    change = chosen.compile_logp()(point) - default.compile_logp()(point)
    assert np.isclose(change, expected, rtol=0, atol=1e-8)
    assert abs(change) > 1e-3


def test_flat_model_prior_replaces_the_uniform_beta(mint):
    frame, _ = mint
    small = frame.iloc[:5]
    default = coins.flat_model(small)
    jeffreys = coins.flat_model(small, priors={"p": pm.Beta.dist(0.5, 0.5)})
    p = np.array([0.1, 0.4, 0.5, 0.8, 0.97])
    point = {"p_logodds__": np.log(p / (1 - p))}
    # Beta(1, 1) has density 1; Beta(1/2, 1/2) has density 1 / (pi sqrt(p (1 - p)))
    expected = np.sum(-np.log(np.pi) - 0.5 * np.log(p) - 0.5 * np.log1p(-p))
    change = jeffreys.compile_logp()(point) - default.compile_logp()(point)
    assert np.isclose(change, expected, rtol=0, atol=1e-6)  # PyMC's log-beta is approximate
    with pytest.raises(ValueError, match=r"priors\['p'\] puts mass outside \[0, 1\]"):
        coins.flat_model(small, priors={"p": pm.Normal.dist(0.5, 0.1)})
    with pytest.raises(ValueError, match="unknown name 'mu'; this model's priors are 'p'$"):
        coins.flat_model(small, priors={"mu": pm.Normal.dist(0, 1)})


def test_unknown_prior_name_lists_the_valid_names(mint):
    frame, _ = mint
    with pytest.raises(ValueError) as error:
        coins.nested_model(frame, priors={"sigma_mint": pm.HalfNormal.dist(1)})
    valid = ", ".join(repr(n) for n in ["mu", *(f"sigma_{k}" for k in LEVELS)])
    assert str(error.value) == f"priors: unknown name 'sigma_mint'; this model's priors are {valid}"
    with pytest.raises(
        ValueError, match="this model's priors are 'mu', 'sigma_line', 'sigma_coin'"
    ):
        coins.nested_model(frame, hierarchy=["line", "coin"], priors={"sigma_region": None})


@pytest.mark.parametrize(
    ("prior", "match"),
    [
        (0.5, r"priors\['mu'\] must be a PyMC distribution made with \.dist\(\).*got float"),
        (pm.Normal, r"must be a PyMC distribution made with \.dist\(\)"),
        (np.array([0.0, 1.0]), r"must be a PyMC distribution.*got ndarray"),
    ],
)
def test_a_prior_not_made_with_dist_is_refused(mint, prior, match):
    frame, _ = mint
    with pytest.raises(ValueError, match=match):
        coins.nested_model(frame, priors={"mu": prior})


def test_named_and_negative_spread_priors_are_refused(mint):
    frame, _ = mint
    with pm.Model():
        named = pm.Normal("mu", 0, 1)
    with pytest.raises(ValueError, match="is the model variable 'mu'; pass an unnamed"):
        coins.nested_model(frame, priors={"mu": named})
    with pytest.raises(ValueError, match="'sigma_line' is a standard deviation"):
        coins.nested_model(frame, priors={"sigma_line": pm.Normal.dist(0, 1)})


def test_prior_tail_warning_names_mu_and_a_prior_that_fits(mint):
    frame, _ = mint
    one_in_ten = (np.arange(len(frame)) % 10 == 0) & (frame["flips"] > 0).to_numpy()
    rare = frame.assign(heads=one_in_ten.astype("int64"))  # a dozen heads in all the flips
    with pytest.warns(models.PriorTailWarning, match=r"'mu' ~ Normal\(0, 1\).*log-odds") as got:
        coins.nested_model(rare)
    assert "priors={'mu': pm.Normal.dist(" in str(got[0].message)
    assert got[0].filename == __file__  # points at the caller's line
    estimate = np.log(rare["heads"].sum() / (rare["flips"] - rare["heads"]).sum())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coins.nested_model(rare, priors={"mu": pm.Normal.dist(estimate, 1.0)})
        coins.nested_model(frame)  # fair-ish coins sit near the default's centre


@pytest.mark.sampling
def test_flat_model_matches_the_exact_beta_posterior(mint):
    frame, _ = mint
    small = frame.iloc[:6]
    idata = fit.sample(coins.flat_model(small), random_seed=1, draws=2000, tune=500)
    mean = idata.posterior["p"].mean(("chain", "draw")).to_numpy()
    exact = (1 + small["heads"].to_numpy()) / (2 + small["flips"].to_numpy())
    assert np.allclose(mean, exact, atol=0.02)


# --- fitting: recovery and prediction ----------------------------------------------------


@pytest.fixture(scope="module", params=[11, 12])
def recovery(request):
    frame, truth = simulate.simulate_coins(random_seed=request.param)
    model = coins.nested_model(frame, centered=["line"])
    idata = fit.sample(model, random_seed=request.param, target_accept=0.95)
    return frame, truth, model, idata


@pytest.mark.sampling
def test_nested_model_recovers_the_simulated_truth(recovery):
    _, truth, _, idata = recovery
    assert fit.diagnose(idata).divergences == 0
    p = summaries.interval_table(idata.posterior["p"], ci_prob=0.9)
    inside = (p["lower"] <= truth.p.loc[p.index]) & (truth.p.loc[p.index] <= p["upper"])
    assert inside.mean() >= 0.8
    lines = summaries.interval_table(1 / (1 + np.exp(-idata.posterior["line_logit"])), ci_prob=0.9)
    true_line = 1 / (1 + np.exp(-truth.logit["line"].loc[lines.index]))
    assert ((lines["lower"] <= true_line) & (true_line <= lines["upper"])).mean() >= 0.75
    for level in LEVELS:
        draws = idata.posterior[f"sigma_{level}"]
        low, high = np.quantile(draws, [0.01, 0.99])
        assert low <= truth.level_sd[level] <= high, level
    # the level that carries the variation is found
    shares = coins.variance_shares(idata)
    assert shares["mean"].idxmax() == "line"


@pytest.mark.sampling
def test_prediction_widens_as_less_is_known(recovery):
    frame, _, model, idata = recovery
    first = frame.iloc[0]
    scenarios = {
        "known coin": ("coin", first["coin"]),
        "known line": ("line", first["line"]),
        "known factory": ("factory", first["factory"]),
        "known region": ("region", first["region"]),
        "unknown region": None,
    }
    p_new = coins.predict_new(model, idata, scenarios, random_seed=5)
    table = summaries.interval_table(p_new)
    widths = table.loc[list(scenarios), "width"].to_numpy()
    assert (np.diff(widths) > 0).all(), table
    # a known coin is predicted by its own posterior
    own = idata.posterior["p"].sel(coin=first["coin"])
    assert np.allclose(p_new.sel(scenario="known coin").to_numpy(), own.to_numpy())


@pytest.mark.sampling
def test_prediction_refuses_unknown_groups(recovery):
    _, _, model, idata = recovery
    with pytest.raises(ValueError, match="unknown level 'R9'"):
        coins.predict_new(model, idata, {"new": ("region", "R9")}, random_seed=1)
    with pytest.raises(ValueError, match="unknown level 'plant'"):
        coins.predict_new(model, idata, {"new": ("plant", "R1")}, random_seed=1)
    with pytest.raises(ValueError, match="expected"):
        coins.predict_new(model, idata, {"new": "R1"}, random_seed=1)
    with pytest.raises(ValueError, match="empty"):
        coins.predict_new(model, idata, {}, random_seed=1)


@pytest.mark.sampling
def test_variance_shares_sum_to_one(recovery):
    _, _, _, idata = recovery
    shares = coins.variance_shares(idata)
    assert shares.index.tolist() == LEVELS
    assert shares["mean"].sum() == pytest.approx(1.0)
    assert ((shares["lower"] >= 0) & (shares["upper"] <= 1)).all()
    with pytest.raises(KeyError, match="sigma_mint"):
        coins.variance_shares(idata, hierarchy=["mint"])


# --- sampling geometry (notebook 05) -----------------------------------------------------
