"""Minnesota radon (Gelman and Hill 2007): the data, their checks and what the chapter predicts.

``data/radon.csv`` holds one row per house of the EPA's Minnesota radon survey, as Gelman and
Hill (2007, ch. 12-13) analyse it: 919 houses in 85 counties, the floor the radon was measured
on, the log radon level and the county's log soil uranium. :func:`radon_from_raw` rebuilds the
file from the two public raw files (``srrs2.dat``, ``cty.dat``) with no network::

    python -m companion.radon rebuild srrs2.dat cty.dat -o data/radon.csv

Introduced in ``notebooks/10_varying_slopes.ipynb``.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from companion.data import DATA_DIR
from companion.predict import population_draws
from companion.validate import validate_frame

__all__ = [
    "N_COUNTIES",
    "N_HOUSES",
    "PUBLISHED",
    "PUBLISHED_SE",
    "SCHEMA",
    "check_county_labels",
    "county_table",
    "load_radon",
    "predict_log_radon",
    "radon_from_raw",
    "varying_intercept_model",
    "varying_slopes_model",
]

#: Columns of ``data/radon.csv`` and their kind (see :func:`companion.validate.validate_frame`).
SCHEMA: dict[str, str] = {
    "county": "string",
    "fips": "int",
    "floor": "int",
    "radon": "float",
    "log_radon": "float",
    "log_uranium": "float",
}

N_HOUSES = 919
N_COUNTIES = 85

#: Radon readings recorded as 0 are set to this level (pCi/L) before taking logs, as in the book.
ZERO_READING = 0.1

#: Estimates printed by Gelman and Hill (2007) for the two varying-intercept models, with pages.
PUBLISHED: dict[str, dict[str, float | str]] = {
    "floor": {
        "alpha_bar": 1.46,
        "beta": -0.69,
        "sigma_y": 0.76,
        "sigma_alpha": 0.33,
        "pages": "258-259",
    },
    "uranium": {
        "gamma_0": 1.47,
        "gamma_1": 0.72,
        "beta": -0.67,
        "sigma_y": 0.76,
        "sigma_alpha": 0.16,
        "pages": "266",
    },
}

#: Standard errors Gelman and Hill print next to the coefficients of :data:`PUBLISHED` (``lmer``
#: prints none for the standard deviations).
PUBLISHED_SE: dict[str, dict[str, float]] = {
    "floor": {"alpha_bar": 0.05, "beta": 0.07},
    "uranium": {"gamma_0": 0.04, "gamma_1": 0.09, "beta": 0.07},
}

#: Priors of the chapter's models: sd of the Normal(0, sd) on every coefficient, scale of the
#: HalfNormal on every standard deviation, and the LKJ shape of the slopes model.
PRIORS: dict[str, float] = {"coef_sd": 5.0, "scale_sd": 1.0, "lkj_eta": 2.0}


def radon_from_raw(srrs2: str | Path, cty: str | Path) -> pd.DataFrame:
    r"""Build the Minnesota table from the raw survey files, as Gelman and Hill do.

    Not called in the notebooks; ``python -m companion.radon rebuild`` uses it.

    The steps follow the book's set-up code: keep the rows of ``srrs2.dat`` with state
    ``MN``; ``log_radon = log(activity)``, with readings of 0 set to 0.1 pCi/L first; the
    county's five-digit FIPS code is ``1000 * stfips + cntyfips``; its uranium is the
    ``Uppm`` of the first row of ``cty.dat`` with that code, and ``log_uranium = log(Uppm)``.

    Parameters
    ----------
    srrs2 : str or pathlib.Path
        The EPA State Residential Radon Survey file ``srrs2.dat`` (comma-separated).
    cty : str or pathlib.Path
        The county uranium file ``cty.dat`` (comma-separated).

    Returns
    -------
    pandas.DataFrame
        Columns as in :data:`SCHEMA`, one row per Minnesota house in the survey's order.

    Raises
    ------
    ValueError
        If a Minnesota county has no uranium row in ``cty``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "srrs2.dat").write_text(
    ...     "idnum, state, stfips, floor, activity, cntyfips, county\n"
    ...     "1,MN,27,0,     2.2,  1,AITKIN  \n2,MN,27,1,     0.0,  1,AITKIN  \n"
    ...     "3,WI,55,0,     1.0,  1,ADAMS   \n"
    ... )
    >>> _ = (folder / "cty.dat").write_text(
    ...     "stfips,ctfips,st,cty,lon,lat,Uppm\n27,001,MN,AITKIN,-93.4,46.6,0.502\n"
    ... )
    >>> radon_from_raw(folder / "srrs2.dat", folder / "cty.dat")[["county", "log_radon"]].round(3)
       county  log_radon
    0  AITKIN      0.788
    1  AITKIN     -2.303
    """
    raw = pd.read_csv(srrs2, skipinitialspace=True)
    raw.columns = raw.columns.str.strip()
    houses = raw[raw["state"].astype("string").str.strip() == "MN"]
    uranium = pd.read_csv(cty, skipinitialspace=True)
    uranium.columns = uranium.columns.str.strip()
    by_fips = (
        uranium.assign(fips=1000 * uranium["stfips"] + uranium["ctfips"])
        .drop_duplicates("fips", keep="first")
        .set_index("fips")["Uppm"]
    )
    fips = (1000 * houses["stfips"] + houses["cntyfips"]).astype("int64")
    missing = sorted(set(fips) - set(by_fips.index))
    if missing:
        raise ValueError(f"{Path(cty).name}: no uranium row for county FIPS {missing[0]}")
    activity = houses["activity"].astype(float)
    table = pd.DataFrame(
        {
            "county": houses["county"].astype("string").str.strip(),
            "fips": fips,
            "floor": houses["floor"].astype("int64"),
            "radon": activity,
            "log_radon": np.log(activity.where(activity > 0, ZERO_READING)),
            "log_uranium": np.log(fips.map(by_fips).astype(float)),
        }
    )
    return table.reset_index(drop=True)


def _csv_text(table: pd.DataFrame) -> str:
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n", float_format="%.6f")
    return buffer.getvalue()


def load_radon(path: str | Path = "radon.csv") -> pd.DataFrame:
    """Load and check the Minnesota radon table (``data/radon.csv``).

    Introduced in ``notebooks/10_varying_slopes.ipynb``.

    Parameters
    ----------
    path : str or pathlib.Path, default ``"radon.csv"``
        File name in ``data/`` or a path.

    Returns
    -------
    pandas.DataFrame
        919 rows, columns as in :data:`SCHEMA` (``county`` as text, ``fips`` and ``floor``
        as integers, the rest as floats).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        Naming the column and value at fault: a missing column or value, a ``floor`` other
        than 0 or 1, a negative ``radon``, a ``log_radon`` that is not the log of ``radon``
        (0 read as 0.1), a county with two uranium values or two FIPS codes, or a table
        without 919 houses in 85 counties.

    Examples
    --------
    >>> radon = load_radon()
    >>> radon.shape, radon["county"].nunique()
    ((919, 6), 85)
    """
    file = Path(path)
    if not file.is_absolute() and not file.exists():
        file = DATA_DIR / file
    if not file.exists():
        raise FileNotFoundError(f"no such data file: {file}")
    source = file.name
    raw = pd.read_csv(file, dtype={"county": "string"})
    table = validate_frame(raw, SCHEMA, source=source)
    bad_floor = ~table["floor"].isin([0, 1])
    if bad_floor.any():
        row = table.index[bad_floor][0]
        raise ValueError(
            f"{source}: column 'floor' should be 0 (basement) or 1 (first floor), "
            f"found {int(table.loc[row, 'floor'])} at row {row!r}"
        )
    if (table["radon"] < 0).any():
        row = table.index[table["radon"] < 0][0]
        raise ValueError(
            f"{source}: column 'radon' holds a negative reading {float(table.loc[row, 'radon'])} "
            f"at row {row!r}"
        )
    expected = np.log(table["radon"].where(table["radon"] > 0, ZERO_READING))
    off = (table["log_radon"] - expected).abs() > 1e-5
    if off.any():
        row = table.index[off][0]
        raise ValueError(
            f"{source}: column 'log_radon' is {float(table.loc[row, 'log_radon'])} at row {row!r}, "
            f"but log(radon) is {expected[row]:.6f} (readings of 0 count as {ZERO_READING})"
        )
    for column in ("log_uranium", "fips"):
        per_county = table.groupby("county", observed=True)[column].nunique()
        if (per_county > 1).any():
            county = per_county.index[per_county > 1][0]
            values = sorted(table.loc[table["county"] == county, column].unique().tolist())
            raise ValueError(
                f"{source}: column {column!r} should be constant within a county; "
                f"county {county!r} has {values}"
            )
    n_counties = table["county"].nunique()
    if len(table) != N_HOUSES or n_counties != N_COUNTIES:
        raise ValueError(
            f"{source}: expected {N_HOUSES} houses in {N_COUNTIES} counties, found "
            f"{len(table)} houses in {n_counties} counties"
        )
    return table


def county_table(radon: pd.DataFrame) -> pd.DataFrame:
    """Summarise the houses by county: count, share on the first floor, uranium, mean log radon.

    Introduced in ``notebooks/10_varying_slopes.ipynb``.

    Parameters
    ----------
    radon : pandas.DataFrame
        The house table of :func:`load_radon`.

    Returns
    -------
    pandas.DataFrame
        One row per county, indexed and sorted by county name; columns ``n_houses``,
        ``first_floor_share``, ``log_uranium``, ``mean_log_radon``.

    Examples
    --------
    >>> counties = county_table(load_radon())
    >>> len(counties), int(counties["n_houses"].sum())
    (85, 919)
    """
    grouped = radon.groupby("county", sort=True, observed=True)
    return pd.DataFrame(
        {
            "n_houses": grouped.size(),
            "first_floor_share": grouped["floor"].mean(),
            "log_uranium": grouped["log_uranium"].first(),
            "mean_log_radon": grouped["log_radon"].mean(),
        }
    )


def check_county_labels(labels: Sequence[str], known: Sequence[str]) -> None:
    """Raise if a county label is not one of the model's counties.

    Not called in the notebooks; :func:`predict_log_radon` uses it.

    Parameters
    ----------
    labels : sequence of str
        The counties asked for.
    known : sequence of str
        The model's ``county`` coordinate.

    Raises
    ------
    ValueError
        Naming the first unknown label, with the closest known names.

    Examples
    --------
    >>> check_county_labels(["HENNEPIN", "HENEPIN"], ["HENNEPIN", "RAMSEY"])
    Traceback (most recent call last):
    ...
    ValueError: unknown county 'HENEPIN' (did you mean 'HENNEPIN'?); the model's 'county' coordinate lists the 2 known counties
    """
    import difflib

    pool = [str(k) for k in known]
    for label in labels:
        if str(label) not in pool:
            close = difflib.get_close_matches(str(label), pool, n=3, cutoff=0.6)
            hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
            raise ValueError(
                f"unknown county {label!r}{hint}; the model's 'county' coordinate lists "
                f"the {len(pool)} known counties"
            )


def _coords(radon: pd.DataFrame) -> tuple[dict[str, object], np.ndarray]:
    county_idx, counties = pd.factorize(radon["county"], sort=True)
    coords = {"county": counties.to_numpy(dtype=str), "house": radon.index.to_numpy()}
    return coords, county_idx


def varying_intercept_model(radon: pd.DataFrame, *, uranium: bool = False) -> pm.Model:
    """Varying intercepts by county with the floor predictor, optionally uranium at county level.

    Introduced in ``notebooks/10_varying_slopes.ipynb``.

    ``log_radon ~ Normal(alpha[county] + beta floor, sigma_y)``, with, non-centred,
    ``alpha = alpha_bar + sigma_alpha z`` (or, with ``uranium=True``,
    ``alpha = gamma_0 + gamma_1 log_uranium + sigma_alpha z``), ``z ~ Normal(0, 1)``.
    Priors (:data:`PRIORS`): ``Normal(0, 5)`` on ``alpha_bar``, ``gamma_0``, ``gamma_1`` and
    ``beta``; ``HalfNormal(1)`` on ``sigma_alpha`` and ``sigma_y``.

    Parameters
    ----------
    radon : pandas.DataFrame
        The house table of :func:`load_radon`.
    uranium : bool, default False
        Add the county's log uranium as a group-level predictor.

    Returns
    -------
    pymc.Model
        Dims ``county`` (sorted names) and ``house`` (the table's index).

    Examples
    --------
    >>> model = varying_intercept_model(load_radon(), uranium=True)
    >>> sorted(model.named_vars)[:4]
    ['alpha', 'beta', 'gamma_0', 'gamma_1']
    """
    coords, county_idx = _coords(radon)
    coef_sd, scale_sd = PRIORS["coef_sd"], PRIORS["scale_sd"]
    u = county_table(radon)["log_uranium"].to_numpy()
    with pm.Model(coords=coords) as model:
        if uranium:
            gamma_0 = pm.Normal("gamma_0", 0, coef_sd)
            gamma_1 = pm.Normal("gamma_1", 0, coef_sd)
            centre = gamma_0 + gamma_1 * u
        else:
            centre = pm.Normal("alpha_bar", 0, coef_sd)
        beta = pm.Normal("beta", 0, coef_sd)
        sigma_alpha = pm.HalfNormal("sigma_alpha", scale_sd)
        sigma_y = pm.HalfNormal("sigma_y", scale_sd)
        z = pm.Normal("z", 0, 1, dims="county")
        alpha = pm.Deterministic("alpha", centre + sigma_alpha * z, dims="county")
        mu = alpha[county_idx] + beta * radon["floor"].to_numpy()
        pm.Normal("log_radon", mu, sigma_y, observed=radon["log_radon"].to_numpy(), dims="house")
    return model


def varying_slopes_model(radon: pd.DataFrame) -> pm.Model:
    """Correlated varying intercepts and floor slopes by county, uranium on the intercepts.

    Introduced in ``notebooks/10_varying_slopes.ipynb``.

    ``log_radon ~ Normal(alpha[county] + beta[county] floor, sigma_y)`` with
    ``(alpha_j, beta_j) ~ MvNormal((gamma_0 + gamma_1 u_j, beta_bar), Sigma)``, written
    non-centred: ``(alpha_j, beta_j) = mean_j + L z_j`` with ``z_j ~ Normal(0, 1)`` and ``L``
    the Cholesky factor of ``Sigma``, ``[[s_1, 0], [s_2 rho, s_2 sqrt(1 - rho**2)]]`` for the
    standard deviations ``s = sigma_effect`` (dim ``effect``, ``HalfNormal(1)`` each) and the
    correlation ``rho`` of intercepts and slopes. The LKJ prior of shape ``eta`` on a 2 x 2
    correlation matrix is a ``Beta(eta, eta)`` prior on ``(rho + 1) / 2``, the free variable
    ``rho_unit``. ``pm.LKJCholeskyCov(n=2, eta=2, sd_dist=pm.HalfNormal.dist(1, shape=2))``
    gives the same prior (``tests/test_radon.py`` checks the densities). Written out, the
    model is faster on a first run: ``benchmarks/lkj.py`` measured 13 s from building the
    model to the last draw, against 25 s with ``pm.LKJCholeskyCov``, sampling 3.8 s against
    3.2 s (x86_64, 2 cores): the difference is numba compiling the LKJ's log-density.

    Parameters
    ----------
    radon : pandas.DataFrame
        The house table of :func:`load_radon`.

    Returns
    -------
    pymc.Model
        Dims ``county``, ``house``, ``effect`` (``intercept``, ``floor``) and ``level_coef``
        (``intercept``, ``log_uranium``).

    Examples
    --------
    >>> model = varying_slopes_model(load_radon())
    >>> model.coords["effect"]
    ('intercept', 'floor')
    """
    coords, county_idx = _coords(radon)
    coords |= {"effect": ["intercept", "floor"], "level_coef": ["intercept", "log_uranium"]}
    u = county_table(radon)["log_uranium"].to_numpy()
    eta = PRIORS["lkj_eta"]
    with pm.Model(coords=coords) as model:
        gamma = pm.Normal("gamma", 0, PRIORS["coef_sd"], dims="level_coef")
        beta_bar = pm.Normal("beta_bar", 0, PRIORS["coef_sd"])
        sd = pm.HalfNormal("sigma_effect", PRIORS["scale_sd"], dims="effect")
        rho = pm.Deterministic("rho", 2 * pm.Beta("rho_unit", eta, eta) - 1)
        z = pm.Normal("z", 0, 1, dims=("county", "effect"))
        intercept_effect = sd[0] * z[:, 0]
        slope_effect = sd[1] * (rho * z[:, 0] + pm.math.sqrt(1 - rho**2) * z[:, 1])
        alpha = pm.Deterministic("alpha", gamma[0] + gamma[1] * u + intercept_effect, dims="county")
        beta = pm.Deterministic("beta", beta_bar + slope_effect, dims="county")
        sigma_y = pm.HalfNormal("sigma_y", PRIORS["scale_sd"])
        mu = alpha[county_idx] + beta[county_idx] * radon["floor"].to_numpy()
        pm.Normal("log_radon", mu, sigma_y, observed=radon["log_radon"].to_numpy(), dims="house")
    return model


def predict_log_radon(
    posterior: xr.Dataset | xr.DataTree,
    *,
    floor: int,
    county: str | None = None,
    log_uranium: float | None = None,
    house_noise: bool = True,
    random_seed: int,
) -> xr.DataArray:
    """Draw the log radon of one new house, in a known county or in a new one.

    Introduced in ``notebooks/10_varying_slopes.ipynb``.

    Works on the posterior of :func:`varying_slopes_model` (variables ``alpha``, ``beta``,
    ``gamma``, ``beta_bar``, ``sigma_effect``, ``rho``, ``sigma_y``). In a known county the
    house uses that county's ``alpha`` and ``beta``; in a new county, ``(alpha, beta)`` is
    first drawn from the population, a bivariate normal with mean
    ``(gamma_0 + gamma_1 u, beta_bar)``, standard deviations ``sigma_effect`` and
    correlation ``rho``, with ``u`` the new county's log uranium. Either way the house's own
    noise, ``Normal(0, sigma_y)``, is added unless ``house_noise=False`` (which gives the
    county's mean level for that floor instead of one house).

    Parameters
    ----------
    posterior : xarray.Dataset or xarray.DataTree
        The posterior (or a fit holding one).
    floor : {0, 1}
        0 for a basement measurement, 1 for the first floor.
    county : str, optional
        A county of the fit (checked against its ``county`` coordinate).
    log_uranium : float, optional
        The log uranium (ppm) of a new county; give exactly one of ``county`` and this.
    house_noise : bool, default True
        Add the house's own variation ``sigma_y``; False predicts the county's mean level.
    random_seed : int
        Seed of the draws.

    Returns
    -------
    xarray.DataArray
        One draw per posterior draw, dims ``(chain, draw)``.

    Raises
    ------
    ValueError
        For an unknown county, a floor other than 0 or 1, both or neither of ``county`` and
        ``log_uranium``, or a posterior missing a variable.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> draws = {"chain": [0], "draw": np.arange(500)}
    >>> post = xr.Dataset(
    ...     {
    ...         "alpha": (("chain", "draw", "county"), rng.normal(1.5, 0.1, (1, 500, 2))),
    ...         "beta": (("chain", "draw", "county"), rng.normal(-0.7, 0.1, (1, 500, 2))),
    ...         "gamma": (("chain", "draw", "level_coef"), np.tile([1.5, 0.7], (1, 500, 1))),
    ...         "beta_bar": (("chain", "draw"), np.full((1, 500), -0.7)),
    ...         "sigma_effect": (("chain", "draw", "effect"), np.tile([0.15, 0.3], (1, 500, 1))),
    ...         "rho": (("chain", "draw"), np.zeros((1, 500))),
    ...         "sigma_y": (("chain", "draw"), np.full((1, 500), 0.75)),
    ...     },
    ...     coords={"county": ["A", "B"], "level_coef": ["intercept", "log_uranium"],
    ...             "effect": ["intercept", "floor"]} | draws,
    ... )
    >>> known = predict_log_radon(post, floor=0, county="A", random_seed=1)
    >>> new = predict_log_radon(post, floor=1, log_uranium=0.0, random_seed=1)
    >>> bool(new.std() > known.std() > 0.6)
    True
    >>> level = predict_log_radon(post, floor=0, county="A", house_noise=False, random_seed=1)
    >>> bool(level.std() < 0.2)
    True
    >>> predict_log_radon(post, floor=2, county="A", random_seed=1)
    Traceback (most recent call last):
    ...
    ValueError: floor must be 0 (basement) or 1 (first floor), got 2
    """
    post = posterior["posterior"].to_dataset() if isinstance(posterior, xr.DataTree) else posterior
    if floor not in (0, 1):
        raise ValueError(f"floor must be 0 (basement) or 1 (first floor), got {floor!r}")
    if (county is None) == (log_uranium is None):
        raise ValueError("give exactly one of county= (a known county) or log_uranium= (a new one)")
    needed = ["alpha", "beta", "gamma", "beta_bar", "sigma_effect", "rho", "sigma_y"]
    absent = [name for name in needed if name not in post]
    if absent:
        raise ValueError(f"the posterior has no variable {absent[0]!r}; needed: {needed}")
    rng = np.random.default_rng(random_seed)
    shape = (post.sizes["chain"], post.sizes["draw"])
    if county is not None:
        check_county_labels([county], post["county"].to_numpy())
        alpha = post["alpha"].sel(county=county)
        beta = post["beta"].sel(county=county)
    else:
        if not np.isfinite(log_uranium):
            raise ValueError(f"log_uranium must be a finite number, got {log_uranium!r}")
        gamma = post["gamma"]
        effects = {"effect": ["intercept", "floor"]}
        mean = xr.concat(
            [
                gamma.sel(level_coef="intercept", drop=True)
                + gamma.sel(level_coef="log_uranium", drop=True) * log_uranium,
                post["beta_bar"],
            ],
            dim=pd.Index(effects["effect"], name="effect"),
        )
        one, rho = xr.ones_like(post["rho"]), post["rho"]
        corr = xr.concat(
            [xr.concat([one, rho], "effect_bis"), xr.concat([rho, one], "effect_bis")], "effect"
        ).assign_coords(effects)
        county_effects = population_draws(
            mean, post["sigma_effect"], ["new county"], dim="county", corr=corr, random_seed=rng
        ).squeeze("county", drop=True)
        alpha = county_effects.sel(effect="intercept")
        beta = county_effects.sel(effect="floor")
    noise = post["sigma_y"] * rng.standard_normal(shape)
    out = alpha + beta * floor + (noise if house_noise else 0.0)
    return out.drop_vars([c for c in out.coords if c not in ("chain", "draw")]).rename("log_radon")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``python -m companion.radon rebuild SRRS2 CTY [-o OUT]``."""
    parser = argparse.ArgumentParser(
        prog="python -m companion.radon", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rebuild = sub.add_parser("rebuild", help="rebuild data/radon.csv from srrs2.dat and cty.dat")
    rebuild.add_argument("srrs2", help="path to srrs2.dat")
    rebuild.add_argument("cty", help="path to cty.dat")
    rebuild.add_argument("-o", "--output", default=str(DATA_DIR / "radon.csv"))
    args = parser.parse_args(argv)
    output = Path(args.output)
    draft = output.with_name(output.name + ".draft")
    draft.write_text(_csv_text(radon_from_raw(args.srrs2, args.cty)))
    try:
        load_radon(draft.resolve())
    except ValueError:
        draft.unlink()
        raise
    draft.replace(output)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
