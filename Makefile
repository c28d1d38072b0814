# The two commands a newcomer needs: `make demo` and `make test`.
.PHONY: setup demo test test-fast lint bench

# The suite in two worker processes (pytest-xdist); idle workers take tests queued for the
# other, so the long ones (the scaled stack, simulations, the demo) do not leave one waiting.
PARALLEL = -n 2 --dist worksteal

setup:
	@scripts/setup.sh

demo: setup
	.venv/bin/campaign validate examples/hubei-2007.yaml
	.venv/bin/campaign demo

test:
	@scripts/setup.sh --system
	.venv/bin/ruff check .
	.venv/bin/mypy campaign models flows deployments
	.venv/bin/pytest $(PARALLEL)

test-fast: setup
	.venv/bin/pytest $(PARALLEL) -q -m "not postgres and not prefect and not browser and not libreoffice and not stack"

lint: setup
	.venv/bin/ruff check .
	.venv/bin/mypy campaign models flows deployments

# Every benchmark and the simulated campaigns (long; see bench/README.md). QUICK=1: no 3,000-unit run.
bench: setup
	.venv/bin/python -m bench $(if $(QUICK),--quick)
