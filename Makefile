# Two commands for a fresh machine: `make site` and `make test`.
# Each creates the local virtual environment (.venv) on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: site test validate serve bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

site: $(STAMP)
	$(BIN)/tfpub build

serve: $(STAMP)
	$(BIN)/tfpub serve

validate: $(STAMP)
	$(BIN)/tfpub validate specs

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf site .tfpub-cache
