# make run   — the embedded demo: gateway + API + dashboard fed by the simulated station network
# make test  — lint, type-check, import contracts, then the whole test suite
# make bench — every benchmark (python -m bench NAME for one)
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev,server]"
	# The UCI Beijing multi-site air data ships inside this wheel; its own heavy deps are not needed.
	$(BIN)/python -m pip install -q --no-deps "qolmat==0.2.0"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/lianfang run --data data

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python -m bench all

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
