#!/usr/bin/env bash
# Install biocap from an offline bundle (scripts/bundle.sh) into a venv, with no package index.
#
#   bash install-offline.sh [BUNDLE_DIR | BUNDLE.tar.gz] [--venv DIR]   (default venv: ~/biocap)
#
# Run from inside the bundle with no BUNDLE argument. pip is told --no-index: it reads only the
# bundle's wheels/ and never opens a connection. Then `DIR/bin/biocap serve` or `... score`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bundle="" venv="${BIOCAP_VENV:-$HOME/biocap}"
while [ $# -gt 0 ]; do
  case "$1" in
    --venv) venv="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) bundle="$1"; shift ;;
  esac
done
bundle="${bundle:-$here}"
if [ -f "$bundle" ]; then  # an archive: unpack it beside itself
  dir="$(dirname "$bundle")"
  name="$(tar -tzf "$bundle" | awk -F/ 'NR == 1 { print $1 }')"  # reads to the end: no SIGPIPE
  tar -xzf "$bundle" -C "$dir"
  bundle="$dir/$name"
fi
if ! ls "$bundle"/wheels/biocap-*.whl >/dev/null 2>&1; then
  echo "install-offline.sh: no wheels/biocap-*.whl under $bundle (build it with scripts/bundle.sh)" >&2
  exit 2
fi
(cd "$bundle/wheels" && sha256sum --quiet -c ../SHA256SUMS)  # a damaged copy stops here

py="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ] && ! "$py" -m venv "$venv"; then
  echo "install-offline.sh: '$py -m venv' failed; on Debian install python3-venv first" >&2
  exit 2
fi
version="$(basename "$bundle"/wheels/biocap-*.whl | cut -d- -f2)"
"$venv/bin/python" -m pip install -q --no-index --find-links "$bundle/wheels" "biocap==$version"
"$venv/bin/biocap" --help >/dev/null
echo "installed biocap $version: $venv/bin/biocap (serve | score | audit | bench)"
