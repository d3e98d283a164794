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
explore
    Interactive shrinkage explorer (exact, no sampling): sliders for size, spread and noise.
"""

import pytensor

pytensor.config.numba__fastmath = False

__version__ = "0.1.0"
__all__ = ["__version__"]
