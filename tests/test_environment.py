"""The set-up is provably in step: lock file, venv, environment.yml (Binder) and pyproject."""

import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.+\-!]+)", line)
        assert match, f"requirements.lock: not an exact pin: {line!r}"
        pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


def test_python_version_file_and_interpreter():
    assert (ROOT / ".python-version").read_text().strip() == "3.12"
    assert sys.version_info[:2] == (3, 12)


def test_environment_yml_installs_exactly_the_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    deps = env["dependencies"]
    assert deps[:2] == ["python=3.12", "pip"], deps
    assert deps[2] == {"pip": ["-r requirements.lock", "-e ."]}, deps[2]
    assert len(deps) == 3, "environment.yml must not pin packages of its own"


def test_the_venv_is_the_lock():
    for name, version in _lock().items():
        assert metadata.version(name) == version, f"{name}: venv has {metadata.version(name)}"


def test_pyproject_dependencies_are_satisfied_by_the_lock():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _lock()
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    for spec in wanted:
        req = Requirement(spec)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} is in pyproject.toml but not pinned in requirements.lock"
        assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} violates {spec}"
    for core in ("pymc", "arviz", "nutpie", "pandas", "seaborn", "jupyterlab", "nbval", "pytest"):
        assert core in pins


@pytest.mark.skipif(
    shutil.which("repo2docker") is None and not (Path(sys.prefix) / "bin" / "repo2docker").exists(),
    reason="repo2docker not installed",
)
def test_binder_would_build_from_environment_yml(tmp_path):
    exe = shutil.which("repo2docker") or str(Path(sys.prefix) / "bin" / "repo2docker")
    out = subprocess.run(
        [exe, "--no-build", "--user-id", "1000", "--user-name", "jovyan", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    dockerfile = out.stdout
    assert "Building conda environment for python=3.12" in out.stderr
    update = dockerfile.find('--file "environment.yml"')
    assert update > 0, "Binder would not install environment.yml"
    # environment.yml refers to local files, so the repository must be copied in first.
    copy = dockerfile.find("COPY --chown=1000:1000 src/ ${REPO_DIR}/")
    assert 0 < copy < update, "the repository is not copied before the environment is built"


def test_readme_commands_are_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "base_compiledir=$$(mktemp -d)" in makefile, "tests must run on a cold compile cache"


def test_fastmath_is_off_once_companion_is_imported():
    import pytensor

    import companion  # noqa: F401

    assert pytensor.config.numba__fastmath is False
