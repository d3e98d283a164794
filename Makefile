# Two commands for a fresh clone: `make lab` opens the course, `make test` runs every test.
# Both build .venv from requirements.lock first (Python 3.12, found through .python-version).
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lab test unit notebooks learner site browser course-time lint format data lock clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 12), f"Python 3.12 needed, found {sys.version.split()[0]}"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/

# Every test on a cold PyTensor compile cache, as a learner's first run sees it. The notebooks,
# the longest files, go first so that the two workers finish together.
test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTENSOR_FLAGS=base_compiledir=$$(mktemp -d) $(BIN)/python -m pytest -p no:cacheprovider \
		-n 2 --dist loadfile --nbval-lax --nbval-current-env --durations=30 \
		teacher tests companion

# The learner notebooks in notebooks/, generated from teacher/ by nbgrader (tests/test_coursework.py
# fails when they are stale).
learner: $(STAMP)
	$(BIN)/python scripts/coursework.py learner

# The course website in _build/site/ (Sphinx + myst-nb, from the committed learner notebooks).
site: $(STAMP)
	$(BIN)/python scripts/build_site.py --output _build/site

# Debian's Chromium for the website's browser test, and npm, which fetches mermaid for the site
# once. Installed when running as root with apt-get; otherwise tests/test_site.py skips its
# browser checks and says how to install it.
browser:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="chromium"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "not installed:$$missing (sudo apt-get install$$missing); tests/test_site.py will skip"; fi

unit: $(STAMP)
	$(BIN)/python -m pytest -m "not sampling" tests companion

notebooks: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env --durations=0 teacher

# Each notebook on a fresh kernel and compile directory, as a multiple of a floor timed in the
# same run; --update-readme refreshes the README's run-time column.
course-time: $(STAMP)
	$(BIN)/python benchmarks/course_time.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

data: $(STAMP)
	$(BIN)/python -m companion.data regenerate

lock:
	rm -rf /tmp/course-lock-venv && $(PYTHON) -m venv /tmp/course-lock-venv
	/tmp/course-lock-venv/bin/pip install --quiet --upgrade pip
	/tmp/course-lock-venv/bin/pip install --quiet -e '.[dev]'
	( head -n 2 requirements.lock; /tmp/course-lock-venv/bin/pip freeze --exclude-editable ) > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV)
