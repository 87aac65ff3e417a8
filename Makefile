# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test install lint migrate messages bench-import bench-reports bench-workers bench-scale clean check-deploy drill drill-short two-hosts

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11 ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

## Serve the portal on http://127.0.0.1:$(PORT) with the demo district (seeded once).
run: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## The whole test suite on the embedded defaults (SQLite, eager Celery, local-memory cache), on every core
## (pytest-xdist: each worker its own test database and cache prefix), the 25 slowest tests listed.
## One worker: `make test JOBS=0`; only what failed last time: `.venv/bin/pytest --lf`.
JOBS ?= auto
test: install
	$(PY) -m pytest -n $(JOBS) --durations=25

## The formatter, the linter, the import contracts (one-way, acyclic) and the type checker.
lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

## Recompile the English catalogue after editing locale/en/LC_MESSAGES/django.po.
messages: install
	$(PY) manage.py makemessages -l en --no-obsolete -i ".venv/*" -i "var/*"
	$(PY) manage.py compilemessages -l en --ignore ".venv/*"

check-deploy: install
	DJANGO_ENV=production ALLOWED_HOSTS=portal.example \
		DATABASE_URL=postgres://portal@127.0.0.1:5432/portal REDIS_URL=redis://127.0.0.1:6379/0 \
		SECRET_KEY=$$($(PY) -c "import secrets; print(secrets.token_urlsafe(50))") \
		FIELD_ENCRYPTION_KEYS=$$($(PY) -c "import secrets; print(secrets.token_urlsafe(32))") \
		PERSONAL_DATA_HASH_KEY=$$($(PY) -c "import secrets; print(secrets.token_urlsafe(32))") \
		$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/portal.sqlite3* .pytest_cache

## Roster import speed (10,000 and 100,000 rows) against a plain bulk_create, on the configured database.
bench-import: migrate
	$(PY) manage.py bench_import --rows 10000
	$(PY) manage.py bench_import --rows 100000

## A month's ledgers (one process) and the dashboard uncached/cached, on the configured database and cache.
bench-reports: migrate
	$(PY) manage.py seed_demo
	DEBUG=false $(PY) manage.py bench_reports

## The fault drill: its own PostgreSQL, Redis, gunicorn, Celery worker and beat on loopback, broken on
## purpose (worker killed mid-run, Redis and PostgreSQL restarted, a web worker killed, the disk filled).
drill: install
	$(PY) ops/drill.py

drill-short: install
	$(PY) ops/drill.py --short

## Past one host: two gunicorn + Celery hosts behind PgBouncer (transaction mode), one Redis and a local S3
## server (moto); a sign-in and a photo on one host read on the other (needs pgbouncer: apt-get install pgbouncer).
two-hosts: install
	$(PY) ops/two_hosts.py

## Ledgers of 200 communities with 1, 2 and 4 worker processes (its own PostgreSQL and Redis): the speed-up.
bench-workers: install
	$(PY) ops/bench_workers.py

## Province scale (SCALE=150k or 500k): a province generated into its own PostgreSQL database (dropped
## afterwards), every screen and job timed beside the stock admin or the raw SQL; the table in docs/bench/.
SCALE ?= 500k
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
bench-scale: install
	psql "$(BENCH_PG)/postgres" -qc "DROP DATABASE IF EXISTS laoganbu_bench_$(SCALE)"
	psql "$(BENCH_PG)/postgres" -qc "CREATE DATABASE laoganbu_bench_$(SCALE)"
	DATABASE_URL=$(BENCH_PG)/laoganbu_bench_$(SCALE) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_PG)/laoganbu_bench_$(SCALE) MEDIA_ROOT=$$(mktemp -d) $(PY) manage.py bench_scale \
		--scale $(SCALE) --strict --json docs/bench/scale-$(SCALE).json; status=$$?; \
	psql "$(BENCH_PG)/postgres" -qc "DROP DATABASE IF EXISTS laoganbu_bench_$(SCALE)"; exit $$status
