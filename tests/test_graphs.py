"""companion.graphs: a model's mermaid graph in a fixed order."""

import pymc as pm
import pytest

from companion import data, graphs, models


def test_same_lines_as_pymc_in_sorted_order():
    model = models.partial_pooling_model(data.load_levels(), group_sd=1.0, centered=True)
    text = graphs.model_mermaid(model)
    assert sorted(text.splitlines()) == sorted(pm.model_to_mermaid(model).splitlines())
    plates = [line for line in text.splitlines() if line.startswith("subgraph ")]
    assert plates == sorted(plates)
    edges = [line for line in text.splitlines() if "-->" in line]
    assert edges == sorted(edges) and "w --> a" in edges


def test_rebuilt_model_gives_identical_text():
    frame = data.load_levels()
    first = graphs.model_mermaid(models.partial_pooling_model(frame))
    second = graphs.model_mermaid(models.partial_pooling_model(frame))
    assert first == second


def test_rejects_a_non_model():
    with pytest.raises(ValueError, match="pymc.Model"):
        graphs.model_mermaid("not a model")


def test_plates_of_an_lkj_model_carry_their_sizes():
    with pm.Model(coords={"group": ["a", "b", "c"], "effect": ["intercept", "slope"]}) as model:
        chol, _, stds = pm.LKJCholeskyCov(
            "chol", n=2, eta=2, sd_dist=pm.HalfNormal.dist(1, shape=2), store_in_trace=False
        )
        pm.Deterministic("sd", stds, dims="effect")
        z = pm.Normal("z", 0, 1, dims=("group", "effect"))
        pm.Deterministic("effects", z @ chol.T, dims=("group", "effect"))
    text = graphs.model_mermaid(model)
    plates = [line for line in text.splitlines() if line.startswith("subgraph ")]
    assert any("group (3) x effect (2)" in line for line in plates), plates
    assert any("effect (2)" in line and "group" not in line for line in plates), plates
