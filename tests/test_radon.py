"""Tests of companion.radon: the loader's checks, the raw-file conversion, the models."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import pytest
from scipy import stats

from companion import radon as rd


@pytest.fixture(scope="module")
def radon():
    return rd.load_radon()


def write(frame: pd.DataFrame, tmp_path, name="radon.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_loaded_table_matches_gelman_hill(radon):
    assert radon.shape == (919, 6)
    assert radon["county"].nunique() == 85
    assert (radon["floor"] == 1).sum() == 153  # first-floor measurements
    assert (radon["radon"] == 0).sum() == 3  # readings set to 0.1 before the log
    assert radon["log_radon"].mean() == pytest.approx(1.2246, abs=1e-4)
    counties = rd.county_table(radon)
    assert counties.loc["HENNEPIN", "n_houses"] == 105
    assert counties.loc["ST LOUIS", "n_houses"] == 116
    assert counties.loc["AITKIN", "log_uranium"] == pytest.approx(np.log(0.502), abs=1e-3)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="log_uranium"), "missing column 'log_uranium'"),
        (lambda f: f.assign(floor=f["floor"].where(f.index != 4, 2)), "'floor' should be 0"),
        (lambda f: f.assign(radon=f["radon"].where(f.index != 7, -1.0)), "negative reading"),
        (
            lambda f: f.assign(log_radon=f["log_radon"].where(f.index != 9, 5.0)),
            "column 'log_radon' is 5.0 at row 9",
        ),
        (
            lambda f: f.assign(log_uranium=f["log_uranium"].where(f.index != 0, 0.3)),
            "'log_uranium' should be constant within a county; county 'AITKIN'",
        ),
        (lambda f: f.iloc[:-5], "expected 919 houses in 85 counties, found 914 houses"),
        (lambda f: f.assign(fips=f["fips"].astype(str) + "x"), "'fips' should hold numbers"),
    ],
)
def test_loader_rejects_bad_tables(radon, tmp_path, change, message):
    path = write(change(radon.copy()), tmp_path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match=message):
        rd.load_radon(path)
    assert path.read_bytes() == before


def test_loader_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such data file"):
        rd.load_radon(tmp_path / "nothing.csv")


RAW_SRRS2 = (
    "idnum, state, stfips, floor, activity, cntyfips, county\n"
    "1,MN,27,0,     2.2,  1,AITKIN  \n"
    "2,MN,27,1,     0.0,  1,AITKIN  \n"
    "3,MN,27,0,     4.0,  3,ANOKA   \n"
    "4,WI,55,0,     1.0,  1,ADAMS   \n"
)
RAW_CTY = (
    "stfips,ctfips,st,cty,lon,lat,Uppm\n"
    "27,001,MN,AITKIN,-93.4,46.6,0.502\n"
    "27,003,MN,ANOKA,-93.2,45.3,0.429\n"
    "27,003,MN,ANOKA,-93.3,45.2,9.999\n"
)


def test_raw_conversion_follows_the_book(tmp_path):
    (tmp_path / "srrs2.dat").write_text(RAW_SRRS2)
    (tmp_path / "cty.dat").write_text(RAW_CTY)
    table = rd.radon_from_raw(tmp_path / "srrs2.dat", tmp_path / "cty.dat")
    assert table["county"].tolist() == ["AITKIN", "AITKIN", "ANOKA"]  # Minnesota only
    assert table["fips"].tolist() == [27001, 27001, 27003]
    np.testing.assert_allclose(table["log_radon"], np.log([2.2, 0.1, 4.0]))
    # the first cty.dat row of a county gives its uranium, as R's match() does
    np.testing.assert_allclose(table["log_uranium"], np.log([0.502, 0.502, 0.429]))


def test_raw_conversion_missing_uranium(tmp_path):
    (tmp_path / "srrs2.dat").write_text(RAW_SRRS2)
    (tmp_path / "cty.dat").write_text(RAW_CTY.replace("27,003", "27,005"))
    with pytest.raises(ValueError, match="no uranium row for county FIPS 27003"):
        rd.radon_from_raw(tmp_path / "srrs2.dat", tmp_path / "cty.dat")


def test_rebuild_command_writes_nothing_on_bad_input(tmp_path):
    (tmp_path / "srrs2.dat").write_text(RAW_SRRS2)
    (tmp_path / "cty.dat").write_text(RAW_CTY)
    out = tmp_path / "radon.csv"
    args = ["rebuild", str(tmp_path / "srrs2.dat"), str(tmp_path / "cty.dat"), "-o", str(out)]
    with pytest.raises(ValueError, match="expected 919 houses"):  # a toy file is too small
        rd.main(args)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cty.dat", "srrs2.dat"]


def test_check_county_labels_suggests_close_names():
    with pytest.raises(ValueError, match=r"unknown county 'ST LUIS' \(did you mean 'ST LOUIS'\?\)"):
        rd.check_county_labels(["ST LUIS"], ["ST LOUIS", "STEARNS"])
    rd.check_county_labels(["STEARNS"], ["ST LOUIS", "STEARNS"])


def test_predict_rejects_bad_requests(radon):
    import xarray as xr

    post = xr.Dataset(
        {name: (("chain", "draw"), np.zeros((1, 3))) for name in ("beta_bar", "rho", "sigma_y")}
    )
    with pytest.raises(ValueError, match="exactly one of county="):
        rd.predict_log_radon(post, floor=0, random_seed=1)
    with pytest.raises(ValueError, match="no variable 'alpha'"):
        rd.predict_log_radon(post, floor=0, county="AITKIN", random_seed=1)


def _slopes_posterior(n, rho):
    import xarray as xr

    rng = np.random.default_rng(0)
    dims = ("chain", "draw")
    return xr.Dataset(
        {
            "alpha": ((*dims, "county"), rng.normal(1.5, 0.1, (1, n, 1))),
            "beta": ((*dims, "county"), rng.normal(-0.7, 0.1, (1, n, 1))),
            "gamma": ((*dims, "level_coef"), np.tile([1.4, 0.7], (1, n, 1))),
            "beta_bar": (dims, np.full((1, n), -0.6)),
            "sigma_effect": ((*dims, "effect"), np.tile([0.2, 0.4], (1, n, 1))),
            "rho": (dims, np.full((1, n), rho)),
            "sigma_y": (dims, np.full((1, n), 0.75)),
        },
        coords={
            "county": ["A"],
            "level_coef": ["intercept", "log_uranium"],
            "effect": ["intercept", "floor"],
        },
    )


@pytest.mark.parametrize("rho", [-0.7, 0.0, 0.5])
def test_a_new_county_draws_correlated_intercept_and_floor_effect(rho):
    post = _slopes_posterior(40_000, rho)
    level = {
        floor: rd.predict_log_radon(
            post, floor=floor, log_uranium=0.5, house_noise=False, random_seed=3
        )
        .to_numpy()
        .ravel()
        for floor in (0, 1)
    }
    alpha, beta = level[0], level[1] - level[0]  # the same seed: the same county draws
    assert abs(alpha.mean() - (1.4 + 0.7 * 0.5)) < 0.01 and abs(beta.mean() + 0.6) < 0.02
    assert abs(alpha.std() / 0.2 - 1) < 0.03 and abs(beta.std() / 0.4 - 1) < 0.03
    assert abs(np.corrcoef(alpha, beta)[0, 1] - rho) < 0.02


# --- the PyMC models and their Bambi twins: equal log-densities at shared points -------------

BAMBI_NAMES = {  # PyMC value variable -> Bambi value variable
    "beta": "floor",
    "sigma_alpha_log__": "1|county_sigma_log__",
    "sigma_y_log__": "sigma_log__",
    "z": "1|county_offset",
}


def bambi_model(radon: pd.DataFrame, *, uranium: bool):
    bmb = pytest.importorskip("bambi")
    coef = bmb.Prior("Normal", mu=0, sigma=rd.PRIORS["coef_sd"])
    priors = {
        "Intercept": coef,
        "floor": coef,
        "1|county": bmb.Prior(
            "Normal", mu=0, sigma=bmb.Prior("HalfNormal", sigma=rd.PRIORS["scale_sd"])
        ),
        "sigma": bmb.Prior("HalfNormal", sigma=rd.PRIORS["scale_sd"]),
    }
    formula = "log_radon ~ floor + (1|county)"
    if uranium:
        priors["log_uranium"] = coef
        formula = "log_radon ~ floor + log_uranium + (1|county)"
    model = bmb.Model(formula, radon, priors=priors, center_predictors=False, noncentered=True)
    model.build()
    return model


@pytest.mark.parametrize("uranium", [False, True])
def test_pymc_and_bambi_models_have_equal_log_density(radon, uranium):
    ours = rd.varying_intercept_model(radon, uranium=uranium)
    theirs = bambi_model(radon, uranium=uranium)
    assert list(theirs.backend.model.coords["county__factor_dim"]) == list(ours.coords["county"])
    names = BAMBI_NAMES | (
        {"gamma_0": "Intercept", "gamma_1": "log_uranium"}
        if uranium
        else {"alpha_bar": "Intercept"}
    )
    logp_ours = ours.compile_logp(mode="FAST_COMPILE")
    logp_theirs = theirs.backend.model.compile_logp(mode="FAST_COMPILE")
    assert sorted(v.name for v in theirs.backend.model.value_vars) == sorted(names.values())
    rng = np.random.default_rng(2026)
    for _ in range(5):
        point = {
            v.name: rng.normal(0, 0.5, size=85 if v.name == "z" else None) for v in ours.value_vars
        }
        mapped = {names[name]: value for name, value in point.items()}
        assert logp_ours(point) == pytest.approx(logp_theirs(mapped), rel=1e-9)
    # a different point gives a different log-density: the comparison can fail
    shifted = dict(point, beta=point["beta"] + 1.0)
    assert logp_ours(shifted) != pytest.approx(logp_theirs(mapped), rel=1e-6)


def test_varying_slopes_model_structure(radon):
    model = rd.varying_slopes_model(radon)
    assert isinstance(model, pm.Model)
    assert model.coords["effect"] == ("intercept", "floor")
    assert {"sigma_effect", "rho", "alpha", "beta"} <= set(model.named_vars)
    with warnings.catch_warnings():  # pip-installed PyTensor finds no BLAS library
        warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS")
        outputs = [model[name] for name in ("alpha", "beta", "sigma_effect", "rho")]
        fn = model.compile_fn(
            model.replace_rvs_by_values(outputs),
            inputs=model.value_vars,
            on_unused_input="ignore",
            mode="FAST_COMPILE",
        )
        start = model.initial_point()
        rng = np.random.default_rng(3)
        point = {k: rng.normal(0, 0.5, np.shape(v)) for k, v in start.items()}
        alpha, beta, sds, rho = fn(point)
    # the sds and the correlation start at 1 and 0
    np.testing.assert_array_equal(start["sigma_effect_log__"], np.zeros(2))
    np.testing.assert_array_equal(start["rho_unit_logodds__"], 0.0)
    assert -1 < rho < 1 and (sds > 0).all()
    # alpha, beta are the population mean plus L z, with L the Cholesky factor of the covariance
    cov = np.array([[sds[0] ** 2, rho * sds[0] * sds[1]], [rho * sds[0] * sds[1], sds[1] ** 2]])
    chol = np.linalg.cholesky(cov)
    u = rd.county_table(radon)["log_uranium"].to_numpy()
    gamma, beta_bar = point["gamma"], point["beta_bar"]
    effect = point["z"] @ chol.T
    np.testing.assert_allclose(alpha, gamma[0] + gamma[1] * u + effect[:, 0])
    np.testing.assert_allclose(beta, beta_bar + effect[:, 1])


def test_written_out_prior_is_lkj_cholesky_cov_for_two_effects():
    # LKJCholeskyCov's density of the packed factor L = (s1, s2 rho, s2 sqrt(1 - rho^2)),
    # times the Jacobian s2 / sqrt(1 - rho^2) of (s1, s2, rho) -> L, is the density of the
    # written-out prior: HalfNormal sds, (rho + 1) / 2 ~ Beta(eta, eta).
    eta, scale = rd.PRIORS["lkj_eta"], rd.PRIORS["scale_sd"]
    packed = pm.LKJCholeskyCov.dist(
        n=2, eta=eta, sd_dist=pm.HalfNormal.dist(scale, shape=2), compute_corr=False
    )
    value = pt.vector("value")
    lkj_logp = pm.compile([value], pm.logp(packed, value), mode="FAST_COMPILE")
    model = rd.varying_slopes_model(rd.load_radon())
    sd_value, unit_value = pt.vector("sd"), pt.scalar("unit")
    written = pm.compile(
        [sd_value, unit_value],
        pm.logp(model["sigma_effect"], sd_value).sum() + pm.logp(model["rho_unit"], unit_value),
        mode="FAST_COMPILE",
    )
    rng = np.random.default_rng(4)
    for _ in range(6):
        sds, rho = rng.uniform(0.05, 3, size=2), rng.uniform(-0.97, 0.97)
        lower = np.array([sds[0], sds[1] * rho, sds[1] * np.sqrt(1 - rho**2)])
        lkj = lkj_logp(lower) + np.log(sds[1]) - 0.5 * np.log(1 - rho**2)
        ours = written(sds, (rho + 1) / 2)
        by_hand = stats.halfnorm.logpdf(sds, scale=scale).sum() + stats.beta.logpdf(
            (rho + 1) / 2, eta, eta
        )
        # the Beta is on (rho + 1) / 2: as a density of rho it is halved
        assert lkj == pytest.approx(ours - np.log(2), abs=1e-6)
        assert ours == pytest.approx(by_hand, abs=1e-6)  # PyMC and SciPy differ by ~1e-8


def test_published_standard_errors_belong_to_published_coefficients():
    for model, errors in rd.PUBLISHED_SE.items():
        assert set(errors) <= set(rd.PUBLISHED[model]) - {"pages", "sigma_y", "sigma_alpha"}
        assert all(0 < se < abs(float(rd.PUBLISHED[model][name])) for name, se in errors.items())
