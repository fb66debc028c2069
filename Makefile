# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
SAMPLE_DB := data/dashboard.db
SEED ?= 1

.PHONY: run test sample-city benchmark clean

SAMPLE_LOG := data/sample-city.log
# Streamlit's own "You can now view..." lines repeat the address the summary gives.
STREAMLIT_LINES := '^[[:space:]]*$$|You can now view your Streamlit app|(Local|Network|External) URL:'

# One summary before the server starts: what the database holds, where it is served, how to sign in.
run: $(VENV)/.installed
	@if [ -z "$$DATABASE_URL" ] && [ ! -f $(SAMPLE_DB) ]; then $(MAKE) --no-print-directory sample-city; fi
	@$(BIN)/python -m storage upgrade --quiet
	@echo
	@$(BIN)/python -m storage welcome --served-at http://localhost:$(PORT)
	@echo
	@PYTHONUNBUFFERED=1 $(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true \
		--server.fileWatcherType none --browser.gatherUsageStats false 2>&1 | grep --line-buffered -v -E $(STREAMLIT_LINES)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# The sample city: generated, then loaded through the loaders into the embedded database.
# Each step's report goes to $(SAMPLE_LOG); the loader's progress bars and any error to the terminal.
sample-city: $(VENV)/.installed
	@echo "Building the sample city (first run only; each step's report in $(SAMPLE_LOG))..."
	@mkdir -p data && rm -f $(SAMPLE_DB).partial $(SAMPLE_DB).partial-wal $(SAMPLE_DB).partial-shm
	@started=$$(date +%s); \
	{ $(BIN)/python -m sample_data.generate data/sample --seed $(SEED) --scale 1 \
	  && DATABASE_URL=sqlite:///$(CURDIR)/$(SAMPLE_DB).partial $(BIN)/python -m loaders city data/sample \
	  && DATABASE_URL=sqlite:///$(CURDIR)/$(SAMPLE_DB).partial $(BIN)/python -m storage demo-users; } > $(SAMPLE_LOG) \
	|| { tail -n 20 $(SAMPLE_LOG); echo "Building the sample city failed; the whole report is in $(SAMPLE_LOG)."; exit 1; }; \
	mv $(SAMPLE_DB).partial $(SAMPLE_DB); \
	echo "Built the sample city in $$(( $$(date +%s) - started )) s."

$(VENV)/.installed: requirements.txt
	@echo "Installing the requirements into $(VENV) (first run, and when requirements.txt changes)..."
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --upgrade pip
	@$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

clean:
	rm -rf $(VENV) data/sample $(SAMPLE_DB) $(SAMPLE_DB)-wal $(SAMPLE_DB)-shm $(SAMPLE_LOG)
