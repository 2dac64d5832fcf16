# Two entry points, both idempotent: `make demo` (the main job) and `make test` (ruff, mypy,
# import-linter's layer contracts, pytest).
# Each creates .venv and installs the project on first use; re-installs only when pyproject.toml
# or the lock changes. Dependencies come from requirements-dev.lock (exact versions and hashes, the
# set CI tested); `make lock` regenerates it (and requirements.lock, the image's) after a deliberate
# change to pyproject.toml.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Most of the suite's time is waiting (compressed chats run on the clock), so three workers share
# two cores well: 290 s -> 130 s. `make test TEST_WORKERS=0` runs it in one process.
TEST_WORKERS ?= 3

LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet

.PHONY: demo test run bench bench-quick browser lock clean

$(STAMP): pyproject.toml requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "leadershipchat needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

# An upgrade is a deliberate commit: edit pyproject.toml (or just run this to take newer
# releases within its ranges), run `make lock`, then `make test`, and commit the three files.
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml $(LOCK_FLAGS) --upgrade -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev $(LOCK_FLAGS) --upgrade -o requirements-dev.lock

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
	$(PY) -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal --durations=10

bench: $(STAMP)
	$(PY) -m bench

bench-quick: $(STAMP)
	$(PY) -m bench --quick

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache
