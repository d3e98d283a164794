import numpy as np
import pandas as pd
import pytest

from companion import data, simulate, validate


def test_csv_files_are_what_their_seeds_make():
    assert data.regenerate(check=True) == []


def test_regenerate_writes_identical_bytes(tmp_path):
    written = data.regenerate(tmp_path)
    assert written == list(data.SIMULATED)
    for name in written:
        assert (tmp_path / name).read_bytes() == (data.DATA_DIR / name).read_bytes()


def test_regenerate_check_reports_a_changed_file(tmp_path):
    data.regenerate(tmp_path)
    target = tmp_path / "levels.csv"
    target.write_text(target.read_text().replace("h1", "h9", 1))
    assert data.regenerate(tmp_path, check=True) == ["levels.csv"]
    assert data.main(["regenerate", "--check", "--dir", str(tmp_path)]) == 1


def test_loaded_csv_equals_the_simulation(levels, levels_csv):
    frame, _ = levels
    pd.testing.assert_frame_equal(levels_csv, frame, check_dtype=False)


def test_readme_lists_every_data_file_with_its_checksum():
    readme = (data.DATA_DIR / "README.md").read_text()
    for path in sorted(data.DATA_DIR.glob("*.csv")):
        assert f"## {path.name}" in readme, path.name
        assert data.sha256(path) in readme, f"checksum of {path.name} is out of date"


def _write(tmp_path, frame):
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda f: f.drop(columns="x"), r"missing column 'x'"),
        (lambda f: f.assign(y=f["y"].where(f.index != 3)), r"column 'y' has 1 missing value"),
        (lambda f: f.assign(x=f["x"].astype(str).where(f.index != 2, "abc")), r"'x'.*'abc'"),
        (lambda f: f.assign(level=f["level"].where(f.index != 7, "h4")), r"unknown level 'h4'"),
    ],
)
def test_loader_names_the_problem_and_changes_nothing(tmp_path, levels, edit, message):
    frame, _ = levels
    path = _write(tmp_path, edit(frame.copy()))
    before = path.read_bytes()
    with pytest.raises(ValueError, match=message):
        data.load_levels(path)
    assert path.read_bytes() == before


def test_validate_frame_count_and_integer_rules():
    frame = pd.DataFrame({"k": [1, 2, -1], "m": [1.5, 2.0, 3.0]})
    with pytest.raises(ValueError, match=r"'k'.*negative value -1"):
        validate.validate_frame(frame, {"k": "count"})
    with pytest.raises(ValueError, match=r"'m'.*whole numbers, found 1.5"):
        validate.validate_frame(frame, {"m": "int"})
    with pytest.raises(ValueError, match=r"'m'.*non-finite"):
        validate.validate_frame(frame.assign(m=[1.0, np.inf, 2.0]), {"m": "float"})
    with pytest.raises(ValueError, match="should hold text labels"):
        validate.validate_frame(frame, {"k": "string"})


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such data file"):
        data.load_levels(tmp_path / "nope.csv")


def test_long_tail_file_matches_its_simulation():
    frame, _ = simulate.simulate_long_tail(600, random_seed=2026)
    pd.testing.assert_frame_equal(data.load_long_tail(), frame, check_dtype=False)


def test_surgical_matches_the_published_table():
    surgical = data.load_surgical()
    assert surgical["hospital"].tolist() == list("ABCDEFGHIJKL")
    assert int(surgical["operations"].sum()) == 2814
    assert int(surgical["deaths"].sum()) == 208
    assert surgical.set_index("hospital").loc["A", "deaths"] == 0  # the hospital with no deaths
    assert surgical.set_index("hospital").loc["D", "operations"] == 810  # the largest


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda f: f.assign(deaths=f["deaths"].where(f.index != 1, 999)),
            r"hospital 'B'\) has 999 successes in column 'deaths'",
        ),
        (
            lambda f: f.assign(hospital=f["hospital"].where(f.index != 2, "A")),
            r"'hospital' repeats the label 'A'",
        ),
        (lambda f: f.assign(deaths=f["deaths"].where(f.index != 0, -1)), r"negative value -1"),
    ],
)
def test_surgical_loader_rejects_bad_rows(tmp_path, edit, message):
    path = _write(tmp_path, edit(data.load_surgical()))
    with pytest.raises(ValueError, match=message):
        data.load_surgical(path)
