"""The course website (``make site``) in a real browser.

The site is built once per session from the committed learner notebooks, served on
localhost, and opened in headless Chromium (Debian's ``chromium``, driven by Playwright from
PyPI with ``executable_path``; no browser is downloaded). ``make test`` installs Chromium
when it runs as root on a machine with apt-get; elsewhere run ``make browser`` or
``sudo apt-get install chromium``.
"""

import functools
import http.server
import importlib.util
import json
import re
import shutil
import threading
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("coursework", ROOT / "scripts" / "coursework.py")
coursework = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(coursework)
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

_spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
build_site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_site)

LEARNER = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _outputs_text(path):
    notebook = nbformat.read(path, as_version=4)
    return json.dumps([cell.get("outputs", []) for cell in notebook.cells])


def _has_math(path):
    notebook = nbformat.read(path, as_version=4)
    return any("$" in c.source for c in notebook.cells if c.cell_type == "markdown")


def _has_figure(path):
    return '"image/png"' in _outputs_text(path)


def _has_graph(path):
    return "```mermaid" in _outputs_text(path)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    tarball = build_site.VENDOR / f"mermaid-{build_site.MERMAID_VERSION}.tgz"
    if not tarball.exists() and shutil.which("npm") is None:
        pytest.skip("needs npm once to fetch mermaid: run `make browser` or apt-get install npm")
    output = tmp_path_factory.mktemp("site") / "html"
    return build_site.build(output)


def test_the_site_has_a_page_per_notebook_in_course_order_and_the_api(site):
    index = (site / "index.html").read_text()
    links = re.findall(r'href="notebooks/(\d\d_[a-z_]+)\.html"', index)
    assert list(dict.fromkeys(links)) == [p.stem for p in LEARNER]
    api = (site / "api.html").read_text()
    assert "companion.fit.sample" in api and "Introduced in" in api


def test_every_notebook_page_has_its_binder_button(site):
    for path in LEARNER:
        page = (site / "notebooks" / f"{path.stem}.html").read_text()
        link = (
            "https://mybinder.org/v2/gh/why-hierarchical/course/main"
            f"?urlpath=lab/tree/notebooks/{path.name}"
        )
        assert link in page, path.name


def test_no_page_loads_a_script_or_style_from_the_network(site):
    assert build_site.online_assets(site) == []
    assert (site / "_static" / "mermaid" / "mermaid.esm.min.mjs").exists()
    assert (site / "_static" / "mathjax").is_dir()


def test_online_assets_are_detected(tmp_path):
    (tmp_path / "page.html").write_text(
        '<script src="https://cdn.example.org/x.js"></script><link href="../local.css">'
    )
    assert len(build_site.online_assets(tmp_path)) == 1


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
    }

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            "needs Chromium at /usr/bin/chromium: run `make browser` "
            "or `sudo apt-get install chromium`"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        yield chromium
        chromium.close()


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status}: {response.url}") if response.status >= 400 else None
        ),
    )
    page.goto(url, wait_until="load")
    return page, errors


def _wait_for_rendering(page, path):
    if _has_math(path):
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise")
        page.wait_for_selector("mjx-container", timeout=20_000)
    if _has_graph(path):
        page.wait_for_function(
            "() => [...document.querySelectorAll('.mermaid')]"
            ".every(d => d.querySelector('svg g.node'))",
            timeout=30_000,
        )


@pytest.mark.parametrize("path", LEARNER, ids=lambda p: p.stem)
def test_notebook_page_renders_in_chromium(browser, server, path):
    page, errors = _open(browser, f"{server}/notebooks/{path.stem}.html")
    try:
        _wait_for_rendering(page, path)
        broken = page.evaluate(
            "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
            ".map(i => i.src)"
        )
        assert broken == []
        if _has_figure(path):
            assert page.locator("div.cell_output img").count() > 0
        if _has_math(path):
            assert page.locator("mjx-container").count() > 0
            assert page.locator("main").inner_text().count("\\mathcal") == 0
        if _has_graph(path):
            diagrams = page.locator(".mermaid svg")
            assert diagrams.count() == page.locator(".mermaid").count() > 0
            assert page.locator(".mermaid svg g.node").count() >= 2
            assert "flowchart" not in page.locator("main").inner_text()
        text = page.locator("main").inner_text()
        shown = {line.strip() for line in text.splitlines()}
        for line in coursework.solution_lines(ROOT / "teacher" / path.name):
            assert line not in shown, f"solution text on the page: {line}"
        assert "Correct:" not in text and "✅" not in text
        assert errors == [], errors
    finally:
        page.close()


def _screenshot(browser, server, stem, selector, name):
    path = ROOT / "notebooks" / f"{stem}.ipynb"
    page, errors = _open(browser, f"{server}/notebooks/{stem}.html")
    try:
        _wait_for_rendering(page, path)
        target = page.locator(selector).first
        target.scroll_into_view_if_needed()
        page.evaluate("() => window.scrollBy(0, -120)")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / name
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000 and errors == []
    finally:
        page.close()


def test_screenshots_of_a_figure_a_model_graph_and_equations(browser, server):
    """Take the screenshots that a person looks at; they land in ``_build/screenshots/``."""
    _screenshot(browser, server, "02_unpooled_intercepts", "div.cell_output img", "figure.png")
    _screenshot(browser, server, "03_partial_pooling", ".mermaid svg", "model_graph.png")
    _screenshot(browser, server, "03_partial_pooling", "div.math mjx-container", "equations.png")
