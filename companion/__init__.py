"""Companion package of the course "Why are models hierarchical?".

Importing it switches off Numba's fast-math mode in PyTensor before any model compiles, so
that a learner's first run (cold compile cache) draws exactly what a warm cache draws.

Modules
-------
simulate
    Seeded simulators with known true parameters.
data
    Validated loaders for the CSV files in ``data/`` and the command that regenerates them.
models
    Builders of pooled, unpooled, one-hot and partially pooled ``pm.Model`` objects.
fit
    Sampling with the course defaults, and a health check.
exact
    Exact posteriors of the normal-normal models, to cross-check the sampler.
plots
    Shrinkage and pooling-comparison plots that ArviZ does not draw.
coins
    Nested coin mint (region, factory, line, coin): simulator, nesting checks, nested and flat
    binomial models, prediction of new groups, variance shares.
coinplots
    Nested forest, variance shares and funnel (with divergences) of the coin model.
explore
    Interactive shrinkage explorer (exact, no sampling): sliders for size, spread and noise.
realdata
    Published tables of successes out of trials (Efron and Morris's batters), validated, and
    held-out scores for binomial fits.
compare
    Model comparison: PSIS-LOO, squared error and coverage per model; exact LOO; simulated worlds.
retail
    Weekly retail sales: simulator, validation, no-pooling, colour and crossed-attribute models.
forecast
    Demand forecasts for known and new products, CRPS, interval coverage and the fan chart.
"""

import pytensor

pytensor.config.numba__fastmath = False

__version__ = "0.1.0"
__all__ = ["__version__"]
