# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
SAMPLE_DB := data/dashboard.db
SEED ?= 1

.PHONY: run test sample-city benchmark clean

run: $(VENV)/.installed
	@if [ -z "$$DATABASE_URL" ] && [ ! -f $(SAMPLE_DB) ]; then $(MAKE) --no-print-directory sample-city; fi
	$(BIN)/python -m storage upgrade
	@if [ -z "$$DATABASE_URL" ]; then $(BIN)/python -m storage demo-users --list; fi
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# The sample city: generated, then loaded through the loaders into the embedded database.
sample-city: $(VENV)/.installed
	@echo "Building the sample city (first run only)..."
	$(BIN)/python -m sample_data.generate data/sample --seed $(SEED) --scale 1
	rm -f $(SAMPLE_DB).partial $(SAMPLE_DB).partial-wal $(SAMPLE_DB).partial-shm
	DATABASE_URL=sqlite:///$(CURDIR)/$(SAMPLE_DB).partial $(BIN)/python -m loaders city data/sample
	DATABASE_URL=sqlite:///$(CURDIR)/$(SAMPLE_DB).partial $(BIN)/python -m storage demo-users
	mv $(SAMPLE_DB).partial $(SAMPLE_DB)

$(VENV)/.installed: requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

clean:
	rm -rf $(VENV) data/sample $(SAMPLE_DB) $(SAMPLE_DB)-wal $(SAMPLE_DB)-shm
