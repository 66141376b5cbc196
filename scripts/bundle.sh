#!/usr/bin/env bash
# Build an offline install bundle: one folder (or .tar.gz) holding every wheel that biocap's
# service and CLI need, biocap's own wheel (with the model files inside), install-offline.sh,
# SHA256SUMS and BUNDLE.txt. Needs the package index here, once; the laptop that installs it never.
#
#   scripts/bundle.sh [--out DIR] [--archive]
#       for this machine: the Python running it ($PYTHON, else .venv/bin/python, else python3)
#   scripts/bundle.sh --target windows|linux-x86_64|linux-aarch64 [--python 3.11] [--glibc 2.28]
#       for another laptop: binary wheels only, resolved for that platform by uv (pip evaluates
#       environment markers such as sys_platform for the machine it runs on, pypa/pip#11664).
#       Every dependency needs a published wheel for the target: wsq has win_amd64 and
#       x86_64 Linux wheels but none for aarch64, so build an ARM bundle on an ARM machine.
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."

py="${PYTHON:-}"
if [ -z "$py" ]; then
  if [ -x .venv/bin/python ]; then py=.venv/bin/python; else py=python3; fi
fi
out="" archive=0 target="" pyver="" glibc="2.28"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; [ "${out#/}" = "$out" ] && out="$caller/$out"; shift 2 ;;
    --archive) archive=1; shift ;;
    --target) target="$2"; shift 2 ;;
    --python) pyver="$2"; shift 2 ;;
    --glibc) glibc="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "bundle.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

version=$("$py" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
host_py=$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
pyver="${pyver:-$host_py}"
cp="cp${pyver/./}"

if [ -z "$target" ]; then
  platform=$("$py" -c 'import sysconfig; print(sysconfig.get_platform().replace("-", "_").replace(".", "_"))')
  if [ "$pyver" != "$host_py" ]; then
    echo "bundle.sh: --python $pyver needs --target (this interpreter is $host_py)" >&2; exit 2
  fi
else
  case "$target" in
    windows) uv_platform=x86_64-pc-windows-msvc; platform=win_amd64 ;;
    linux-x86_64|linux-aarch64)
      arch="${target#linux-}"; uv_platform="${arch}-manylinux_${glibc/./_}"; platform="manylinux_${glibc/./_}_${arch}" ;;
    *) echo "bundle.sh: --target must be windows, linux-x86_64 or linux-aarch64" >&2; exit 2 ;;
  esac
fi
dest="${out:-dist/biocap-offline-$version-$cp-$platform}"
rm -rf "$dest"
mkdir -p "$dest/wheels"

# biocap itself: pure Python, the models ride in it as data files (share/biocap/models). Built
# from a copy, so setuptools' build/ and egg-info stay out of the checkout.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -c --exclude=__pycache__ pyproject.toml README.md biocap api models | tar -x -C "$work"
"$py" -m pip wheel -q --no-deps --wheel-dir "$dest/wheels" "$work"
wheel=$(ls "$dest"/wheels/biocap-"$version"-*.whl)

if [ -z "$target" ]; then
  # every dependency as a wheel for this interpreter (a dependency published only as a source
  # archive is built into a wheel here, so the laptop needs no compiler)
  "$py" -m pip wheel -q --wheel-dir "$dest/wheels" "$wheel"
else
  uv="$(command -v uv || true)"
  if [ -z "$uv" ]; then  # uv from the index, in a throw-away venv
    "$py" -m venv "$work/tools"
    "$work/tools/bin/python" -m pip install -q uv
    uv="$work/tools/bin/uv"
  fi
  reqs="$dest/requirements.txt"
  "$uv" pip compile -q "$work/pyproject.toml" --python-platform "$uv_platform" --python-version "$pyver" \
    --no-header --no-annotate -o "$reqs"
  platforms=(--platform "$platform")
  if [ "${target#linux-}" != "$target" ]; then  # every manylinux tag up to the target's glibc
    minor="${glibc#*.}"
    for m in $(seq 5 "$minor"); do platforms+=(--platform "manylinux_2_${m}_${arch}"); done
    platforms+=(--platform "manylinux2014_${arch}" --platform "manylinux2010_${arch}" --platform "manylinux1_${arch}")
  fi
  "$py" -m pip download -q --no-deps --only-binary=:all: --python-version "$pyver" \
    --implementation cp --abi "$cp" --abi abi3 --abi none "${platforms[@]}" \
    --dest "$dest/wheels" -r "$reqs"
fi

cp scripts/install-offline.sh "$dest/"
(cd "$dest/wheels" && sha256sum -- *.whl) > "$dest/SHA256SUMS"
{
  echo "biocap $version offline bundle"
  echo "python: $cp   platform: $platform   built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "install (Linux): bash install-offline.sh [--venv DIR]"
  echo "install (Windows): py -$pyver -m venv biocap-env && biocap-env\\Scripts\\python -m pip install --no-index --find-links wheels biocap==$version"
  echo "wheels:"
  (cd "$dest/wheels" && ls -- *.whl | sed 's/^/  /')
} > "$dest/BUNDLE.txt"

if [ "$archive" = 1 ]; then
  tar -czf "$dest.tar.gz" -C "$(dirname "$dest")" "$(basename "$dest")"
  echo "$dest.tar.gz"
else
  echo "$dest"
fi
