#!/usr/bin/env bash
# Install biocap with its test tools (first run only), lint, and run the test suite.
# Extra arguments go to pytest. This is the command CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
