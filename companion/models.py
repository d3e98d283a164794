"""Model builders: pooled, unpooled, one-hot and partially pooled regressions.

Each builder takes a data frame and the names of its columns (the outcome, the group column,
the predictors), validates them, and returns a ``pm.Model`` whose coords come from the data's
own level labels: the group dim is named after the group column and holds its sorted labels,
``obs`` indexes rows and ``predictor`` names the predictors. The models are those of the
forum thread, ``y ~ Normal(a + b x, sigma)`` with a categorical predictor:

1. :func:`pooled_model`, one intercept ``a`` for every row;
2. :func:`unpooled_model`, one intercept ``a[h]`` per level fitted independently, the same
   model as :func:`onehot_model` (regression on one-hot columns);
3. :func:`partial_pooling_model`, ``a[h] ~ Normal(w, tau)`` with the spread ``tau`` fixed
   (the thread's ``Normal(w, 1)``) or learned, centred or non-centred.

Every builder takes the same shapes of data:

- ``family="normal"`` (the default): a continuous outcome with a noise sd that is learned
  (``sigma=None``), fixed (``sigma=2.0``) or known per row (``sigma="se"``, a column of
  standard errors, as in a meta-analysis);
- ``family="binomial"`` (implied by ``trials=``): successes out of ``trials`` on the
  log-odds scale;
- ``family="poisson"``: counts, with ``exposure="hours"`` as a ``log(exposure)`` offset so
  that the intercepts are log rates per unit of exposure.

``priors={"w": pm.Normal.dist(0, 5), "tau": pm.HalfCauchy.dist(5)}`` replaces any default
prior by name with a PyMC ``.dist()`` object; an unknown name is an error listing the valid
ones. When the data put the intercept more than :data:`PRIOR_TAIL_SDS` prior sds from its
prior's centre (per-hour failure rates, say, on a log scale centred at 0), the builder warns
with :class:`PriorTailWarning`, naming the prior and a ``priors=`` that fits the data: the fit
is still valid, but the prior then shapes the answer. :func:`population_mean` reports the
fitted population on the outcome's scale (mean beside median), and
:func:`companion.predict.predict` predicts new rows and new groups, checking labels.

Introduced in ``notebooks/00_why_hierarchical.ipynb``.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import xarray as xr
from pymc.distributions.continuous import FlatRV, HalfFlatRV
from pymc.distributions.distribution import SymbolicRandomVariable
from pymc.distributions.shape_utils import change_dist_size
from pymc.model.fgraph import clone_model, fgraph_from_model, model_from_fgraph, model_observed_rv
from pymc.pytensorf import toposort_replace
from pytensor.raise_op import Assert
from pytensor.tensor.random.op import RandomVariable
from pytensor.tensor.variable import TensorVariable

from companion.validate import (
    as_list,
    check_positive,
    check_positive_column,
    check_successes,
    encode_levels,
    group_column,
    group_levels,
    validate_frame,
)

__all__ = [
    "BINOMIAL_PRIORS",
    "FAMILIES",
    "POISSON_PRIORS",
    "PRIORS",
    "PRIOR_TAIL_SDS",
    "ModelSpec",
    "PriorTailWarning",
    "check_priors",
    "model_spec",
    "observed_as_data",
    "onehot_model",
    "partial_pooling_model",
    "pooled_model",
    "population_mean",
    "unpooled_model",
]

#: Prior scales shared by every builder (and by :mod:`companion.exact`).
PRIORS: dict[str, float] = {
    "intercept_sd": 10.0,  # a (pooled, unpooled) and w ~ Normal(0, 10)
    "slope_sd": 5.0,  # b ~ Normal(0, 5)
    "sigma_sd": 5.0,  # sigma ~ HalfNormal(5)
    "tau_sd": 2.5,  # tau ~ HalfNormal(2.5) when the spread is learned
}

#: Prior scales on the log-odds scale, used when the outcome is a count out of ``trials``.
BINOMIAL_PRIORS: dict[str, float] = {
    "intercept_sd": 2.5,  # a and w ~ Normal(0, 2.5): rates from about 0.7% to 99.3%
    "slope_sd": 1.0,  # b ~ Normal(0, 1) per unit of a predictor
    "tau_sd": 1.0,  # tau ~ HalfNormal(1): group log-odds differ by up to about +-2
}

#: Prior scales on the log scale of a Poisson rate per unit of exposure.
POISSON_PRIORS: dict[str, float] = {
    "intercept_sd": 2.5,  # a and w ~ Normal(0, 2.5): rates from about 0.007 to 150 per unit
    "slope_sd": 1.0,  # b ~ Normal(0, 1) per unit of a predictor
    "tau_sd": 1.0,  # tau ~ HalfNormal(1): group rates differ by factors up to about e^2
}

#: The likelihoods the builders know.
FAMILIES = ("normal", "binomial", "poisson")

#: Prior sds between the data's pooled estimate and the intercept prior's centre above which
#: the builders warn with :class:`PriorTailWarning`.
PRIOR_TAIL_SDS = 3.0

_DEFAULT_PREDICTORS = ("x",)


class PriorTailWarning(UserWarning):
    """The data sit far in the tail of the intercept's prior (see :data:`PRIOR_TAIL_SDS`).

    Introduced in ``notebooks/01_pooled_intercept.ipynb``.
    """


@dataclass(frozen=True)
class ModelSpec:
    """What a builder recorded about the model it built (see :func:`model_spec`).

    Returned by :func:`model_spec`; introduced in ``notebooks/09_your_data.ipynb``.
    """

    kind: str  #: "pooled", "unpooled", "onehot" or "partial"
    family: str  #: "normal", "binomial" or "poisson"
    outcome: str
    group: str | None
    predictors: tuple[str, ...]
    sigma: float | str | None  #: fixed sd, column of known sds, or None (learned)
    trials: str | None
    exposure: str | None
    group_sd: float | None
    centered: bool


_SPECS: weakref.WeakKeyDictionary[pm.Model, ModelSpec] = weakref.WeakKeyDictionary()


def _family(family: str | None, *, trials: str | None, exposure: str | None, sigma: object) -> str:
    if family is None:
        family = "binomial" if trials is not None else "normal"
    if family not in FAMILIES:
        listed = ", ".join(repr(f) for f in FAMILIES)
        raise ValueError(f"family must be one of {listed}, got {family!r}")
    if family == "binomial" and trials is None:
        raise ValueError("family='binomial' needs trials='<column>' holding the number of trials")
    if trials is not None and family != "binomial":
        raise ValueError(
            f"trials= applies to family='binomial' (successes out of trials), not {family!r}"
        )
    if exposure is not None and family != "poisson":
        raise ValueError(
            f"exposure= applies to family='poisson' (counts per unit of exposure), not "
            f"{family!r}; pass family='poisson' with exposure={exposure!r}"
        )
    if sigma is not None and family != "normal":
        where = "omit it when trials is given" if family == "binomial" else "omit it"
        raise ValueError(
            f"sigma applies to a continuous (normal) outcome; {where} (family={family!r})"
        )
    return family


def _sigma_kind(sigma: object) -> str:
    """Classify ``sigma``: ``"learned"`` (None), ``"fixed"`` (a number), ``"column"`` (a name)."""
    if sigma is None:
        return "learned"
    if isinstance(sigma, str):
        return "column"
    if isinstance(sigma, (int, float, np.integer, np.floating)) and not isinstance(sigma, bool):
        if not np.isfinite(sigma) or sigma <= 0:
            raise ValueError(f"sigma must be a positive number or None, got {sigma!r}")
        return "fixed"
    raise ValueError(
        f"sigma takes one number (a noise sd shared by every row), None (learned), or the name "
        f"of a column holding each row's known sd (sigma='se'); got a {type(sigma).__name__}: "
        "pass the column's name instead"
    )


def _prepare(
    data: pd.DataFrame,
    *,
    outcome: str,
    group: str | None,
    predictors: Sequence[str],
    trials: str | None = None,
    exposure: str | None = None,
    sigma: str | None = None,
    family: str | None = None,
) -> tuple[pd.DataFrame, dict[str, object]]:
    family = family or ("normal" if trials is None else "binomial")
    if predictors is _DEFAULT_PREDICTORS and "x" not in data.columns:
        raise ValueError(
            "predictors defaults to ('x',), the course's simulated predictor, and the data have "
            "no column 'x': pass predictors=() for intercepts only, or predictors=['your column']"
        )
    predictors = as_list(predictors)
    schema: dict[str, str] = {outcome: "float" if family == "normal" else "count"}
    roles = {outcome: "the outcome"}
    for name in predictors:
        schema[name] = "float"
        roles.setdefault(name, "a predictor")
    for column, kind, role in (
        (trials, "count", "the trials"),
        (exposure, "float", "the exposure"),
        (sigma, "float", "the known sd (sigma)"),
        (group, None, "the group"),
    ):
        if column is None:
            continue
        if column in roles:
            raise ValueError(f"column {column!r} cannot be both {role} and {roles[column]}")
        roles[column] = role
        if kind is not None:
            schema[column] = kind
    frame = validate_frame(data, schema)
    for column, what in ((exposure, "exposure"), (sigma, "sigma")):
        if column is None:
            continue
        check_positive_column(frame, column, what=what)
    if trials is not None:
        check_successes(frame, successes=outcome, trials=trials)
    coords: dict[str, object] = {"obs": np.arange(len(frame))}
    if predictors:
        coords["predictor"] = list(predictors)
    if group is not None:
        labels = group_column(data, group)
        levels = group_levels(data, group)
        frame[group] = labels
        coords[group] = levels.tolist()
    return frame, coords


def _defaults(family: str) -> dict[str, float]:
    return {"normal": PRIORS, "binomial": BINOMIAL_PRIORS, "poisson": POISSON_PRIORS}[family]


def _default_prior(name: str, family: str) -> TensorVariable:
    scales = _defaults(family)
    if name in ("a", "w"):
        return pm.Normal.dist(0.0, scales["intercept_sd"])
    if name == "b":
        return pm.Normal.dist(0.0, scales["slope_sd"])
    if name == "tau":
        return pm.HalfNormal.dist(scales["tau_sd"])
    return pm.HalfNormal.dist(scales["sigma_sd"])


def check_priors(
    priors: Mapping[str, object] | None,
    valid: Sequence[str],
    *,
    positive: Collection[str] = (),
    tail: tuple[str, float, str, float] | None = None,
) -> dict[str, object]:
    """Check a learner's ``priors=`` against the names of a model's priors.

    Shared by every builder here and by :func:`companion.coins.nested_model`: each name must be
    one of the model's priors and each value an unnamed PyMC distribution made with
    ``.dist()``; the prior of a standard deviation must put no mass on negative values.
    The builders call it on their ``priors=``, introduced in ``notebooks/09_your_data.ipynb``.

    Parameters
    ----------
    priors : mapping of str to distribution, or None
        Prior name -> distribution, such as ``{"tau": pm.HalfCauchy.dist(5)}``.
    valid : sequence of str
        The model's prior names, listed in the error for an unknown one.
    positive : collection of str, default ()
        Names of standard deviations among ``valid``.
    tail : (str, float, str, float), optional
        ``(name, estimate, scale, default_sd)``: the intercept prior to test, the data's pooled
        estimate of it on the link scale, that scale's name (for the message), and the sd of
        its default ``Normal(0, default_sd)``. Omitted, no tail check.

    Returns
    -------
    dict of str to distribution
        The learner's priors, checked (the defaults are not included).

    Raises
    ------
    ValueError
        For an unknown name (listing the valid ones), a value that is not a ``.dist()``
        distribution, a named model variable, or a standard deviation's prior that puts mass
        on negative values.

    Warns
    -----
    PriorTailWarning
        If ``tail`` is given and the estimate sits more than :data:`PRIOR_TAIL_SDS` prior sds
        from the centre of the intercept's prior (the learner's, or the default).

    Examples
    --------
    >>> sorted(check_priors({"tau": pm.HalfCauchy.dist(5)}, ["w", "tau"], positive=["tau"]))
    ['tau']
    >>> check_priors({"t": pm.HalfCauchy.dist(5)}, ["w", "tau"])
    Traceback (most recent call last):
    ...
    ValueError: priors: unknown name 't'; this model's priors are 'w', 'tau'
    >>> check_priors({"tau": pm.Normal.dist(0, 1)}, ["w", "tau"], positive=["tau"])
    Traceback (most recent call last):
    ...
    ValueError: priors['tau'] puts mass on negative values, but 'tau' is a standard deviation: ...
    """
    priors = dict(priors or {})
    listed = ", ".join(repr(name) for name in valid)
    for name, dist in priors.items():
        if name not in valid:
            raise ValueError(f"priors: unknown name {name!r}; this model's priors are {listed}")
        op = getattr(getattr(dist, "owner", None), "op", None)
        if not isinstance(op, (RandomVariable, SymbolicRandomVariable)):
            raise ValueError(
                f"priors[{name!r}] must be a PyMC distribution made with .dist(), such as "
                f"pm.Normal.dist(0, 5); got {type(dist).__name__}"
            )
        if getattr(dist, "name", None):
            raise ValueError(
                f"priors[{name!r}] is the model variable {dist.name!r}; pass an unnamed "
                "distribution made with .dist(), such as pm.HalfCauchy.dist(5)"
            )
        if name in positive and np.isfinite(pm.logp(dist, -1.0).eval()).any():
            raise ValueError(
                f"priors[{name!r}] puts mass on negative values, but {name!r} is a standard "
                "deviation: use a positive distribution such as pm.HalfNormal.dist(1), "
                "pm.HalfCauchy.dist(5) or pm.Exponential.dist(1)"
            )
    if tail is not None:
        name, estimate, scale_name, default_sd = tail
        _warn_prior_tail(name, estimate, scale_name, default_sd, priors)
    return priors


def _prior(
    name: str,
    *,
    family: str,
    priors: Mapping[str, object],
    dims: str | None = None,
) -> TensorVariable:
    """Register the prior of ``name``: the learner's ``.dist()`` if given, else the default."""
    model = pm.modelcontext(None)
    size = (len(model.coords[dims]),) if dims else ()
    dist = priors.get(name)
    if dist is None:
        dist = _default_prior(name, family)
    try:
        resized = change_dist_size(dist, size)
    except Exception as error:  # noqa: BLE001 - re-raised with the prior named
        raise ValueError(
            f"priors[{name!r}] cannot take the shape {size} of dims {dims!r}: {error}"
        ) from error
    return model.register_rv(resized, name, dims=(dims,) if dims else None)


