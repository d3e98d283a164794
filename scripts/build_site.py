"""Build the course website: ``python scripts/build_site.py [--output _build/site]``.

Sphinx with myst-nb renders the committed learner notebooks (``notebooks/NN_*.ipynb``, not
executed) in course order, and autodoc renders the ``companion`` package's docstrings. The
site loads nothing from the network: MathJax comes from ``sphinx-mathjax-offline`` and mermaid
(which draws the notebooks' model graphs) from the npm package ``mermaid``, fetched once with
``npm pack`` into ``_build/vendor/``, checked against its SHA-256 and unpacked into the site's
``_static/``. The build fails if a page still refers to a script or style sheet online.
"""

from __future__ import annotations

import argparse
import hashlib
import pkgutil
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "notebooks"
VENDOR = ROOT / "_build" / "vendor"

MERMAID_VERSION = "11.12.1"
#: SHA-256 of ``npm pack mermaid@11.12.1`` (its sha512 matches the registry's integrity).
MERMAID_SHA256 = "3bd65ddefe97fb2e01d976a01d4078f8d773bfc56c6a75a9abf08b564ce0f8b2"
#: The files of the tarball the site needs: the ES module and the chunks it imports.
MERMAID_FILES = re.compile(
    r"package/dist/(mermaid\.esm\.min\.mjs|chunks/mermaid\.esm\.min/.+\.mjs)"
)

#: A script or style sheet loaded from another host.
ONLINE_ASSET = re.compile(
    r"<(?:script[^>]*\bsrc|link[^>]*\bhref)=[\"'](?:https?:)?//[^\"']+[\"']", re.IGNORECASE
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mermaid_tarball(vendor: Path = VENDOR) -> Path:
    """Return the checked mermaid tarball, fetching it with ``npm pack`` if it is missing.

    Parameters
    ----------
    vendor : pathlib.Path
        Folder that keeps the tarball between builds.

    Returns
    -------
    pathlib.Path
        ``mermaid-<version>.tgz``, whose SHA-256 is ``MERMAID_SHA256``.
    """
    tarball = vendor / f"mermaid-{MERMAID_VERSION}.tgz"
    if not tarball.exists():
        if shutil.which("npm") is None:
            raise SystemExit(
                f"npm is needed once to fetch mermaid {MERMAID_VERSION} "
                "(apt-get install npm), or put its tarball at {tarball}"
            )
        vendor.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "pack", f"mermaid@{MERMAID_VERSION}", "--pack-destination", str(vendor)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    digest = _sha256(tarball)
    if digest != MERMAID_SHA256:
        tarball.unlink()
        raise SystemExit(f"{tarball.name}: SHA-256 {digest}, expected {MERMAID_SHA256}; removed")
    return tarball


def _unpack_mermaid(tarball: Path, static: Path) -> None:
    target = static / "mermaid"
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            found = MERMAID_FILES.fullmatch(member.name)
            if not found or not member.isfile():
                continue
            destination = target / found.group(1)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.extractfile(member).read())
    if not (target / "mermaid.esm.min.mjs").exists():
        raise SystemExit(f"{tarball.name} holds no dist/mermaid.esm.min.mjs")


def _api_page() -> str:
    import companion

    modules = sorted(
        info.name
        for info in pkgutil.iter_modules(companion.__path__)
        if not info.name.startswith("_")
    )
    lines = [
        "# The `companion` package",
        "",
        "The functions the notebooks import, with their docstrings. Each names the notebook",
        "that introduces it.",
        "",
    ]
    for name in modules:
        lines += [
            f"## `companion.{name}`",
            "",
            "```{eval-rst}",
            f".. automodule:: companion.{name}",
            "   :members:",
            "```",
            "",
        ]
    return "\n".join(lines)


def stage(source: Path) -> None:
    """Lay out the Sphinx source: ``docs/``, the learner notebooks, the API page, mermaid.

    Parameters
    ----------
    source : pathlib.Path
        Folder to create (emptied first).
    """
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(DOCS, source)
    notebooks = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise SystemExit(f"no notebooks in {NOTEBOOKS}: run `make learner`")
    (source / "notebooks").mkdir()
    for path in notebooks:
        shutil.copyfile(path, source / "notebooks" / path.name)
    (source / "api.md").write_text(_api_page())
    _unpack_mermaid(mermaid_tarball(), source / "_static")


def online_assets(site: Path) -> list[str]:
    """List the ``<script src>`` and ``<link href>`` of a built site that point online.

    Parameters
    ----------
    site : pathlib.Path
        The HTML output folder.

    Returns
    -------
    list of str
        ``"page: tag"`` for each script or link loaded from another host.
    """
    found = []
    for page in sorted(site.rglob("*.html")):
        for match in ONLINE_ASSET.finditer(page.read_text(errors="replace")):
            found.append(f"{page.relative_to(site)}: {match.group(0)}")
    return found


def build(output: Path, *, source: Path | None = None) -> Path:
    """Build the site into ``output``.

    Parameters
    ----------
    output : pathlib.Path
        The HTML output folder (``index.html`` at its top).
    source : pathlib.Path, optional
        Where to stage the Sphinx source; default ``output`` with ``-src`` appended.

    Returns
    -------
    pathlib.Path
        ``output``.
    """
    source = source or output.with_name(output.name + "-src")
    stage(source)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-b",
            "html",
            "-q",
            "-W",
            "--keep-going",
            "-E",
            str(source),
            str(output),
        ],
        check=True,
    )
    online = online_assets(output)
    if online:
        raise SystemExit("pages load assets from the network:\n" + "\n".join(online[:20]))
    return output


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python scripts/build_site.py", description=__doc__)
    parser.add_argument("--output", type=Path, default=ROOT / "_build" / "site")
    args = parser.parse_args(argv)
    site = build(args.output)
    print(f"site built: {site / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
