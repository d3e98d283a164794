"""Model graphs whose text does not change from one run to the next.

``pm.model_to_mermaid`` lists a model's plates, and the variables inside each plate, in an
order that varies between Python processes, so a notebook that shows the graph would change
its committed output on every run. :func:`model_mermaid` returns the same graph with its
edges, its plates and each plate's members sorted.

To label the plates, PyMC evaluates every variable's shape. By default that compiles C code
for each operation it meets (on a first run, tens of seconds for a model with an
``LKJCholeskyCov``, whose shape PyMC finds by running its random-number generator);
:func:`model_mermaid` evaluates those shapes with PyTensor's Python implementations instead,
which give the same shapes in a fraction of a second.

Introduced in ``notebooks/01_pooled_intercept.ipynb``.
"""

from __future__ import annotations

import pymc as pm
import pytensor

__all__ = ["model_mermaid"]


def _sorted_edges(lines: list[str]) -> list[str]:
    out: list[str] = []
    edges: list[str] = []
    in_edges = False
    for line in lines:
        if in_edges and "-->" in line:
            edges.append(line)
            continue
        out.extend(sorted(edges))
        edges = []
        in_edges = line.strip() == "%% Edges:" or (in_edges and not line.strip())
        out.append(line)
    out.extend(sorted(edges))
    return out


def _sorted_plates(lines: list[str]) -> list[str]:
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        if line.startswith("subgraph "):
            current = [line]
        elif line.strip() == "end" and current is not None:
            blocks.append([current[0], *sorted(current[1:]), line])
            current = None
        elif current is not None:
            current.append(line)
    return [line for block in sorted(blocks) for line in block]


def model_mermaid(model: pm.Model) -> str:
    """Draw a model as a mermaid graph, in the same text on every run.

    Introduced in ``notebooks/01_pooled_intercept.ipynb``.

    Parameters
    ----------
    model : pymc.Model
        The model to draw.

    Returns
    -------
    str
        The text of ``pm.model_to_mermaid(model)`` with its edges sorted, its plates
        sorted by name and each plate's members sorted. Wrap it
        in a fenced ``mermaid`` block to render it (JupyterLab, GitHub, Sphinx with
        ``sphinxcontrib-mermaid``).

    Examples
    --------
    >>> import pymc as pm
    >>> with pm.Model(coords={"level": ["h1", "h2"]}) as model:
    ...     w = pm.Normal("w")
    ...     a = pm.Normal("a", w, 1.0, dims="level")
    >>> text = model_mermaid(model)
    >>> text.splitlines()[0], "w --> a" in text
    ('graph TD', True)
    >>> text == model_mermaid(model)
    True
    """
    if not isinstance(model, pm.Model):
        raise ValueError(f"model must be a pymc.Model, got {type(model).__name__}")
    with pytensor.config.change_flags(cxx=""):
        lines = pm.model_to_mermaid(model).splitlines()
    marker = "%% Plates:"
    if marker in lines:
        cut = lines.index(marker)
        head, plates = lines[:cut], lines[cut + 1 :]
        return "\n".join([*_sorted_edges(head), marker, *_sorted_plates(plates)])
    return "\n".join(_sorted_edges(lines))
