import numpy as np
import pytest

from companion import simulate


def test_same_seed_same_data_other_seed_other_data():
    a, _ = simulate.simulate_levels(random_seed=3)
    b, _ = simulate.simulate_levels(random_seed=3)
    c, _ = simulate.simulate_levels(random_seed=4)
    assert a.equals(b)
    assert not a["y"].equals(c["y"])


@pytest.mark.parametrize("n", [100, 500, 1003])
def test_shares_are_respected(n):
    frame, truth = simulate.simulate_levels(n, random_seed=1)
    counts = frame["level"].value_counts().sort_index()
    assert counts.sum() == n
    assert counts.tolist() == truth.counts.tolist()
    np.testing.assert_allclose(counts / n, [0.01, 0.29, 0.70], atol=1 / n + 1e-12)


def test_every_level_has_a_row_even_when_its_share_rounds_to_zero():
    counts = simulate.allocate_rows(50, [0.001, 0.2, 0.799])
    assert counts.min() == 1 and counts.sum() == 50


def test_truth_generates_the_data():
    # With a huge sample the level means of y - b x recover a, and the noise sd recovers sigma.
    frame, truth = simulate.simulate_levels(200_000, shares=(0.2, 0.3, 0.5), random_seed=5)
    resid = frame["y"] - truth.b * frame["x"]
    means = resid.groupby(frame["level"]).mean()
    np.testing.assert_allclose(means.to_numpy(), truth.a.to_numpy(), atol=0.03)
    noise = resid - truth.a.reindex(frame["level"]).to_numpy()
    assert abs(noise.std() - truth.sigma) < 0.02


def test_long_tail_is_long():
    frame, truth = simulate.simulate_long_tail(random_seed=0)
    counts = truth.counts.to_numpy()
    assert len(counts) == 20 and counts.sum() == len(frame)
    assert np.all(np.diff(counts) <= 0)
    assert counts[0] >= 20 * counts[-1] / 2


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"sigma": 0.0}, "sigma"),
        ({"tau": -1.0}, "tau"),
        ({"shares": (0.5, -0.5)}, "shares"),
        ({"n_rows": 2, "shares": (0.2, 0.3, 0.5)}, "n_rows=2"),
    ],
)
def test_bad_arguments_are_named(kwargs, word):
    with pytest.raises(ValueError, match=word):
        simulate.simulate_levels(**kwargs)
