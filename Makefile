# Two verbs from a fresh clone. Each builds the virtual environment first when it is missing or older
# than pyproject.toml (the pinned CPU build of PyTorch, then the project with its test extra).
#   make verify   check every claim of the three papers, write igeom-report/ (exit 1 on a failed check)
#   make test     the default test run (skips @pytest.mark.slow)
PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch==2.13.0

.PHONY: env verify test slow
env: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet $(TORCH)
	$(VENV)/bin/pip install --quiet -e ".[test]"
	touch $@

verify: env
	$(VENV)/bin/igeom verify --level quick

test: env
	$(VENV)/bin/python -m pytest -q

slow: env
	$(VENV)/bin/python -m pytest -q -m slow
