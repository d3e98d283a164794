"""Shared fixtures, and the ``sampling`` marker's guard.

A test that draws from a posterior (``pm.sample``, through :func:`companion.fit.sample`, or
``nutpie.sample``, through :func:`companion.fit.sample_datasets` or the ``refit`` fixture)
must be marked ``@pytest.mark.sampling``; ``make unit`` runs ``-m "not sampling"``. An
unmarked test that samples fails with a message saying so, so the marker cannot go stale.
Doctests that sample (their source calls one of ``SAMPLING_CALLS``) are marked here.

Data that several test files need is built once per session here.
"""

import doctest

import nutpie
import pymc as pm
import pytest
from _pytest.doctest import DoctestItem

from companion import data, fit, simulate

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


@pytest.fixture(scope="session")
def refit():
    """:func:`companion.fit.sample_compiled`: a model compiled once, sampled on new data.

    ``refit(compiled, {name: values}, random_seed=..., draws=...)`` gives the draws of
    ``fit.sample`` on the same model and data, without compiling the model again.
    """
    return fit.sample_compiled


@pytest.fixture(scope="session")
def levels():
    """The course's three-level data (as in data/levels.csv) and its true parameters."""
    frame, truth = simulate.simulate_levels(500, random_seed=2026)
    return frame, truth


@pytest.fixture(scope="session")
def levels_csv():
    """data/levels.csv, loaded and validated."""
    return data.load_levels()
