"""Companion package of the course "Why are models hierarchical?".

Importing it switches off Numba's fast-math mode in PyTensor before any model compiles, so
that a learner's first run (cold compile cache) draws exactly what a warm cache draws.

Modules, by layer
-----------------
A module imports only from layers below it (``tests/test_architecture.py`` checks this, and
that no ``_private`` name is used outside its module).

Layer 0, checks
    validate
        Every shared check (tables, counts, positive numbers, probabilities, group labels
        that keep their type and order); imports nothing from the package
        (``notebooks/01_pooled_intercept.ipynb``).

Layer 1, data
    simulate
        Seeded simulators with known truth: levels, coins, retail, the comparison worlds
        (``notebooks/00_why_hierarchical.ipynb``).
    data
        Validated CSV loading, the shared tables, and the command that regenerates the
        simulated files (``notebooks/00_why_hierarchical.ipynb``).

Layer 2, models and their results
    models
        Builders of pooled, unpooled, one-hot and partially pooled ``pm.Model`` objects
        (``notebooks/00_why_hierarchical.ipynb``).
    fit
        Sampling with the course defaults, one compiled model sampled on several data sets,
        and the health check (``notebooks/00_why_hierarchical.ipynb``).
    exact
        Exact posteriors and leave-one-out densities of the normal models, to cross-check the
        sampler (``notebooks/00_why_hierarchical.ipynb``).
    summaries
        Numbers from a fit: the one interval table (``az.eti``), stacked draws, group sizes,
        shrinkage (``notebooks/00_why_hierarchical.ipynb``).
    graphs
        Model graphs drawn as mermaid diagrams (``notebooks/01_pooled_intercept.ipynb``).
    predict
        One prediction path for new rows and new groups, labels checked against the coords;
        the one way a new group is drawn from the fitted population
        (``notebooks/09_your_data.ipynb``).
    plots
        Every plot of the course: data first, options by keyword, ``ax=None``, the Axes
        returned (ArviZ's PlotCollection where ArviZ draws it)
        (``notebooks/00_why_hierarchical.ipynb``).

Layer 3, chapter case studies
    explore
        Interactive shrinkage explorer, exact (``notebooks/03_partial_pooling.ipynb``).
    coins
        Nested coin mints: their table, nesting checks, nested and flat models, new-coin
        prediction, variance shares (``notebooks/04_nested_coin_mints.ipynb``).
    retail
        Weekly retail sales: their table, validation, no-pooling, colour and crossed models
        (``notebooks/06_retail_demand.ipynb``).
    forecast
        Demand forecasts for known and new products, CRPS and interval coverage
        (``notebooks/06_retail_demand.ipynb``).
    realdata
        Efron and Morris's batters: the table, James-Stein, held-out scores
        (``notebooks/07_real_data.ipynb``).
    compare
        Model comparison: PSIS-LOO, squared error and coverage per model
        (``notebooks/07_real_data.ipynb``).
    crossval
        Leave-one-group-out cross-validation, exact and by refitting
        (``notebooks/08_is_it_worth_it.ipynb``).
    radon
        The Minnesota radon data of Gelman and Hill (``notebooks/10_varying_slopes.ipynb``).
    exercises
        Checkers of the notebooks' exercises, every notebook from
        ``notebooks/00_why_hierarchical.ipynb`` on.

Where a helper lives: a check used by two modules lives in ``validate``; a simulator in
``simulate``; a table used by one chapter, with its loader and its checks, in that chapter's
module; a number computed from a fit in ``summaries`` (or the chapter module, when only
that chapter needs it); every picture in ``plots``.

Vocabulary (one meaning each, in every module)
----------------------------------------------
``random_seed``
    The seed of any random draw (never ``seed``).
``n_*``
    A size: ``n_rows``, ``n_levels``, ``n_products``, ``n_regions``...
``ci_prob``
    The probability mass of an interval (ArviZ's word; never ``prob``).
``sigma``
    A noise standard deviation (of one row around its mean); other spreads have their own
    names: ``tau`` / ``group_sd`` (of group intercepts), ``level_sd`` (per level of a
    nesting), ``spread`` (a spread variable of a plot).
``group_sd``
    The spread of group intercepts; ``None`` means learned from the data, everywhere (a
    function that needs a fixed spread says so when given ``None``).
``levels``
    The ordered labels of one group column (a model's coords for it); a list of nested group
    columns is a ``hierarchy``; allowed labels per column are ``allowed``.
``var_name``
    The name of a posterior variable; an observed variable is ``observed``.
"""

import pytensor

pytensor.config.numba__fastmath = False

__version__ = "0.1.0"
__all__ = ["__version__"]