def _prior_location(dist: TensorVariable) -> tuple[float, float] | None:
    """Centre (median) and scale (half the 16-84% range) of a scalar prior, by simulation."""
    if isinstance(dist.owner.op, (FlatRV, HalfFlatRV)):
        return None  # an improper prior has no tail
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # compile chatter of an unusual prior
            draws = pm.draw(change_dist_size(dist, (4000,)), random_seed=0)
    except Exception:  # noqa: BLE001 - a prior PyMC cannot draw from: no check
        return None
    low, mid, high = np.quantile(draws, [0.16, 0.5, 0.84])
    scale = (high - low) / 2
    return (float(mid), float(scale)) if np.isfinite(scale) and scale > 0 else None


def _pooled_estimate(frame: pd.DataFrame, spec: ModelSpec) -> tuple[float, str]:
    """Return the pooled estimate of the intercept on the link scale, and the scale's name."""
    y = frame[spec.outcome].to_numpy(dtype=float)
    if spec.family == "normal":
        if spec.predictors:
            design = np.column_stack([np.ones(len(y)), frame[list(spec.predictors)].to_numpy()])
            return float(np.linalg.lstsq(design, y, rcond=None)[0][0]), "outcome"
        return float(y.mean()), "outcome"
    if spec.family == "binomial":
        n = frame[spec.trials].to_numpy(dtype=float).sum()
        rate = np.clip(y.sum(), 0.5, n - 0.5) / n
        return float(np.log(rate / (1 - rate))), "log-odds"
    total = frame[spec.exposure].to_numpy(dtype=float).sum() if spec.exposure else len(y)
    return float(np.log(max(y.sum(), 0.5) / total)), "log"


