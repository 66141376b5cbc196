#!/usr/bin/env bash
# Install biocap with its test tools (first run only), lint, and run the test suite.
# Extra arguments go to pytest. This is the command CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
# The operator-page test drives Debian's headless chromium (tests/api/test_page.py).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo -n"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      $sudo apt-get install -y -qq chromium chromium-driver >/dev/null; } 2>/dev/null \
    || echo "test.sh: could not install chromium/chromium-driver; the browser test will skip" >&2
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
