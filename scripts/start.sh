#!/usr/bin/env bash
# Install what biocap needs (first run only) and run it: scripts/start.sh score PATH... [options]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/bootstrap.sh"
exec "$here/.venv/bin/biocap" "$@"