def _warn_prior_tail(
    name: str,
    estimate: float,
    scale_name: str,
    default_sd: float,
    priors: Mapping[str, object],
    *,
    hint: str = "",
) -> None:
    if name in priors:
        location = _prior_location(priors[name])
        described = f"the prior you gave for {name!r}"
    else:
        location = (0.0, default_sd)
        described = f"the default prior {name!r} ~ Normal(0, {location[1]:g})"
    if location is None:
        return
    centre, scale = location
    distance = abs(estimate - centre) / scale
    if distance > PRIOR_TAIL_SDS:
        warnings.warn(
            f"the data sit far in the tail of {described}: the pooled estimate of {name!r} on "
            f"the {scale_name} scale is {estimate:.3g}, {distance:.1f} prior sds from its "
            f"centre {centre:.3g}. The prior will pull the estimates; pass the prior you "
            f"would state before seeing these data, on this scale: "
            f"priors={{{name!r}: pm.Normal.dist(mu, sd)}}{hint}",
            PriorTailWarning,
            stacklevel=4,
        )


def _check_prior_tail(
    frame: pd.DataFrame, spec: ModelSpec, name: str, priors: Mapping[str, object]
) -> None:
    estimate, scale_name = _pooled_estimate(frame, spec)
    hint = (
        " (or express the exposure in larger units, e.g. thousands of hours)"
        if spec.family == "poisson"
        else ""
    )
    default_sd = _defaults(spec.family)["intercept_sd"]
    _warn_prior_tail(name, estimate, scale_name, default_sd, priors, hint=hint)


