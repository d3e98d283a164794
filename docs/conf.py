"""Sphinx configuration of the course website (``make site``).

The site is built from the committed learner notebooks in ``notebooks/`` without running
them (``nb_execution_mode = "off"``), and loads nothing from the network: MathJax comes from
``sphinx-mathjax-offline`` and mermaid from the copy that ``make site`` unpacks into
``_static/mermaid/`` (``scripts/build_site.py`` stages the sources).
"""

project = "Why are models hierarchical?"
author = "The course's authors"
copyright = "the course's authors"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx-mathjax-offline",
    "sphinxcontrib.mermaid",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# Notebooks: committed outputs, never executed here.
nb_execution_mode = "off"
# No widget manager from a CDN: the shrinkage explorer needs a running kernel anyway.
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "amsmath"]
# The notebooks show pm.model_to_mermaid(...) as a ```mermaid block: draw it as a diagram.
myst_fence_as_directive = ["mermaid"]

# Mermaid from the build itself (see scripts/build_site.py), drawn in the browser.
mermaid_use_local = "mermaid/mermaid.esm.min.mjs"
mermaid_output_format = "raw"
mermaid_init_config = {"startOnLoad": False}

# The package reference, from the numpydoc docstrings.
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "description"
napoleon_numpy_docstring = True
napoleon_google_docstring = False

html_theme = "sphinx_book_theme"
# A light page unless the reader chose otherwise (an empty mode is logged as an error).
html_context = {"default_mode": "light"}
html_title = "Why are models hierarchical?"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_theme_options = {
    "repository_url": "https://github.com/why-hierarchical/course",
    "repository_branch": "main",
    "path_to_docs": "",
    "use_repository_button": False,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "notebook_interface": "jupyterlab",
    },
    "show_toc_level": 2,
}


def _mermaid_blocks_as_diagrams(app, doctree):
    """Turn the notebooks' ```mermaid output blocks into diagrams drawn by mermaid.

    A notebook shows ``pm.model_to_mermaid(model)`` in a ```mermaid Markdown block; myst-nb
    renders that output as a code block with the language ``mermaid``.
    """
    from docutils import nodes
    from sphinxcontrib.mermaid import mermaid

    for block in list(doctree.findall(nodes.literal_block)):
        if block.get("language") == "mermaid":
            diagram = mermaid()
            diagram["code"] = block.astext()
            diagram["options"] = {}
            block.replace_self(diagram)


def setup(app):
    """Connect the mermaid transform."""
    app.connect("doctree-read", _mermaid_blocks_as_diagrams)
