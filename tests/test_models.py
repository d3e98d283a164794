import numpy as np
import pandas as pd
import pytest

from companion import exact, fit, models, simulate


def test_coords_come_from_the_data(levels):
    frame, _ = levels
    model = models.partial_pooling_model(frame)
    assert model.coords["level"] == ("h1", "h2", "h3")
    assert model.coords["predictor"] == ("x",)
    assert len(model.coords["obs"]) == len(frame)
    codes = model["level_idx"].get_value()
    labels = np.asarray(model.coords["level"])[codes]
    assert (labels == frame["level"].to_numpy()).all()


def test_onehot_columns_match_the_levels(levels):
    frame, _ = levels
    onehot = models.onehot_model(frame)["onehot"].get_value()
    assert onehot.shape == (len(frame), 3)
    assert (onehot.sum(axis=1) == 1).all()
    assert (
        onehot.argmax(axis=1).tolist()
        == models.unpooled_model(frame)["level_idx"].get_value().tolist()
    )


def test_variants_have_the_right_free_variables(levels):
    frame, _ = levels
    names = lambda m: sorted(v.name for v in m.free_RVs)  # noqa: E731
    assert names(models.pooled_model(frame)) == ["a", "b", "sigma"]
    assert names(models.unpooled_model(frame, sigma=2.0)) == ["a", "b"]
    assert names(models.partial_pooling_model(frame, group_sd=1.0)) == [
        "a_offset",
        "b",
        "sigma",
        "w",
    ]
    assert names(models.partial_pooling_model(frame, centered=True)) == [
        "a",
        "b",
        "sigma",
        "tau",
        "w",
    ]
    assert names(models.pooled_model(frame, predictors=())) == ["a", "sigma"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcome": "z"}, r"missing column 'z'"),
        ({"group": "ward"}, r"missing group column 'ward'"),
        ({"predictors": ("x", "q")}, r"missing column 'q'"),
        ({"group_sd": 0.0}, r"group_sd must be a positive number"),
        ({"sigma": -1.0}, r"sigma must be a positive number"),
        ({"group": "y"}, r"cannot be both"),
    ],
)
def test_bad_arguments_are_named(levels, kwargs, message):
    frame, _ = levels
    with pytest.raises(ValueError, match=message):
        models.partial_pooling_model(frame, **kwargs)


def test_bad_values_are_named(levels):
    frame, _ = levels
    with pytest.raises(ValueError, match=r"group column 'level' has a missing value at row 4"):
        models.unpooled_model(frame.assign(level=frame["level"].where(frame.index != 4)))
    with pytest.raises(ValueError, match=r"column 'y' has 1 missing value"):
        models.pooled_model(frame.assign(y=frame["y"].where(frame.index != 9)))
    with pytest.raises(ValueError, match=r"'x' should hold numbers, found 'oops'"):
        models.pooled_model(
            frame.assign(x=frame["x"].astype(object).where(frame.index != 1, "oops"))
        )


def test_encode_levels_refuses_unknown_labels():
    assert models.encode_levels(["b", "a"], ["a", "b"], column="g").tolist() == [1, 0]
    with pytest.raises(ValueError, match=r"column 'g' has unknown level 'c'"):
        models.encode_levels(["a", "c"], ["a", "b"], column="g")
    with pytest.raises(ValueError, match="missing level label"):
        models.encode_levels(["a", None], ["a", "b"], column="g")


def _learner_layout(frame):
    """The same data as a learner might hold it: other names, labels and row order."""
    rename = {"h1": "Ward  C", "h2": "ward b", "h3": "A&E 7"}
    other = frame.rename(columns={"y": "recovery days", "x": "age (z)", "level": "ward"})
    other["ward"] = other["ward"].map(rename)
    return other.sample(frac=1.0, random_state=11).reset_index(drop=True), rename


def test_learner_layout_gives_the_same_exact_posterior(levels):
    frame, truth = levels
    other, rename = _learner_layout(frame)
    ours = exact.partial_pooling_posterior(frame, sigma=truth.sigma).loc["a"]
    theirs = exact.partial_pooling_posterior(
        other, sigma=truth.sigma, outcome="recovery days", group="ward", predictors="age (z)"
    ).loc["a"]
    np.testing.assert_allclose(theirs.loc[list(rename.values())].to_numpy(), ours.to_numpy())


