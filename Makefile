# Two entry points, both idempotent: `make demo` (the main job) and `make test` (ruff, mypy,
# import-linter's layer contracts, pytest).
# Each creates .venv and installs the project on first use; re-installs only when pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test run bench bench-quick browser clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "leadershipchat needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/leadershipchat demo

run: $(STAMP)
	$(VENV)/bin/leadershipchat run

# Headless Chromium renders recap.html in the tests; install it when we can (root + apt), else the
# browser test is skipped with its reason shown.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		(apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1) \
		|| echo "note: chromium not installed; the HTML screenshot test will be skipped"; }

test: $(STAMP) browser
	$(VENV)/bin/ruff check bot tests bench
	$(VENV)/bin/ruff format --check bot tests bench
	$(VENV)/bin/mypy bot
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(PY) -m bench

bench-quick: $(STAMP)
	$(PY) -m bench --quick

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache
