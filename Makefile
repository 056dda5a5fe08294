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


.PHONY: all build demo test test-prereqs deps pgdeps venv viewdeps screenshot schema assets clean fuzz oracle bench bench-policy install uninstall proto bench-watch bench-fleet

all: build

# System libraries: the SQLite (and zlib) headers. apt-get only when a header is missing (on Linux; macOS has both).
deps:
	@if [ "$$(uname -s)" = Linux ] && [ ! -f /usr/include/sqlite3.h ]; then \
	  echo "installing libsqlite3-dev"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-dev; \
	fi
	@if [ "$$(uname -s)" = Linux ] && [ ! -f /usr/include/zlib.h ]; then \
	  echo "installing zlib1g-dev"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zlib1g-dev; \
	fi

# A PostgreSQL server for the store tests (Tests/PostgresTests start a private one from initdb in a temporary
# directory) and the fleet benchmark. apt-get only when initdb is missing (Debian puts it in
# /usr/lib/postgresql/<version>/bin, not on PATH).
pgdeps:
	@if [ "$$(uname -s)" = Linux ] && ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "installing postgresql"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	fi

# Map oracles: graphviz (`dot -Tsvg` must accept the DOT output) and headless Chromium (the HTML map's DOM and
# the README screenshot). apt-get only when a tool is missing.
viewdeps:
	@missing=""; \
	command -v dot >/dev/null 2>&1 || missing="$$missing graphviz"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# Python test oracles live in a venv: kubernetes-validate (Kubernetes schemas), jsonschema (Cilium CRD schema).
venv: $(VENV)/.stamp
$(VENV)/.stamp: Makefile
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check kubernetes-validate==1.37.0 jsonschema
	touch $@

build: deps
	$(SWIFT) build

# Ingest the embedded real Hubble samples, generate policies into out/, print a summary; then the other sources;
# then `flowmap check` of both generated sets against their stores, which must pass.
demo: build
	@rm -rf $(DEMO_OUT) && mkdir -p $(DEMO_OUT)
	$(FLOWMAP) ingest --db $(DEMO_OUT)/flowmap.db $(SAMPLES)
	$(FLOWMAP) generate --db $(DEMO_OUT)/flowmap.db --out $(DEMO_OUT)/policies
	@echo "policies written to $(DEMO_OUT)/policies:"; ls $(DEMO_OUT)/policies
	$(FLOWMAP) generate --db $(DEMO_OUT)/flowmap.db --flavor cilium --out $(DEMO_OUT)/cilium
	@echo "--- the Cilium output checked against the flows it came from (exit 0 required)"
	$(FLOWMAP) check --db $(DEMO_OUT)/flowmap.db --policies $(DEMO_OUT)/cilium
	$(FLOWMAP) map --db $(DEMO_OUT)/flowmap.db --output html --out $(DEMO_OUT)/map.html
	$(FLOWMAP) summary --db $(DEMO_OUT)/flowmap.db
	@echo "--- more sources (Calico, VPC + inventory); the rejected lines are rejected on purpose, see samples/*/SOURCES.md"
	$(FLOWMAP) ingest --db $(DEMO_OUT)/more-sources.db $(MORE_SAMPLES) || [ $$? -eq 1 ]
	$(FLOWMAP) generate --db $(DEMO_OUT)/more-sources.db --out $(DEMO_OUT)/policies-more-sources
	@echo "policies written to $(DEMO_OUT)/policies-more-sources:"; ls $(DEMO_OUT)/policies-more-sources
	@echo "--- every observed connection replayed against the generated policies (exit 0 required)"
	$(FLOWMAP) check --db $(DEMO_OUT)/flowmap.db --policies $(DEMO_OUT)/policies
	$(FLOWMAP) check --db $(DEMO_OUT)/more-sources.db --policies $(DEMO_OUT)/policies-more-sources

# The README's picture of the demo map (headless Chromium, 1400x900).
screenshot: demo viewdeps
	mkdir -p docs
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir=$(CURDIR)/$(DEMO_OUT)/chromium \
	  --window-size=1400,900 --screenshot=$(CURDIR)/docs/map.png file://$(CURDIR)/$(DEMO_OUT)/map.html 2>/dev/null
	$(FLOWMAP) map --db $(DEMO_OUT)/flowmap.db --policies $(DEMO_OUT)/policies --out $(DEMO_OUT)/map-policies.html
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir=$(CURDIR)/$(DEMO_OUT)/chromium \
	  --window-size=1400,900 --screenshot=$(CURDIR)/docs/map-policies.png \
	  'file://$(CURDIR)/$(DEMO_OUT)/map-policies.html#node=kube-system/Deployment/coredns' 2>/dev/null

# deps and pgdeps (apt-get) run one after the other before the parallel prerequisites.
test: deps pgdeps
	@$(MAKE) --no-print-directory -j4 test-prereqs
	FLOWMAP_VENV=$(CURDIR)/$(VENV) $(SWIFT) test

# The build overlaps the installs (swift is CPU-bound; apt-get and pip wait on the network and dpkg), which saves a
# minute or two of a cold `make test`. apt-get takes dpkg's lock: a further prerequisite that runs apt-get must
# depend on viewdeps (or another apt prerequisite) so that the two never run at once.
test-prereqs: build venv oracle viewdeps

# A release build of flowmap into $(PREFIX)/bin, with its shell completions (README "Install"). DESTDIR for packaging.
PREFIX  ?= /usr/local
BINDIR  := $(DESTDIR)$(PREFIX)/bin
BASHDIR := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR  := $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR := $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
RELEASE := $(BUILD_DIR)/release/flowmap
install: deps
	$(SWIFT) build -c release --product flowmap
	install -d $(BINDIR) $(BASHDIR) $(ZSHDIR) $(FISHDIR)
	install -m 755 $(RELEASE) $(BINDIR)/flowmap
	$(RELEASE) --generate-completion-script bash > $(BASHDIR)/flowmap
	$(RELEASE) --generate-completion-script zsh > $(ZSHDIR)/_flowmap
	$(RELEASE) --generate-completion-script fish > $(FISHDIR)/flowmap.fish
	@echo "installed $(BINDIR)/flowmap; make sure $(PREFIX)/bin is on PATH"

uninstall:
	rm -f $(BINDIR)/flowmap $(BASHDIR)/flowmap $(ZSHDIR)/_flowmap $(FISHDIR)/flowmap.fish

# Regenerate Sources/HubbleAPI (committed) from proto/hubble after editing a .proto: protoc from Debian, the two
# protoc plugins cloned and built once into /tmp (~10 min cold).
proto:
	@command -v protoc >/dev/null && [ -f /usr/include/google/protobuf/timestamp.proto ] || { \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq protobuf-compiler libprotobuf-dev; }
	scripts/generate-hubble-api.sh

# Re-embed schema/*.sql into the binary after adding a migration (a test fails when they drift).
schema:
	$(PYTHON) scripts/embed-schema.py

# Re-embed the HTML map's Sources/FlowMapView/Assets/map.{js,css} after editing them (a test fails when they drift).
assets:
	$(PYTHON) scripts/embed-assets.py

clean:
	rm -rf $(BUILD_DIR) $(DEMO_OUT) $(VENV)

# --- Policy checks (issue 9): the NetworkPolicy oracle -------------------------------------------------------
# network-config-analyzer (nca) in the same venv, for the differential tests in Tests/OracleTests
# (Oracle.NCA in Tests/TestSupport runs scripts/nca_batch.py with the venv's python; a missing nca fails them).
oracle: $(VENV)/.oracle-stamp
$(VENV)/.oracle-stamp: $(VENV)/.stamp
	$(VENV)/bin/pip install -q --disable-pip-version-check network-config-analyzer==2.1.0 kubernetes-validate==1.37.0
	touch $@

