#!/usr/bin/env bash
# Create .venv and install biocap into it, with the extras named in $1 (e.g. "test").
# Works on a bare Debian 12 + Python 3.11: installs python3-venv with apt when venv is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
py="${PYTHON:-python3}"

if [ ! -x .venv/bin/python ]; then
  if ! "$py" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    echo "bootstrap: '$py -m venv' is unavailable; installing python3-venv" >&2
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
    "$py" -m venv .venv
  fi
fi

spec="."
[ -n "$extras" ] && spec=".[$extras]"
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-12)-${extras:-base}"
if [ ! -e "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e "$spec"
  touch "$stamp"
fi
