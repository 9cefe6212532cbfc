#!/usr/bin/env bash
# The Python licence gate (licenses/README.md): fails, naming the package, when a distribution
# installed in <venv-dir> has no licence of licenses/allowed-licenses.txt (or one of its spellings
# in licenses/license-names.txt). Reviewed exceptions: the pypi-- entries of
# licenses/exceptions.properties, each for one exact version.
# The checker (pip-licenses, pinned in requirements-python.txt beside this script) lives in a venv
# of its own, made once per requirements change; SLUICE_LICENCE_TOOLS_VENV overrides its place.
# Usage: check-python.sh <venv-dir>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$(cd "${1:?usage: check-python.sh <venv-dir>}" && pwd)"
python="$venv/bin/python"
[ -x "$python" ] || { echo "Python licence gate: $python is missing" >&2; exit 1; }
tools="${SLUICE_LICENCE_TOOLS_VENV:-$root/target/licence-tools}"
requirements="$here/requirements-python.txt"
stamp="$tools/.sluice-requirements"

if ! { [ -x "$tools/bin/pip-licenses" ] && [ -f "$stamp" ] && cmp -s "$requirements" "$stamp"; }; then
  rm -rf "$tools"
  # the checked venv's own interpreter makes the tool venv: no second Python has to be found
  "$python" -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
  cp "$requirements" "$stamp"
fi

# allowed: every SPDX id of allowed-licenses.txt, and each spelling of it in license-names.txt
allowed="$("$tools/bin/python" - "$root/licenses/allowed-licenses.txt" "$root/licenses/license-names.txt" <<'PY'
import sys
def entries(path):
    with open(path, encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and not l.lstrip().startswith("#")]
allowed = entries(sys.argv[1])
names = list(allowed)
for line in entries(sys.argv[2]):
    spellings = [s.strip() for s in line.split("|")]
    if spellings[0] in allowed:
        names += spellings[1:]
print(";".join(names))
PY
)"
# pypi--name--version=... entries: reviewed, so left out of the check (name:version, exact)
ignored=()
while IFS= read -r line; do
  key="${line%%=*}"; key="${key#pypi--}"
  ignored+=("${key%--*}:${key##*--}")
done < <(grep -E '^[[:space:]]*pypi--' "$root/licenses/exceptions.properties" | sed 's/^[[:space:]]*//' || true)

report="$(mktemp)"
trap 'rm -f "$report"' EXIT
if ! "$tools/bin/pip-licenses" --python "$python" --with-system --from=mixed \
    --allow-only "$allowed" ${ignored[@]+--ignore-packages "${ignored[@]}"} \
    --format=json --output-file "$report" >/dev/null; then
  echo "Python licence gate FAILED for $venv: the package named above has no licence of" >&2
  echo "  licenses/allowed-licenses.txt. A package whose metadata is wrong may get a reviewed pypi--" >&2
  echo "  entry in licenses/exceptions.properties (see licenses/README.md)." >&2
  exit 1
fi
count="$("$tools/bin/python" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$report")"
echo "Python licence gate: $count distributions in $venv OK, ${#ignored[@]} more by reviewed exceptions"