def _valid_priors(spec: ModelSpec) -> list[str]:
    names = ["w", "tau"] if spec.kind == "partial" else ["a"]
    if spec.kind == "partial" and spec.group_sd is not None:
        names.remove("tau")
    if spec.predictors:
        names.append("b")
    if spec.family == "normal" and spec.sigma is None:
        names.append("sigma")
    return names


def _likelihood(
    frame: pd.DataFrame,
    mu: object,
    *,
    spec: ModelSpec,
    priors: Mapping[str, object],
) -> None:
    outcome = spec.outcome
    if spec.predictors:
        values = frame[list(spec.predictors)].to_numpy()
        # b's length is fixed by the "predictor" coords, so x's column count is fixed to match
        # (rows stay resizable). Left unknown, PyTensor adds a SpecifyShape to the log-density
        # or its gradient, and numba takes 1 to 3 s per process to compile its error message.
        x = pm.Data("x", values, dims=("obs", "predictor"), shape=(None, values.shape[1]))
        b = _prior("b", family=spec.family, priors=priors, dims="predictor")
        mu = mu + pm.math.dot(x, b)
    observed = frame[outcome].to_numpy()
    if spec.family == "binomial":
        n = pm.Data("trials", frame[spec.trials].to_numpy(), dims="obs")
        pm.Binomial(outcome, n=n, logit_p=mu, observed=observed, dims="obs")
        return
    if spec.family == "poisson":
        if spec.exposure is not None:
            exposure = pm.Data("exposure", frame[spec.exposure].to_numpy(), dims="obs")
            mu = mu + pm.math.log(exposure)
        pm.Poisson(outcome, mu=pm.math.exp(mu), observed=observed, dims="obs")
        return
    if spec.sigma is None:
        noise = _prior("sigma", family="normal", priors=priors)
    elif isinstance(spec.sigma, str):
        noise = pm.Data("sigma", frame[spec.sigma].to_numpy(), dims="obs")
    else:
        noise = float(spec.sigma)
    pm.Normal(outcome, mu=mu, sigma=noise, observed=observed, dims="obs")


def _start(
    data: pd.DataFrame,
    *,
    kind: str,
    outcome: str,
    group: str | None,
    predictors: str | Sequence[str],
    sigma: float | str | None,
    family: str | None,
    trials: str | None,
    exposure: str | None,
    priors: Mapping[str, object] | None,
    group_sd: float | None = None,
    centered: bool = False,
    check_prior: bool = True,
) -> tuple[pd.DataFrame, dict[str, object], ModelSpec, dict[str, object]]:
    """Validate the arguments and the data of a builder; return frame, coords, spec, priors."""
    family = _family(family, trials=trials, exposure=exposure, sigma=sigma)
    sigma_kind = _sigma_kind(sigma)
    frame, coords = _prepare(
        data,
        outcome=outcome,
        group=group,
        predictors=predictors,
        trials=trials,
        exposure=exposure,
        sigma=sigma if sigma_kind == "column" else None,
        family=family,
    )
    spec = ModelSpec(
        kind=kind,
        family=family,
        outcome=outcome,
        group=group,
        predictors=tuple(coords.get("predictor", ())),
        sigma=float(sigma) if sigma_kind == "fixed" else sigma,
        trials=trials,
        exposure=exposure,
        group_sd=None if group_sd is None else float(group_sd),
        centered=centered,
    )
    checked = check_priors(priors, _valid_priors(spec), positive=("tau", "sigma"))
    if check_prior:
        _check_prior_tail(frame, spec, "w" if kind == "partial" else "a", checked)
    return frame, coords, spec, checked


