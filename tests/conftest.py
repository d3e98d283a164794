"""Shared fixtures, and the ``sampling`` marker's guard.

A test that draws from a posterior (``pm.sample``, through :func:`companion.fit.sample`, or
``nutpie.sample``, through :func:`companion.fit.sample_datasets` or the ``refit`` fixture)
must be marked ``@pytest.mark.sampling``; ``make unit`` runs ``-m "not sampling"``. An
unmarked test that samples fails with a message saying so, so the marker cannot go stale.
Doctests that sample (their source calls one of ``SAMPLING_CALLS``) are marked here.

Data that several test files need is built once per session here.
"""

import doctest

import numpy as np
import nutpie
import pymc as pm
import pytest
from _pytest.doctest import DoctestItem

from companion import data, simulate

SAMPLING_CALLS = ("sample(", "sample_datasets(", "fit_models(", "fit_datasets(", "refit_folds(")


def pytest_collection_modifyitems(items):
    for item in items:
        if isinstance(item, DoctestItem) and isinstance(item.dtest, doctest.DocTest):
            source = "".join(example.source for example in item.dtest.examples)
            if any(call in source for call in SAMPLING_CALLS):
                item.add_marker(pytest.mark.sampling)


SAMPLE = pm.sample
NUTPIE_SAMPLE = nutpie.sample


def _refuse(nodeid):
    def refuse(*args, **kwargs):
        raise RuntimeError(f"{nodeid} samples a posterior: mark it @pytest.mark.sampling")

    return refuse


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before any fixture of the test is set up, so fixtures that sample are caught too.
    marked = item.get_closest_marker("sampling") is not None
    pm.sample = SAMPLE if marked else _refuse(item.nodeid)
    nutpie.sample = NUTPIE_SAMPLE if marked else _refuse(item.nodeid)


def pytest_runtest_teardown(item):
    pm.sample = SAMPLE
    nutpie.sample = NUTPIE_SAMPLE


def _refit(compiled, data, *, random_seed, draws=1000, tune=1000, chains=2, target_accept=None):
    settings = {} if target_accept is None else {"target_accept": target_accept}
    # The seed of the first chain's generator, which pm.sample hands to nutpie.
    seed = int(np.random.default_rng(random_seed).spawn(chains)[0].integers(2**30))
    return nutpie.sample(
        compiled.with_data(**{name: np.asarray(value) for name, value in data.items()}),
        draws=draws,
        tune=tune,
        chains=chains,
        seed=seed,
        progress_bar=False,
        **settings,
    )


@pytest.fixture(scope="session")
def refit():
    """Sample a model compiled once by nutpie on new values of its ``pm.Data`` containers.

    ``refit(compiled, {name: values}, random_seed=..., draws=..., tune=..., chains=...,
    target_accept=...)``, with ``compiled = nutpie.compile_pymc_model(model)``. nutpie gets
    the seed that ``pm.sample`` derives from ``random_seed``, so the draws are those of
    ``fit.sample`` on the same model and data, without compiling the model again. Unlike
    :func:`companion.fit.sample_datasets`, each data set keeps its own seed and draws.
    """
    return _refit


@pytest.fixture(scope="session")
def levels():
    """The course's three-level data (as in data/levels.csv) and its true parameters."""
    frame, truth = simulate.simulate_levels(500, random_seed=2026)
    return frame, truth


@pytest.fixture(scope="session")
def levels_csv():
    """data/levels.csv, loaded and validated."""
    return data.load_levels()