# libFuzzer: every target in Fuzz/ for FUZZ_SECONDS each, seeded from samples/. A crash leaves its input in
# .build-fuzz/crashes/ and fails the run; turn each into a regression test.
FUZZ_SECONDS ?= 60
# debug builds fastest (CI's short run); FUZZ_CONFIG=release runs several times more inputs per second.
FUZZ_CONFIG ?= debug
# FUZZ_RUNS > 0 with a fixed FUZZ_SEED makes a run reproducible (CI uses that); 0 = run for FUZZ_SECONDS.
FUZZ_RUNS ?= 0
FUZZ_SEED ?= 0
FUZZ_TARGETS := $(notdir $(wildcard Fuzz/Fuzz*))
# Seed corpus, shared by every target (all inputs are text; a mixed corpus is fine for mutation).
FUZZ_SEEDS := $(wildcard samples/*/*.json samples/*/*.jsonl samples/*/*.log samples/*/*.csv samples/*/*.yaml \
                samples/*/*/*.json samples/*/*/*.jsonl Tests/PolicyTests/Fixtures/*/*.yaml Tests/PolicyTests/Fixtures/*/*/*.yaml \
                Fuzz/seeds/*)
fuzz: deps
	@# One build per product: `swift build` keeps only the last of several --product options, which left every
	@# other target unbuilt while the loop below reported it clean.
	@set -e; for t in $(FUZZ_TARGETS); do \
	  FLOWMAP_FUZZ=1 $(SWIFT) build -c $(FUZZ_CONFIG) -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld \
	    --scratch-path .build-fuzz --product $$t; \
	done
	@mkdir -p .build-fuzz/crashes
	@set -e; for t in $(FUZZ_TARGETS); do \
	  corpus=.build-fuzz/corpus/$$t; mkdir -p $$corpus; \
	  for f in $(FUZZ_SEEDS); do head -c 16384 "$$f" > $$corpus/seed-$$(basename $$f); done; \
	  echo "fuzz $$t"; \
	  test -x .build-fuzz/$(FUZZ_CONFIG)/$$t || { echo "fuzz $$t: binary .build-fuzz/$(FUZZ_CONFIG)/$$t missing"; exit 1; }; \
	  .build-fuzz/$(FUZZ_CONFIG)/$$t -max_total_time=$(FUZZ_SECONDS) -runs=$(if $(filter 0,$(FUZZ_RUNS)),-1,$(FUZZ_RUNS)) \
	    -seed=$(FUZZ_SEED) -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix=.build-fuzz/crashes/$$t- $$corpus 2>&1 | grep -E "^(#[0-9]+ +DONE|Done|==[0-9]+==ERROR|SUMMARY)" || true; \
	  if ls .build-fuzz/crashes/$$t-* >/dev/null 2>&1; then echo "fuzz $$t: crash found"; exit 1; fi; \
	  echo "fuzz $$t: clean (at most $(FUZZ_SECONDS)s$(if $(filter 0,$(FUZZ_RUNS)),, or $(FUZZ_RUNS) runs, seed $(FUZZ_SEED)))"; \
	done

# check / diff at 2,000 policies over 5,000 pods (release build; bar: under 2 s each) and at 20,000 x 50,000
# (bar: within 11x the CPU time). Prints wall and CPU time and peak RSS per phase: on a shared machine CPU time
# is the stable number.
bench: bench-policy
bench-policy: deps
	$(SWIFT) build -c release --product PolicyBench
	$(BUILD_DIR)/release/PolicyBench --scale 10

# --- Ingest benchmark (issue 3) -------------------------------------------------------------------------------
# Not part of `make test`. Generates a synthetic Hubble capture once (bench/data/, BENCH_MB, default 2100 MB),
# then times the release `flowmap ingest` end to end beside a Python+orjson peer and jq; prints the table.
BENCH_MB ?= 2100
bench: deps pgdeps $(VENV)/.bench-stamp
	$(SWIFT) build -c release --product flowmap
	$(SWIFT) build -c release --product ingest-bench
	$(SWIFT) build -c release --product generate-bench
	@echo "== generate: 2,000 workloads / 50,000 edges and 10x that (bench/GenerateBench) =="
	$(BUILD_DIR)/release/generate-bench --scale 10
	@command -v jq >/dev/null || { (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq; }
	@command -v /usr/bin/time >/dev/null || { (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }
	BENCH_MB=$(BENCH_MB) PYTHON=$(CURDIR)/$(VENV)/bin/python bench/run.sh
	@echo "== watch: flows evaluated per second from stdin (bench/watch.sh) =="
	PYTHON=$(CURDIR)/$(VENV)/bin/python bench/watch.sh
	@echo "== fleet: 1, 2, 4 concurrent ingesters into PostgreSQL beside SQLite (bench/fleet.sh) =="
	PYTHON=$(CURDIR)/$(VENV)/bin/python bench/fleet.sh

# The fleet rows alone (FLEET_BENCH_MB, default 300).
bench-fleet: deps pgdeps $(VENV)/.bench-stamp
	$(SWIFT) build -c release --product flowmap
	PYTHON=$(CURDIR)/$(VENV)/bin/python bench/fleet.sh

# The watch row alone.
bench-watch: deps $(VENV)/.bench-stamp
	$(SWIFT) build -c release --product flowmap
	PYTHON=$(CURDIR)/$(VENV)/bin/python bench/watch.sh
$(VENV)/.bench-stamp: $(VENV)/.stamp
	$(VENV)/bin/pip install -q --disable-pip-version-check orjson==3.11.4
	touch $@