def _group_index(codes: np.ndarray, group: str, n_levels: int) -> TensorVariable:
    """Register ``{group}_idx`` and return it behind a bounds check.

    Compiled indexing does not check bounds, so a code pushed past the coords with
    ``pm.set_data`` would read garbage silently; the check turns that into an error.
    """
    idx = pm.Data(f"{group}_idx", codes, dims="obs")
    inside = pm.math.all(pm.math.and_(pm.math.ge(idx, 0), pm.math.lt(idx, n_levels)))
    message = (
        f"{group}_idx holds a code outside the model's {n_levels} levels of {group!r}; "
        "predict new rows with companion.predict.predict, which checks labels"
    )
    return Assert(message)(idx, inside)


def pooled_model(
    data: pd.DataFrame,
    *,
    outcome: str = "y",
    predictors: str | Sequence[str] = _DEFAULT_PREDICTORS,
    sigma: float | str | None = None,
    family: str | None = None,
    trials: str | None = None,
    exposure: str | None = None,
    priors: Mapping[str, object] | None = None,
) -> pm.Model:
    """Build the pooled model: one intercept ``a`` shared by every row.

    Introduced in ``notebooks/00_why_hierarchical.ipynb``.

    ``y ~ Normal(a + x @ b, sigma)``; with ``trials`` (``family="binomial"``)
    ``y ~ Binomial(trials, expit(a + x @ b))``; with ``family="poisson"``
    ``y ~ Poisson(exposure * exp(a + x @ b))``.

    Default priors, by family (replace any of them with ``priors=``):

    - normal: ``a ~ Normal(0, 10)``, ``b ~ Normal(0, 5)``, ``sigma ~ HalfNormal(5)``;
    - binomial (log-odds): ``a ~ Normal(0, 2.5)``, ``b ~ Normal(0, 1)``;
    - poisson (log rate per unit of exposure): ``a ~ Normal(0, 2.5)``, ``b ~ Normal(0, 1)``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation.
    outcome : str, default "y"
        Column of the outcome: a number (normal), successes (binomial) or a count (poisson).
    predictors : str or sequence of str, default ("x",)
        Numeric predictor columns; ``()`` for none. The default names the course's simulated
        predictor ``x``: when the data have no column ``x`` and ``predictors`` is not given,
        the error says to pass ``predictors=()`` or your own columns.
    sigma : float or str, optional
        Normal family only. A number is a noise sd shared by every row; a column name gives
        each row its own known sd (a standard error, as in a meta-analysis); omitted, the
        sd is learned with prior ``sigma``.
    family : {"normal", "binomial", "poisson"}, optional
        Likelihood; ``"binomial"`` when ``trials`` is given, ``"normal"`` otherwise.
    trials : str, optional
        Column of the number of trials of a binomial outcome.
    exposure : str, optional
        Poisson family only: column of each row's exposure (time, population...), positive;
        ``log(exposure)`` enters as an offset, so ``exp(a)`` is a rate per unit of exposure.
    priors : dict of str to distribution, optional
        Priors that replace the defaults, by name, as PyMC ``.dist()`` objects:
        ``{"a": pm.Normal.dist(0, 1)}``. Valid names: ``a``, ``b`` (with predictors),
        ``sigma`` (normal, learned).

    Returns
    -------
    pymc.Model
        With dims ``obs`` and ``predictor``.

    Raises
    ------
    ValueError
        If a column is missing or holds missing or invalid values, an argument does not fit
        the family, or a prior's name is unknown.

    Warns
    -----
    PriorTailWarning
        If the data put ``a`` more than 3 prior sds from its prior's centre.

    Examples
    --------
    >>> from companion.simulate import simulate_levels
    >>> data, _ = simulate_levels(random_seed=1)
    >>> sorted(pooled_model(data).named_vars)
    ['a', 'b', 'sigma', 'x', 'y']
    >>> counts = pd.DataFrame({"failures": [5, 1, 14], "hours": [94.3, 15.7, 62.9]})
    >>> sorted(pooled_model(counts, outcome="failures", predictors=(), family="poisson",
    ...                     exposure="hours", priors={"a": pm.Normal.dist(-2, 2)}).named_vars)
    ['a', 'exposure', 'failures']
    """
    frame, coords, spec, priors = _start(
        data,
        kind="pooled",
        outcome=outcome,
        group=None,
        predictors=predictors,
        sigma=sigma,
        family=family,
        trials=trials,
        exposure=exposure,
        priors=priors,
    )
    with pm.Model(coords=coords) as model:
        a = _prior("a", family=spec.family, priors=priors)
        _likelihood(frame, a, spec=spec, priors=priors)
    _SPECS[model] = spec
    return model


def unpooled_model(
    data: pd.DataFrame,
    *,
    outcome: str = "y",
    group: str = "level",
    predictors: str | Sequence[str] = _DEFAULT_PREDICTORS,
    sigma: float | str | None = None,
    family: str | None = None,
    trials: str | None = None,
    exposure: str | None = None,
    priors: Mapping[str, object] | None = None,
) -> pm.Model:
    """Build the unpooled model: an independent intercept ``a[h]`` for every level.

    Introduced in ``notebooks/00_why_hierarchical.ipynb``.

    ``y ~ Normal(a[h] + x @ b, sigma)`` with each ``a[h]`` drawn independently from its prior,
    so a level learns only from its own rows; ``family`` and ``trials``/``exposure`` change
    the likelihood as in :func:`pooled_model`.

    Default priors, by family (replace any of them with ``priors=``):

    - normal: ``a[h] ~ Normal(0, 10)``, ``b ~ Normal(0, 5)``, ``sigma ~ HalfNormal(5)``;
    - binomial (log-odds): ``a[h] ~ Normal(0, 2.5)``, ``b ~ Normal(0, 1)``;
    - poisson (log rate per unit of exposure): ``a[h] ~ Normal(0, 2.5)``, ``b ~ Normal(0, 1)``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation.
    outcome, predictors, sigma, family, trials, exposure
        As in :func:`pooled_model`.
    group : str, default "level"
        Column of the level labels; it names the intercepts' dim.
    priors : dict of str to distribution, optional
        As in :func:`pooled_model`; a scalar prior for ``a`` applies to every level.
        Valid names: ``a``, ``b`` (with predictors), ``sigma`` (normal, learned).

    Returns
    -------
    pymc.Model
        With dims ``obs``, ``predictor`` and ``group``; data ``{group}_idx`` holds row codes
        (predict new rows with :func:`companion.predict.predict`, which checks labels).

    Examples
    --------
    >>> from companion.simulate import simulate_levels
    >>> data, _ = simulate_levels(random_seed=1)
    >>> unpooled_model(data).coords["level"]
    ('h1', 'h2', 'h3')
    """
    frame, coords, spec, priors = _start(
        data,
        kind="unpooled",
        outcome=outcome,
        group=group,
        predictors=predictors,
        sigma=sigma,
        family=family,
        trials=trials,
        exposure=exposure,
        priors=priors,
    )
    codes = encode_levels(frame[group], coords[group], column=group)
    with pm.Model(coords=coords) as model:
        idx = _group_index(codes, group, len(coords[group]))
        a = _prior("a", family=spec.family, priors=priors, dims=group)
        _likelihood(frame, a[idx], spec=spec, priors=priors)
    _SPECS[model] = spec
    return model


def onehot_model(
    data: pd.DataFrame,
    *,
    outcome: str = "y",
    group: str = "level",
    predictors: str | Sequence[str] = _DEFAULT_PREDICTORS,
    sigma: float | str | None = None,
    family: str | None = None,
    trials: str | None = None,
    exposure: str | None = None,
    priors: Mapping[str, object] | None = None,
) -> pm.Model:
    """Build the unpooled model written as a regression on one-hot columns.

    Introduced in ``notebooks/02_unpooled_intercepts.ipynb``.

    The level column becomes one 0/1 column per level (no separate intercept), and
    ``y ~ Normal(onehot @ a + x @ b, sigma)``. With the same priors this is exactly
    :func:`unpooled_model`, so the two posteriors agree.

    Parameters
    ----------
    data, outcome, group, predictors, sigma, family, trials, exposure, priors
        As in :func:`unpooled_model` (same defaults and prior names).

    Returns
    -------
    pymc.Model
        With data ``onehot`` of dims ``(obs, group)``.

    Examples
    --------
    >>> from companion.simulate import simulate_levels
    >>> data, _ = simulate_levels(random_seed=1)
    >>> onehot_model(data)["onehot"].get_value().sum(axis=0).tolist()
    [5.0, 145.0, 350.0]
    """
    frame, coords, spec, priors = _start(
        data,
        kind="onehot",
        outcome=outcome,
        group=group,
        predictors=predictors,
        sigma=sigma,
        family=family,
        trials=trials,
        exposure=exposure,
        priors=priors,
    )
    codes = encode_levels(frame[group], coords[group], column=group)
    dummies = np.eye(len(coords[group]))[codes]
    with pm.Model(coords=coords) as model:
        # as for x in _likelihood: a's length is fixed by the group coords; match it, so that
        # there is no shape check to compile
        onehot = pm.Data("onehot", dummies, dims=("obs", group), shape=(None, dummies.shape[1]))
        a = _prior("a", family=spec.family, priors=priors, dims=group)
        _likelihood(frame, pm.math.dot(onehot, a), spec=spec, priors=priors)
    _SPECS[model] = spec
    return model