def test_learner_layout_gives_the_same_sampled_posterior(levels):
    frame, _ = levels
    other, rename = _learner_layout(frame)
    model = models.partial_pooling_model(
        other, outcome="recovery days", group="ward", predictors=["age (z)"]
    )
    assert set(model.coords["ward"]) == set(rename.values())
    ours = fit.sample(models.partial_pooling_model(frame), random_seed=3)
    theirs = fit.sample(model, random_seed=4)
    import arviz as az

    a = az.summary(ours, var_names=["a"], round_to="none")
    b = az.summary(theirs, var_names=["a"], round_to="none")
    b.index = [name.replace("a[", "").rstrip("]") for name in b.index]
    a.index = [rename[name.replace("a[", "").rstrip("]")] for name in a.index]
    b = b.loc[a.index]
    tolerance = 4 * np.hypot(a["mcse_mean"], b["mcse_mean"])
    assert (np.abs(a["mean"] - b["mean"]) < tolerance).all()


@pytest.mark.parametrize("seed", [1, 2])
def test_partial_pooling_recovers_the_truth(seed):
    frame, truth = simulate.simulate_long_tail(400, n_levels=12, tau=1.0, sigma=2.0, seed=seed)
    model = models.partial_pooling_model(frame, centered=True)
    idata = fit.sample(model, random_seed=seed, target_accept=0.95)
    assert fit.diagnose(idata).ok
    post = idata.posterior
    lower = post["a"].quantile(0.05, dim=("chain", "draw")).to_numpy()
    upper = post["a"].quantile(0.95, dim=("chain", "draw")).to_numpy()
    inside = (lower < truth.a.to_numpy()) & (truth.a.to_numpy() < upper)
    # 90% intervals: about 11 of 12 should cover; shrinkage may miss an outlying level.
    assert inside.mean() >= 0.75
    for name in ("b", "sigma", "w", "tau"):
        value = getattr(truth, name)
        assert abs(float(post[name].mean()) - value) < 3 * float(post[name].std()), name


def test_pooled_and_unpooled_recover_what_they_can():
    frame, truth = simulate.simulate_levels(800, shares=(0.3, 0.3, 0.4), tau=2.0, sigma=1.0, seed=9)
    unpooled = fit.sample(models.unpooled_model(frame), random_seed=9)
    means = unpooled.posterior["a"].mean(("chain", "draw")).to_numpy()
    sds = unpooled.posterior["a"].std(("chain", "draw")).to_numpy()
    assert (np.abs(means - truth.a.to_numpy()) < 4 * sds).all()
    pooled = fit.sample(models.pooled_model(frame), random_seed=9)
    weighted = float((truth.a * truth.counts).sum() / truth.counts.sum())
    assert abs(float(pooled.posterior["a"].mean()) - weighted) < 0.2
    # Ignoring the levels inflates the noise estimate by the spread of the intercepts.
    assert float(pooled.posterior["sigma"].mean()) > truth.sigma + 0.5
    assert isinstance(frame, pd.DataFrame)


def _counts():
    return pd.DataFrame({"unit": ["u1", "u2", "u3", "u1"], "k": [1, 5, 0, 2], "n": [10, 20, 5, 10]})


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda f: f.assign(k=[1, 25, 0, 2]), r"'k' has 25 successes out of 20 trials"),
        (lambda f: f.assign(k=[1, -5, 0, 2]), r"'k'.*negative value -5"),
        (lambda f: f.assign(n=[10, 20.5, 5, 10]), r"'n' should hold whole numbers, found 20.5"),
        (lambda f: f.drop(columns="n"), r"missing column 'n'"),
    ],
)
def test_binomial_input_is_checked(edit, message):
    with pytest.raises(ValueError, match=message):
        models.partial_pooling_model(
            edit(_counts()), outcome="k", trials="n", group="unit", predictors=()
        )


def test_binomial_builders_use_the_logit_scale():
    frame = _counts()
    model = models.unpooled_model(frame, outcome="k", trials="n", group="unit", predictors=())
    assert model.coords["unit"] == ("u1", "u2", "u3")
    assert "sigma" not in model.named_vars
    assert model["trials"].get_value().tolist() == [10, 20, 5, 10]
    with pytest.raises(ValueError, match="omit it when trials is given"):
        models.pooled_model(frame, outcome="k", trials="n", predictors=(), sigma=1.0)


def test_binomial_partial_pooling_recovers_rates():
    rng = np.random.default_rng(4)
    logit = rng.normal(-1.0, 0.5, size=10)
    n = rng.integers(50, 400, size=10)
    k = rng.binomial(n, 1 / (1 + np.exp(-logit)))
    frame = pd.DataFrame({"unit": [f"u{i}" for i in range(10)], "k": k, "n": n})
    idata = fit.sample(
        models.partial_pooling_model(frame, outcome="k", trials="n", group="unit", predictors=()),
        random_seed=4,
        draws=2000,
    )
    assert fit.diagnose(idata).ok
    w = idata.posterior["w"]
    assert abs(float(w.mean()) + 1.0) < 3 * float(w.std())
    new = models.new_group_intercept(idata, random_seed=1)
    assert float(new.std()) > float(idata.posterior["a"].std(("chain", "draw")).max())
