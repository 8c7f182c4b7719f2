# The two commands of the README. Each sets up what it needs on first use.
#   make run    install faqbot, build the index if needed, start the chat on http://127.0.0.1:7860
#   make test   install faqbot with the test extras (CPU torch, MiniLM, Chromium), lint, type-check, run all tests
#   make check  the working loop: lint, type check and the fast tests (`pytest -m "not slow"`), in seconds
#   make docs   re-run the commands whose output README.md and docs/ show (cog), so it cannot drift

VENV    ?= .venv
PY      := $(VENV)/bin/python
FAQBOT  := $(VENV)/bin/faqbot
PYTEST_ARGS ?=

.PHONY: run test check lint docs install install-dev chromium postgres-nginx sqlite3 index evaluate clean

run: install
	$(FAQBOT) index
	$(PY) app.py

test: install-dev chromium postgres-nginx lint
	$(PY) -m pytest $(PYTEST_ARGS)

# Bytecode is cached even where PYTHONDONTWRITEBYTECODE is set: pytest re-writes every test
# module's assertions on each run without it. The fast tests share the cores (pytest-xdist).
check: install-dev lint
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -q -n auto -m "not slow" $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

docs: install-dev index sqlite3 chromium
	$(VENV)/bin/cog -r -c -I docs README.md docs/*.md
	FAQBOT_SCREENSHOTS=docs/console $(PY) -m pytest -q tests/test_console_browser.py -k screenshots

index: install
	$(FAQBOT) index

evaluate: install-dev
	$(FAQBOT) evaluate --plot docs/threshold.png

install: $(VENV)/.installed-core
install-dev: $(VENV)/.installed-dev

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-core: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

# torch first, pinned: the CPU build on this disk, not the multi-GB CUDA one a bare "torch" pulls.
$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[st,test,eval]'
	touch $(VENV)/.installed-core $@

# The browser tests drive Debian's Chromium through Playwright (playwright install cannot download here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# docs/staff.md shows the conversation log as the sqlite3 command prints it.
sqlite3:
	@command -v sqlite3 >/dev/null 2>&1 || { \
		echo "installing Debian's sqlite3 for docs/staff.md"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }

# The log and deployment tests start a throwaway PostgreSQL cluster and nginx from Debian's packages.
postgres-nginx:
	@{ ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1; } || { \
		echo "installing Debian's postgresql and nginx for the log and deployment tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql nginx >/dev/null; }

clean:
	rm -rf $(VENV) build *.egg-info