def partial_pooling_model(
    data: pd.DataFrame,
    *,
    outcome: str = "y",
    group: str = "level",
    predictors: str | Sequence[str] = _DEFAULT_PREDICTORS,
    group_sd: float | None = None,
    centered: bool = False,
    sigma: float | str | None = None,
    family: str | None = None,
    trials: str | None = None,
    exposure: str | None = None,
    priors: Mapping[str, object] | None = None,
) -> pm.Model:
    """Build the partially pooled model: intercepts drawn from a common population.

    Introduced in ``notebooks/00_why_hierarchical.ipynb``.

    ``a[h] ~ Normal(w, tau)``: ``tau`` is ``group_sd`` when given (the thread's
    ``Normal(w, 1)`` is ``group_sd=1``) and learned otherwise. The non-centred form (default)
    samples ``a_offset ~ Normal(0, 1)`` and sets ``a = w + tau * a_offset``: same model,
    easier geometry when levels have little data. ``family`` and ``trials``/``exposure``
    change the likelihood as in :func:`pooled_model`; ``w`` and ``a`` are then log-odds
    (binomial) or log rates per unit of exposure (poisson), and ``expit(w)`` or ``exp(w)`` is
    the population's median, not its mean (see :func:`population_mean`).

    Default priors, by family (replace any of them with ``priors=``):

    - normal: ``w ~ Normal(0, 10)``, ``tau ~ HalfNormal(2.5)``, ``b ~ Normal(0, 5)``,
      ``sigma ~ HalfNormal(5)``;
    - binomial (log-odds): ``w ~ Normal(0, 2.5)``, ``tau ~ HalfNormal(1)``,
      ``b ~ Normal(0, 1)``;
    - poisson (log rate per unit of exposure): ``w ~ Normal(0, 2.5)``,
      ``tau ~ HalfNormal(1)``, ``b ~ Normal(0, 1)``.

    Parameters
    ----------
    data, outcome, group, predictors, sigma, family, trials, exposure
        As in :func:`unpooled_model`.
    group_sd : float, optional
        Fixed spread of the intercepts; learned from the data when omitted.
    centered : bool, default False
        Sample ``a`` directly (True) or through standard-normal offsets (False).
    priors : dict of str to distribution, optional
        As in :func:`pooled_model`. Valid names: ``w``, ``tau`` (when learned), ``b`` (with
        predictors), ``sigma`` (normal, learned); ``tau`` and ``sigma`` need a distribution
        on positive values, e.g. ``{"tau": pm.HalfCauchy.dist(5)}``.

    Returns
    -------
    pymc.Model
        With variables ``w``, ``a`` (dims ``group``), ``tau`` when learned, ``b``, ``sigma``.

    Raises
    ------
    ValueError
        If ``group_sd`` is not positive, a column is missing or invalid, an argument does
        not fit the family, or a prior is unknown or not positive where it must be.

    Warns
    -----
    PriorTailWarning
        If the data put ``w`` more than 3 prior sds from its prior's centre.

    Examples
    --------
    >>> from companion.simulate import simulate_levels
    >>> data, _ = simulate_levels(random_seed=1)
    >>> sorted(partial_pooling_model(data).free_RVs, key=str)
    [a_offset, b, sigma, tau, w]
    >>> sorted(partial_pooling_model(data, group_sd=1.0, centered=True).free_RVs, key=str)
    [a, b, sigma, w]
    >>> schools = pd.DataFrame({"school": list("ABC"), "effect": [28.0, 8.0, -3.0],
    ...                         "se": [15.0, 10.0, 16.0]})
    >>> model = partial_pooling_model(schools, outcome="effect", group="school", predictors=(),
    ...                               sigma="se", priors={"tau": pm.HalfCauchy.dist(5)})
    >>> sorted(model.free_RVs, key=str), model["sigma"].get_value().tolist()
    ([a_offset, tau, w], [15.0, 10.0, 16.0])
    """
    check_positive(group_sd, name="group_sd", allow_none=True)
    frame, coords, spec, priors = _start(
        data,
        kind="partial",
        outcome=outcome,
        group=group,
        predictors=predictors,
        sigma=sigma,
        family=family,
        trials=trials,
        exposure=exposure,
        priors=priors,
        group_sd=group_sd,
        centered=centered,
    )
    codes = encode_levels(frame[group], coords[group], column=group)
    with pm.Model(coords=coords) as model:
        idx = _group_index(codes, group, len(coords[group]))
        w = _prior("w", family=spec.family, priors=priors)
        if group_sd is None:
            tau = _prior("tau", family=spec.family, priors=priors)
        else:
            tau = float(group_sd)
        if centered:
            a = pm.Normal("a", w, tau, dims=group)
        else:
            offset = pm.Normal("a_offset", 0.0, 1.0, dims=group)
            a = pm.Deterministic("a", w + tau * offset, dims=group)
        _likelihood(frame, a[idx], spec=spec, priors=priors)
    _SPECS[model] = spec
    return model


def model_spec(model: pm.Model) -> ModelSpec:
    """Return what a builder of this module recorded about the model it built.

    :func:`population_mean` and :func:`companion.predict.predict` read it to know the
    family, the columns and the group dim; both are introduced in
    ``notebooks/09_your_data.ipynb``.

    Parameters
    ----------
    model : pymc.Model
        A model returned by :func:`pooled_model`, :func:`unpooled_model`,
        :func:`onehot_model` or :func:`partial_pooling_model`.

    Returns
    -------
    ModelSpec
        The builder's kind, family and column names.

    Raises
    ------
    ValueError
        If the model was not built by one of these builders.

    Examples
    --------
    >>> counts = pd.DataFrame({"ward": ["a", "b"], "k": [3, 5], "n": [10, 12]})
    >>> spec = model_spec(partial_pooling_model(counts, outcome="k", trials="n", group="ward",
    ...                                         predictors=()))
    >>> spec.kind, spec.family, spec.trials
    ('partial', 'binomial', 'n')
    """
    try:
        return _SPECS[model]
    except (KeyError, TypeError):
        raise ValueError(
            "this model was not built by companion.models (pooled_model, unpooled_model, "
            "onehot_model or partial_pooling_model); build it with one of them"
        ) from None


