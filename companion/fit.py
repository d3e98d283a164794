"""Sampling with the course defaults, and a health check.

nutpie, PyMC's default sampler, prints no warning about divergences, r-hat or effective
sample size, so every fit in the course is checked explicitly with :func:`diagnose` or
:func:`check_health`. Introduced in ``notebooks/00_why_hierarchical.ipynb``.

Compiling, not sampling, is most of a short fit's time. :func:`sample` gives nutpie Python
functions around PyTensor's numba code rather than the C callback ``pm.sample`` compiles for
each model: the same draws, seconds less for a short fit, more for a long one (see its
``compiled_callback`` and ``benchmarks/callback.py``). :func:`sample_datasets` by default
compiles the callback once for many fits.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import arviz as az
import numpy as np
import nutpie
import pandas as pd
import pymc as pm
import xarray as xr
from nutpie.compiled_pyfunc import PyFuncModel
from pymc.backends.arviz import patch_nutpie_idata

from companion.validate import check_positive

__all__ = [
    "Health",
    "UnhealthyFitError",
    "check_health",
    "diagnose",
    "residual_z",
    "sample",
    "sample_compiled",
    "sample_datasets",
]

#: Course defaults: two chains keep fits quick on a laptop and on mybinder.org.
DEFAULTS: dict[str, int] = {"draws": 1000, "tune": 1000, "chains": 2}


def sample(
    model: pm.Model,
    *,
    random_seed: int,
    draws: int = DEFAULTS["draws"],
    tune: int = DEFAULTS["tune"],
    chains: int = DEFAULTS["chains"],
    target_accept: float | None = None,
    nuts_sampler: str = "nutpie",
    compiled_callback: bool = False,
    progressbar: bool = False,
    **kwargs: object,
) -> xr.DataTree:
    """Draw posterior samples with the course defaults.

    Introduced in ``notebooks/00_why_hierarchical.ipynb``.

    nutpie (Rust NUTS) is the course's sampler; ``nuts_sampler="pymc"`` switches to PyMC's
    own. Results are reproducible for a given ``random_seed``, on a cold or warm
    compile cache, because importing :mod:`companion` switches off fast-math.

    Parameters
    ----------
    model : pymc.Model
        The model to sample.
    random_seed : int
        Seed; required, so that every fit in the course can be repeated.
    draws, tune, chains : int
        Kept draws per chain, tuning steps per chain, and number of chains.
    target_accept : float, optional
        Target acceptance rate of NUTS (raise it towards 0.99 to fight divergences).
    nuts_sampler : {"nutpie", "pymc"}
        Which NUTS implementation to use.
    compiled_callback : bool, default False
        With nutpie, how it calls the log-density. By default through a thin Python wrapper
        around the same compiled numba code (nutpie's ``from_pyfunc``): 2 to 6 seconds less
        before the first draw than with nutpie's own C callback, but 17 to 35 microseconds
        more sampling time per kept-draw gradient evaluation, which counts the Python calls
        and the chains no longer running side by side (``benchmarks/callback.py``, two runs
        on 2026-12-06, a 2-core machine). Python functions need the interpreter's lock, so two
        chains in parallel threads mostly wait for each other (they took 2.9 times one
        chain's sampling time); on this path :func:`sample_compiled` runs them one after the
        other (2.0 to 2.2 times, the same draws).
        ``True`` compiles the C callback, as ``pm.sample`` does: worth it from about 70,000
        to 240,000 kept-draw gradient evaluations (long trajectories, many draws), as in
        exercise 05-2 of ``notebooks/05_sampling_geometry.ipynb``. Both give the same draws
        (``tests/test_fit.py``).
    progressbar : bool, default False
        Show a progress bar (off by default, to keep notebook outputs light). ``True``, like
        any ``kwargs``, samples through :func:`pymc.sample` (the C callback).
    **kwargs
        Passed on to :func:`pymc.sample`.

    Returns
    -------
    xarray.DataTree
        Groups ``posterior``, ``sample_stats``, ``observed_data`` ...

    Examples
    --------
    >>> import pymc as pm
    >>> with pm.Model() as model:
    ...     mu = pm.Normal("mu", 0, 1)
    >>> idata = sample(model, random_seed=1, draws=200, tune=200)
    >>> idata.posterior["mu"].shape
    (2, 200)
    """
    if nuts_sampler == "nutpie" and not (compiled_callback or progressbar or kwargs):
        compiled = _compile_python(model)
        idata = sample_compiled(
            compiled,
            random_seed=random_seed,
            draws=draws,
            tune=tune,
            chains=chains,
            target_accept=target_accept,
        )
        patch_nutpie_idata(idata, model, sampling_time=idata.posterior.attrs["sampling_time"])
        return idata
    if target_accept is not None:
        kwargs["target_accept"] = target_accept
    return pm.sample(
        model=model,
        draws=draws,
        tune=tune,
        chains=chains,
        random_seed=random_seed,
        nuts_sampler=nuts_sampler,
        progressbar=progressbar,
        quiet=True,
        **kwargs,
    )


def _compile_python(model: pm.Model) -> object:
    """Compile ``model`` for nutpie as Python functions around PyTensor's numba code.

    ``nutpie.compile_pymc_model`` wraps the numba log-density in a C callback, which numba
    compiles again for every model (and, the first time in a process, after seconds of
    warming up); numba cannot cache it. nutpie's ``from_pyfunc`` takes Python functions
    instead: compiling skips the callback, and each gradient costs more (see
    :func:`sample`'s ``compiled_callback``). :func:`sample` uses this (one fit per compile),
    and so does :func:`sample_datasets` with ``compiled_callback=False``; by default
    :func:`sample_datasets` compiles the C callback, which pays off over many fits. The
    log-density, the gradient, the initial points and the seed are nutpie's own, so the draws
    are those of ``pm.sample``.
    """
    from nutpie.compile_pymc import _make_functions, _prepare_dims_and_coords, _wrap_with_lock
    from nutpie.compiled_pyfunc import from_pyfunc
    from pymc.initial_point import make_initial_point_fn

    start = make_initial_point_fn(
        model=model,
        jitter_rvs=set(model.free_RVs),
        default_strategy="support_point",
        return_transformed=True,
    )
    n_dim, _, logp_fn, expand_fn, initial_point, shape_info, renamed = _make_functions(
        model,
        mode="NUMBA",
        compute_grad=True,
        join_expanded=False,
        pymc_initial_point_fn=_wrap_with_lock(start),
        var_names=None,
    )
    logp_names = [var.name for var in logp_fn.get_shared()]
    expand_names = [var.name for var in expand_fn.get_shared()]
    shared = {}
    for var in [*logp_fn.get_shared(), *expand_fn.get_shared()]:
        if var.name in shared and shared[var.name] is not var:
            raise ValueError(f"two data containers of the model are named {var.name!r}")
        shared[var.name] = var
    shared = {name: np.asarray(var.get_value()) for name, var in shared.items()}
    logp_jit, expand_jit = logp_fn.vm.jit_fn, expand_fn.vm.jit_fn
    names, _, shapes = shape_info

    def make_logp():
        def logp(position, /, **data):  # data may hold a container named like anything
            value, grad = logp_jit(position, *[data[name] for name in logp_names])
            return float(value), np.asarray(grad, dtype="float64", order="C")

        return logp

    def make_expand(seed1, seed2, chain):
        def expand(position, /, **data):
            values = expand_jit(position, *[data[name] for name in expand_names])
            return {
                name: np.asarray(value, dtype="float64", order="C").reshape(shape)
                for name, value, shape in zip(names, values, shapes, strict=True)
            }

        return expand

    # numba compiles on the first call: here, so that sampling_time counts sampling only
    origin = np.zeros(n_dim)
    logp_jit(origin, *[shared[name] for name in logp_names])
    expand_jit(origin, *[shared[name] for name in expand_names])
    dims, coords = _prepare_dims_and_coords(model, shape_info, renamed)
    return from_pyfunc(
        ndim=n_dim,
        make_logp_fn=make_logp,
        make_expand_fn=make_expand,
        make_initial_point_fn=initial_point,
        expanded_dtypes=[np.dtype("float64")] * len(names),
        expanded_shapes=shapes,
        expanded_names=names,
        shared_data=shared,
        dims=dims,
        coords=coords,
        reparameterized_names=renamed,
    )


def sample_datasets(
    model: pm.Model,
    datasets: Mapping[str, Mapping[str, object]],
    *,
    random_seed: int,
    draws: int = DEFAULTS["draws"],
    tune: int = DEFAULTS["tune"],
    chains: int = DEFAULTS["chains"],
    target_accept: float | None = None,
    compiled_callback: bool = True,
) -> dict[str, xr.DataTree]:
    """Compile ``model`` once and sample it once per data set.

    Compiling a model costs seconds, sampling a small one a fraction of that; a model whose
    data are ``pm.Data`` containers (the observed values too, ``observed=pm.Data(...)``) can
    be compiled once by nutpie and sampled on new values of those containers: new seeds'
    simulations, other worlds, cross-validation folds. The number of parameters may not
    change. Row counts may change only in a model whose rows are not a named dim: the
    builders of :mod:`companion.models` name theirs ``obs``, so keep their rows
    (:func:`companion.compare.fit_datasets` checks this for them). Introduced in
    ``notebooks/08_is_it_worth_it.ipynb``.

    Parameters
    ----------
    model : pymc.Model
        The model; its ``pm.Data`` containers are what the data sets replace.
    datasets : mapping of str to mapping of str to array-like
        Data-set name -> {container name -> new values}. A container left out keeps the
        model's values.
    random_seed : int
        Seed; data set ``k`` (in the mapping's order) is sampled as :func:`sample_compiled`
        does with ``random_seed + k``.
    draws, tune, chains : int
        Kept draws per chain, tuning steps per chain, and number of chains.
    target_accept : float, optional
        Target acceptance rate of NUTS.
    compiled_callback : bool, default True
        Compile nutpie's C callback, as suits many data sets: it costs seconds once, saves
        time on every gradient and runs the chains side by side. ``False`` compiles Python
        functions instead, as :func:`sample` does: quicker overall for the two data sets per
        model of ``notebooks/08_is_it_worth_it.ipynb`` (21.6 s against 24.6 s for its three
        models on a 2-core machine); over more or longer fits the callback wins back its
        compiling. Both give the same draws.

    Returns
    -------
    dict of str to xarray.DataTree
        Data-set name -> fit (groups ``posterior`` and ``sample_stats``); as with
        :func:`sample`, ``posterior.attrs["sampling_time"]`` holds the seconds spent tuning
        and drawing (compiling excluded).

    Raises
    ------
    ValueError
        If ``datasets`` is empty or names a container the model does not have.

    Examples
    --------
    >>> with pm.Model() as model:
    ...     y = pm.Data("y", np.zeros(2))
    ...     mu = pm.Normal("mu", 0, 1)
    ...     _ = pm.Normal("obs", mu, 1, observed=y)
    >>> fits = sample_datasets(
    ...     model, {"low": {"y": [-5.0, -5.0, -5.0]}, "high": {"y": [5.0, 5.0]}},
    ...     random_seed=1, draws=300, tune=300,
    ... )
    >>> float(fits["low"].posterior["mu"].mean()) < 0 < float(fits["high"].posterior["mu"].mean())
    True
    """
    if not datasets:
        raise ValueError("datasets is empty; pass at least one data set")
    known = {var.name for var in model.data_vars}
    for name, updates in datasets.items():
        unknown = sorted(set(updates) - known)
        if unknown:
            raise ValueError(
                f"data set {name!r}: the model has no data {unknown[0]!r} "
                f"(known: {', '.join(sorted(known)) or 'none'})"
            )
    compiled = nutpie.compile_pymc_model(model) if compiled_callback else _compile_python(model)
    settings = {"draws": draws, "tune": tune, "chains": chains, "target_accept": target_accept}
    return {
        name: sample_compiled(compiled, updates, random_seed=random_seed + k, **settings)
        for k, (name, updates) in enumerate(datasets.items())
    }


def sample_compiled(
    compiled: object,
    data: Mapping[str, object] | None = None,
    *,
    random_seed: int,
    draws: int = DEFAULTS["draws"],
    tune: int = DEFAULTS["tune"],
    chains: int = DEFAULTS["chains"],
    target_accept: float | None = None,
) -> xr.DataTree:
    """Sample a model nutpie has compiled, on new values of its ``pm.Data`` containers.

    ``compiled = nutpie.compile_pymc_model(model)`` costs the seconds; this call only samples.
    A model compiled as Python functions (:func:`sample`'s default path) runs its chains one
    after the other: in parallel threads they would mostly wait for each other's turn at the
    Python interpreter, which took longer (2.9 times one chain's sampling time against 2.0 to 2.2,
    ``benchmarks/callback.py``); the draws are the same. A C callback runs them side by side.
    With the same data and settings it gives the draws of :func:`sample` on the model (nutpie
    gets the seed that ``pm.sample`` derives from ``random_seed``), so a fit can be repeated
    on new data without compiling again. :func:`sample_datasets` loops over it, which is how
    ``notebooks/08_is_it_worth_it.ipynb`` and ``notebooks/09_your_data.ipynb`` use it.

    Parameters
    ----------
    compiled : nutpie compiled model
        The result of ``nutpie.compile_pymc_model(model)`` (or of the Python-function
        compile :func:`sample` uses).
    data : mapping of str to array-like, optional
        Container name -> new values; containers left out keep the model's values.
    random_seed : int
        Seed, as in :func:`sample`.
    draws, tune, chains : int
        Kept draws per chain, tuning steps per chain, and number of chains.
    target_accept : float, optional
        Target acceptance rate of NUTS.

    Returns
    -------
    xarray.DataTree
        The fit (groups ``posterior`` and ``sample_stats``);
        ``posterior.attrs["sampling_time"]`` holds the seconds spent tuning and drawing.

    Examples
    --------
    >>> with pm.Model() as model:
    ...     y = pm.Data("y", np.zeros(2))
    ...     mu = pm.Normal("mu", 0, 1)
    ...     _ = pm.Normal("obs", mu, 1, observed=y)
    >>> compiled = nutpie.compile_pymc_model(model)
    >>> idata = sample_compiled(compiled, {"y": [4.0, 4.0]}, random_seed=1, draws=300, tune=300)
    >>> bool(2 < float(idata.posterior["mu"].mean()) < 3)
    True
    """
    values = {key: np.asarray(value) for key, value in (data or {}).items()}
    settings = {} if target_accept is None else {"target_accept": target_accept}
    if isinstance(compiled, PyFuncModel):
        # Python functions hold the GIL: chains in parallel threads would take turns on it,
        # which is slower than running them one after the other. The draws are the same.
        settings["cores"] = 1
    # The seed of the first chain's generator: what pm.sample hands to nutpie.
    seed = int(np.random.default_rng(random_seed).spawn(chains)[0].integers(2**30))
    start = time.perf_counter()
    idata = nutpie.sample(
        compiled.with_data(**values) if values else compiled,
        draws=draws,
        tune=tune,
        chains=chains,
        seed=seed,
        save_warmup=False,
        progress_bar=False,
        **settings,
    )
    idata.posterior.attrs["sampling_time"] = time.perf_counter() - start
    return idata


class UnhealthyFitError(RuntimeError):
    """Raised by :func:`check_health` when a fit fails the course's thresholds.

    Raised by :func:`check_health`, introduced in ``notebooks/00_why_hierarchical.ipynb``.
    """


@dataclass(frozen=True)
class Health:
    """Convergence diagnostics of one fit, and whether they pass the thresholds.

    Returned by :func:`diagnose`; introduced in ``notebooks/02_unpooled_intercepts.ipynb``.

    Attributes
    ----------
    divergences : int
        Number of divergent transitions after tuning.
    max_rhat : float
        Largest rank-normalised split r-hat over the checked variables.
    min_ess_bulk, min_ess_tail : float
        Smallest bulk and tail effective sample sizes.
    worst : dict of str to str
        Which entry (variable and coordinate, as ``az.summary`` names it) gave the worst r-hat
        and bulk ESS.
    thresholds : dict of str to float
        ``max_rhat``, ``min_ess_bulk`` and ``max_divergences`` used for :attr:`ok`.
    """

    divergences: int
    max_rhat: float
    min_ess_bulk: float
    min_ess_tail: float
    worst: dict[str, str] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        """Return each failed threshold as a sentence (empty when healthy)."""
        t = self.thresholds
        found = []
        if self.divergences > t["max_divergences"]:
            found.append(f"{self.divergences} divergences (allowed {int(t['max_divergences'])})")
        if not self.max_rhat <= t["max_rhat"]:
            found.append(
                f"r-hat {self.max_rhat:.3f} > {t['max_rhat']} (on {self.worst.get('rhat')})"
            )
        if not self.min_ess_bulk >= t["min_ess_bulk"]:
            found.append(
                f"bulk ESS {self.min_ess_bulk:.0f} < {t['min_ess_bulk']:.0f} "
                f"(on {self.worst.get('ess_bulk')})"
            )
        return found

    @property
    def ok(self) -> bool:
        """Whether every threshold passes."""
        return not self.problems

    def __str__(self) -> str:
        status = "healthy" if self.ok else "UNHEALTHY: " + "; ".join(self.problems)
        return (
            f"divergences={self.divergences}, max r-hat={self.max_rhat:.3f}, "
            f"min ESS bulk={self.min_ess_bulk:.0f}, tail={self.min_ess_tail:.0f} -> {status}"
        )


def diagnose(
    idata: xr.DataTree,
    *,
    var_names: Sequence[str] | None = None,
    max_rhat: float = 1.01,
    min_ess_bulk: float = 400,
    max_divergences: int = 0,
) -> Health:
    """Compute divergences, r-hat and ESS of a fit, without raising.

    Introduced in ``notebooks/02_unpooled_intercepts.ipynb``.

    r-hat (rank-normalised, split) and the effective sample sizes are ArviZ's
    (``az.summary(kind="diagnostics")``); the worst entry names the variable and coordinate
    (``a[h1]``).

    Parameters
    ----------
    idata : xarray.DataTree
        A result of :func:`sample` (needs ``posterior`` and ``sample_stats``).
    var_names : sequence of str, optional
        Variables to check; every posterior variable by default.
    max_rhat, min_ess_bulk, max_divergences
        Thresholds used for :attr:`Health.ok`; the course's are 1.01, 400 and 0.

    Returns
    -------
    Health
        The diagnostics.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> fit = xr.DataTree.from_dict({
    ...     "posterior": xr.Dataset({"mu": (("chain", "draw"), rng.normal(size=(2, 1000)))}),
    ...     "sample_stats": xr.Dataset({"diverging": (("chain", "draw"), np.zeros((2, 1000), bool))}),
    ... })
    >>> health = diagnose(fit)
    >>> health.divergences, health.ok
    (0, True)
    """
    names = list(var_names) if var_names is not None else None
    table = az.summary(idata, var_names=names, kind="diagnostics", round_to="none")
    table = table.dropna(subset=["r_hat", "ess_bulk", "ess_tail"], how="all")
    return Health(
        divergences=int(idata.sample_stats["diverging"].sum()),
        max_rhat=float(table["r_hat"].max()),
        min_ess_bulk=float(table["ess_bulk"].min()),
        min_ess_tail=float(table["ess_tail"].min()),
        worst={
            "rhat": str(table["r_hat"].idxmax()),
            "ess_bulk": str(table["ess_bulk"].idxmin()),
        },
        thresholds={
            "max_rhat": max_rhat,
            "min_ess_bulk": min_ess_bulk,
            "max_divergences": max_divergences,
        },
    )


def check_health(
    idata: xr.DataTree,
    *,
    var_names: Sequence[str] | None = None,
    max_rhat: float = 1.01,
    min_ess_bulk: float = 400,
    max_divergences: int = 0,
) -> Health:
    """Diagnose a fit and raise :class:`UnhealthyFitError` if it fails a threshold.

    Introduced in ``notebooks/00_why_hierarchical.ipynb``.

    Parameters
    ----------
    idata, var_names, max_rhat, min_ess_bulk, max_divergences
        As in :func:`diagnose`.

    Returns
    -------
    Health
        The diagnostics, when they pass.

    Raises
    ------
    UnhealthyFitError
        Listing every failed threshold.

    Examples
    --------
    >>> stuck = np.repeat(np.random.default_rng(1).normal(size=(2, 50)), 4, axis=1)
    >>> fit = xr.DataTree.from_dict({
    ...     "posterior": xr.Dataset({"mu": (("chain", "draw"), stuck)}),
    ...     "sample_stats": xr.Dataset({"diverging": (("chain", "draw"), np.zeros((2, 200), bool))}),
    ... })
    >>> check_health(fit)
    Traceback (most recent call last):
    ...
    companion.fit.UnhealthyFitError: ...bulk ESS ... < 400 (on mu)
    """
    health = diagnose(
        idata,
        var_names=var_names,
        max_rhat=max_rhat,
        min_ess_bulk=min_ess_bulk,
        max_divergences=max_divergences,
    )
    if not health.ok:
        raise UnhealthyFitError("; ".join(health.problems))
    return health


def residual_z(
    data: pd.DataFrame,
    *,
    a: float,
    b: float,
    sigma: float,
    outcome: str = "y",
    group: str = "level",
    predictor: str = "x",
) -> pd.Series:
    """z-score of each group's mean residual under a pooled fit ``y ~ Normal(a + b x, sigma)``.

    If the errors were independent ``Normal(0, sigma)``, a group's mean residual would have
    sd ``sigma / sqrt(n)``, so each z would be about standard normal. Large values say the
    errors are clustered by group: the pooled model's independence assumption fails.
    Introduced in ``notebooks/01_pooled_intercept.ipynb``.

    Parameters
    ----------
    data : pandas.DataFrame
        The data the model was fitted to.
    a, b, sigma : float
        The pooled model's intercept, slope and noise sd (posterior means, say).
    outcome, group, predictor : str
        Column names.

    Returns
    -------
    pandas.Series
        One z-score per group, indexed by group label.

    Raises
    ------
    ValueError
        If ``sigma`` is not positive.

    Examples
    --------
    >>> frame = pd.DataFrame({"level": ["p", "p", "q", "q"], "x": 0.0, "y": [1.0, 1, -1, -1]})
    >>> residual_z(frame, a=0.0, b=0.0, sigma=1.0).round(2).tolist()
    [1.41, -1.41]
    """
    check_positive(sigma, name="sigma")
    residual = data[outcome] - a - b * data[predictor]
    by_group = residual.groupby(data[group]).agg(["mean", "count"])
    return (by_group["mean"] / (sigma / np.sqrt(by_group["count"]))).rename("z")
