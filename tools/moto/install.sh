#!/usr/bin/env bash
# Creates (or refreshes) the Python virtual environment that runs moto's server, from the pinned
# requirements beside this script, and installs serve.py as bin/sluice-moto-server (moto with
# serialised request handling: see serve.py). Idempotent: a venv whose stamp matches is kept.
# Usage: install.sh <venv-dir>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:?usage: install.sh <venv-dir>}"
requirements="$here/requirements.txt"
stamp="$venv/.sluice-requirements"

install_launcher() {
  { echo "#!$venv/bin/python"; cat "$here/serve.py"; } > "$venv/bin/sluice-moto-server.tmp"
  chmod +x "$venv/bin/sluice-moto-server.tmp"
  mv -f "$venv/bin/sluice-moto-server.tmp" "$venv/bin/sluice-moto-server"
}

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && cmp -s "$requirements" "$stamp"; then
  install_launcher
  exit 0
fi

python="${SLUICE_PYTHON:-}"
if [ -z "$python" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
        && "$candidate" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null; then
      python="$candidate"; break
    fi
  done
fi
if [ -z "$python" ]; then
  echo "moto: no Python >= 3.9 with venv and ensurepip found (Debian: apt-get install python3-venv); set SLUICE_PYTHON" >&2
  exit 1
fi

rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
install_launcher
cp "$requirements" "$stamp"
echo "moto: installed $("$venv/bin/python" -m pip show moto 2>/dev/null | sed -n 's/^Version: //p') into $venv"
