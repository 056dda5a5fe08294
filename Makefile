# FlowMap — the two commands that matter: `make demo` and `make test`.
# Everything a fresh machine of this kind needs is installed from here (apt for libsqlite3-dev, a venv for the
# Python test oracles); nothing is assumed to be installed by hand.

SWIFT      ?= swift
PYTHON     ?= python3
VENV       := .venv
BUILD_DIR  := .build
FLOWMAP    := $(BUILD_DIR)/debug/flowmap
DEMO_OUT   := out
SAMPLES    := $(sort $(wildcard samples/hubble/*/*.json samples/hubble/*/*.jsonl))
# Other sources, into a store of their own (other clusters): a Kubernetes inventory, Calico and VPC flow logs.
MORE_SAMPLES := $(sort $(wildcard samples/inventory/*.json samples/calico/*.log samples/calico/*.json \
                  samples/vpc/*.txt samples/vpc/*.log))

.PHONY: all build demo test deps venv schema clean oracle

all: build

# System libraries: the SQLite (and zlib) headers. apt-get only when a header is missing.
deps:
	@if [ ! -f /usr/include/sqlite3.h ]; then \
	  echo "installing libsqlite3-dev"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-dev; \
	fi

# Python test oracles live in a venv: kubernetes-validate (Kubernetes schemas).
venv: $(VENV)/.stamp
$(VENV)/.stamp: Makefile
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check kubernetes-validate==1.37.0
	touch $@

build: deps
	$(SWIFT) build

# Ingest the embedded real Hubble samples, generate policies into out/, print a summary.
demo: build
	@rm -rf $(DEMO_OUT) && mkdir -p $(DEMO_OUT)
	$(FLOWMAP) ingest --db $(DEMO_OUT)/flowmap.db $(SAMPLES)
	$(FLOWMAP) generate --db $(DEMO_OUT)/flowmap.db --out $(DEMO_OUT)/policies
	@echo "policies written to $(DEMO_OUT)/policies:"; ls $(DEMO_OUT)/policies
	@echo "--- more sources (Calico, VPC + inventory); the rejected lines are rejected on purpose, see samples/*/SOURCES.md"
	$(FLOWMAP) ingest --db $(DEMO_OUT)/more-sources.db $(MORE_SAMPLES) || [ $$? -eq 1 ]
	$(FLOWMAP) generate --db $(DEMO_OUT)/more-sources.db --out $(DEMO_OUT)/policies-more-sources
	@echo "policies written to $(DEMO_OUT)/policies-more-sources:"; ls $(DEMO_OUT)/policies-more-sources

test: deps venv oracle
	$(SWIFT) build
	FLOWMAP_VENV=$(CURDIR)/$(VENV) $(SWIFT) test

# Re-embed schema/*.sql into the binary after adding a migration (a test fails when they drift).
schema:
	$(PYTHON) scripts/embed-schema.py

clean:
	rm -rf $(BUILD_DIR) $(DEMO_OUT) $(VENV)

# --- Policy checks (issue 9): the NetworkPolicy oracle -------------------------------------------------------
# network-config-analyzer (nca) in the same venv, for the differential test in Tests/PolicyTests
# (NCADifferentialTests runs scripts/nca_batch.py with .venv/bin/python and fails when nca is missing).
oracle: $(VENV)/.oracle-stamp
$(VENV)/.oracle-stamp: $(VENV)/.stamp
	$(VENV)/bin/pip install -q --disable-pip-version-check network-config-analyzer==2.1.0 kubernetes-validate==1.37.0
	touch $@
