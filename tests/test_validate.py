"""The shared checks: one message per problem, labels that keep their type and order."""

import re

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from companion import validate


def test_integer_labels_stay_integers_and_sort_as_numbers():
    frame = pd.DataFrame({"experiment": np.arange(71, 0, -1), "y": 0.0})
    levels = validate.group_levels(frame, "experiment")
    assert levels.tolist() == list(range(1, 72))
    assert levels.tolist()[70] == 71 and pd.api.types.is_integer_dtype(levels)
    codes = validate.encode_levels([71, 1, 10], levels, column="experiment")
    assert codes.tolist() == [70, 0, 9]


def test_text_labels_sort_as_text():
    frame = pd.DataFrame({"ward": ["b", "a", "c", "a"]})
    assert validate.group_levels(frame, "ward").tolist() == ["a", "b", "c"]
    assert validate.encode_levels(["c", "a"], ["a", "b", "c"], column="ward").tolist() == [2, 0]


def test_whole_float_labels_become_integers():
    frame = pd.DataFrame({"experiment": [3.0, 1.0, 2.0]})
    assert validate.group_levels(frame, "experiment").tolist() == [1, 2, 3]


def test_a_label_of_the_wrong_type_is_named_with_a_hint():
    with pytest.raises(ValueError, match=r"unknown level '71' \(the known levels are numbers"):
        validate.encode_levels(["71"], list(range(1, 72)), column="experiment")
    with pytest.raises(ValueError, match="unknown level 72; known levels: 1, 2,"):
        validate.encode_levels([72], list(range(1, 72)), column="experiment")
    with pytest.raises(ValueError, match="missing level label"):
        validate.encode_levels([1, None], [1, 2], column="experiment")


def test_integer_coords_select_by_label_on_a_fit():
    # What a builder's coords become in a fit: .sel(experiment=71) finds the 71st group.
    levels = validate.group_levels(pd.DataFrame({"experiment": range(1, 72)}), "experiment")
    post = xr.Dataset(
        {"a": (("chain", "draw", "experiment"), np.arange(71.0)[None, None, :])},
        coords={"experiment": levels.tolist()},
    )
    assert float(post["a"].sel(experiment=71).item()) == 70.0


def test_group_column_names_a_missing_column_or_label():
    frame = pd.DataFrame({"ward": ["a", None]})
    with pytest.raises(ValueError, match="missing group column 'hospital'"):
        validate.group_column(frame, "hospital")
    with pytest.raises(ValueError, match="'ward' has a missing value at row 1"):
        validate.group_column(frame, "ward")


@pytest.mark.parametrize("value", [0, -1.0, np.nan, np.inf, "2", True, [1.0, 0.0]])
def test_check_positive_refuses_what_is_not_a_positive_number(value):
    with pytest.raises(ValueError, match="^sigma must be a positive number, got"):
        validate.check_positive(value, name="sigma")


def test_check_positive_accepts_numbers_arrays_and_none_when_allowed():
    assert validate.check_positive(0.5, name="tau") == 0.5
    assert validate.check_positive(np.array([1, 2]), name="n_rows").tolist() == [1, 2]
    assert validate.check_positive(None, name="group_sd", allow_none=True) is None
    with pytest.raises(ValueError, match="or None, got -1"):
        validate.check_positive(-1, name="group_sd", allow_none=True)
    with pytest.raises(ValueError, match="got None"):
        validate.check_positive(None, name="sigma")


@pytest.mark.parametrize("value", [0, 1, 1.5, -0.1, "x", None])
def test_check_probability_refuses_values_outside_zero_one(value):
    with pytest.raises(ValueError, match="ci_prob must be between 0 and 1"):
        validate.check_probability(value)


def test_one_message_for_successes_above_trials_with_and_without_a_group():
    table = pd.DataFrame({"team": ["a", "b"], "wins": [3, 9], "games": [10, 8]})
    message = "row 1 (team 'b') has 9 successes in column 'wins' but only 8 trials"
    with pytest.raises(ValueError, match=re.escape(message)):
        validate.check_counts(table, successes="wins", trials="games", group="team")
    with pytest.raises(ValueError, match="row 1 has 9 successes in column 'wins' but only 8"):
        validate.check_successes(table, successes="wins", trials="games")
    validate.check_successes(table.iloc[:1], successes="wins", trials="games")


def test_check_counts_refuses_repeated_groups_and_empty_ones():
    table = pd.DataFrame({"team": ["a", "a"], "wins": [1, 1], "games": [2, 2]})
    with pytest.raises(ValueError, match="repeats the label 'a'"):
        validate.check_counts(table, successes="wins", trials="games", group="team")
    table = pd.DataFrame({"team": ["a", "b"], "wins": [0, 0], "games": [2, 0]})
    with pytest.raises(ValueError, match="has 0 trials in column 'games'"):
        validate.check_counts(table, successes="wins", trials="games", group="team")


def test_validate_frame_checks_allowed_levels_and_missing_columns():
    frame = pd.DataFrame({"level": ["h1", "h9"], "y": [1.0, 2.0]})
    with pytest.raises(ValueError, match="unknown level 'h9'"):
        validate.validate_frame(
            frame, {"level": "string", "y": "float"}, allowed={"level": ["h1", "h2"]}
        )
    with pytest.raises(ValueError, match="toy: missing column 'x'"):
        validate.validate_frame(frame, {"x": "float"}, source="toy")
    with pytest.raises(TypeError, match="expected a pandas DataFrame"):
        validate.require_columns([1, 2], ["x"])


def test_as_list():
    assert validate.as_list("x") == ["x"] and validate.as_list(("x", "z")) == ["x", "z"]