def population_mean(idata: xr.DataTree, model: pm.Model, *, n_nodes: int = 64) -> xr.Dataset:
    """Report the partially pooled population on the outcome's scale: mean beside median.

    A group's intercept is ``w + tau * z`` with ``z ~ Normal(0, 1)``. On the outcome's scale,
    through the inverse link ``g``, the population's median is ``g(w)`` but its mean is
    ``E_z[g(w + tau z)]``, which is larger for a convex ``g``:

    - binomial (logit link): mean rate ``E[expit(w + tau z)]`` (Gauss-Hermite quadrature on
      ``n_nodes`` points, for each posterior draw) beside the median rate ``expit(w)``;
    - poisson (log link): mean count per unit of exposure ``exp(w + tau^2 / 2)`` beside the
      median ``exp(w)``;
    - normal: mean and median are both ``w``.

    With predictors, this is the population at ``x = 0``. Introduced in
    ``notebooks/09_your_data.ipynb``.

    Parameters
    ----------
    idata : xarray.DataTree
        Fit of :func:`partial_pooling_model` (its posterior holds ``w``, and ``tau`` unless
        the model fixed ``group_sd``).
    model : pymc.Model
        The model that was fitted.
    n_nodes : int, default 64
        Quadrature points for the logit link.

    Returns
    -------
    xarray.Dataset
        ``mean`` and ``median``, posterior draws with dims ``(chain, draw)``.

    Raises
    ------
    ValueError
        If the model is not a partial pooling model of this module.

    Examples
    --------
    >>> import xarray as xr
    >>> counts = pd.DataFrame({"ward": ["a", "b"], "k": [3, 5], "n": [10, 12]})
    >>> model = partial_pooling_model(counts, outcome="k", trials="n", group="ward",
    ...                               predictors=())
    >>> post = xr.Dataset({"w": (("chain", "draw"), [[-2.0]]),
    ...                    "tau": (("chain", "draw"), [[1.0]])})
    >>> pop = population_mean(xr.DataTree.from_dict({"posterior": post}), model)
    >>> round(pop["median"].item(), 3), round(pop["mean"].item(), 3)
    (0.119, 0.155)
    """
    spec = model_spec(model)
    if spec.kind != "partial":
        raise ValueError(
            f"population_mean needs a partial pooling model; this one is {spec.kind!r}, "
            "which has no population of groups"
        )
    post = idata.posterior
    w = post["w"]
    tau = post["tau"] if spec.group_sd is None else xr.full_like(w, spec.group_sd)
    if spec.family == "normal":
        mean, median = w, w
    elif spec.family == "poisson":
        mean, median = np.exp(w + tau**2 / 2), np.exp(w)
    else:
        nodes, weights = np.polynomial.hermite_e.hermegauss(int(n_nodes))
        z = xr.DataArray(nodes, dims="node")
        weight = xr.DataArray(weights / np.sqrt(2 * np.pi), dims="node")
        mean = (weight * (1 / (1 + np.exp(-(w + tau * z))))).sum("node")
        median = 1 / (1 + np.exp(-w))
    return xr.Dataset({"mean": mean, "median": median})


def observed_as_data(model: pm.Model) -> pm.Model:
    """Return a copy of a model whose observed values sit in ``pm.Data("<name>_observed")``.

    The builders pass the observed values as constants. In a data container they can be
    swapped for another data set's, so that one compiled model serves several data sets
    (:func:`companion.fit.sample_datasets`, :func:`companion.compare.fit_datasets`). As
    :func:`pymc.observe` does, but the observed variable reads the very container the copy
    registers, so that ``pm.set_data`` and nutpie's ``with_data`` both reach it. Introduced
    in ``notebooks/08_is_it_worth_it.ipynb``.

    Parameters
    ----------
    model : pymc.Model
        A model with exactly one observed variable.

    Returns
    -------
    pymc.Model
        The copy; ``model`` itself is unchanged.

    Raises
    ------
    ValueError
        If the model has no observed variable or more than one.

    Examples
    --------
    >>> frame = pd.DataFrame({"g": ["a", "b"], "y": [1.0, 2.0]})
    >>> model = partial_pooling_model(frame, group="g", predictors=(), sigma=1.0)
    >>> shared = observed_as_data(model)
    >>> sorted(var.name for var in shared.data_vars)
    ['g_idx', 'y_observed']
    >>> pm.set_data({"y_observed": [3.0, 4.0]}, model=shared)
    >>> shared["y_observed"].get_value().tolist(), [v.name for v in model.data_vars]
    ([3.0, 4.0], ['g_idx'])
    """
    if len(model.observed_RVs) != 1:
        names = [rv.name for rv in model.observed_RVs]
        raise ValueError(f"observed_as_data needs a model with one observed variable; got {names}")
    copy = clone_model(model)
    (observed,) = copy.observed_RVs
    with copy:
        holder = pm.Data(
            f"{observed.name}_observed",
            copy.rvs_to_values[observed].data,
            dims=copy.named_vars_to_dims.get(observed.name),
        )
    fgraph, memo = fgraph_from_model(copy)
    node = memo[observed]
    rv, op = node.owner.inputs[0], node.owner.op
    value = rv.type.filter_variable(pt.cast(memo[holder], rv.type.dtype))  # pm.Data keeps int32
    toposort_replace(fgraph, [(node, model_observed_rv(rv, value, op.name, *op.dims))])
    return model_from_fgraph(fgraph, mutate_fgraph=True)
