# Two verbs from a fresh clone. Each builds the virtual environment first when it is missing or older
# than pyproject.toml (the pinned CPU build of PyTorch, then the project with its test extra).
#   make verify   check every claim of the three papers, write igeom-report/ (exit 1 on a failed check)
#   make test     the default test run (skips @pytest.mark.slow)
#   make data     (root, Debian) install the package dataset-fashion-mnist when missing: the deep-net claims of
#                 `igeom verify --level full` train on it (on sklearn's digits without it); .ci/run does the same
PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch==2.13.0

.PHONY: env verify test slow data
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

FASHION_MNIST := /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
data:
	@[ -f $(FASHION_MNIST) ] || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist; }
