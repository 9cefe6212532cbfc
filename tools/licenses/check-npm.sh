#!/usr/bin/env bash
# The npm licence gate (licenses/README.md): fails when a package installed under <dir>/node_modules
# (every dependency, dev ones included) has no licence of licenses/allowed-licenses.txt.
# Reviewed corrections come from the npm-- entries of licenses/exceptions.properties.
# The checker (license-checker-rseidelsohn) is installed beside this script from its own
# package-lock.json with npm ci, once per lockfile change.
# Usage: check-npm.sh <dir-holding-package.json-and-node_modules>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tree="$(cd "${1:?usage: check-npm.sh <dir>}" && pwd)"
checker="$here/node_modules/.bin/license-checker-rseidelsohn"
stamp="$here/node_modules/.sluice-package-lock.json"

install_checker() {
  if [ -x "$checker" ] && [ -f "$stamp" ] && cmp -s "$here/package-lock.json" "$stamp"; then
    return 0
  fi
  (cd "$here" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  cp "$here/package-lock.json" "$stamp"
}
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/sluice-licence-tools.lock"
  flock 9
  install_checker
  flock -u 9
else
  install_checker
fi

if [ ! -d "$tree/node_modules" ]; then
  echo "npm licence gate: $tree/node_modules is missing: run npm ci there first" >&2
  exit 1
fi

allowed="$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$root/licenses/allowed-licenses.txt" | grep -v '^$' | paste -sd ';' -)"
# the checker reports every public-domain dedication as "Public Domain", never as the list's id
if grep -qx 'Public-Domain' <<<"${allowed//;/$'\n'}"; then
  allowed="$allowed;Public Domain"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# npm--name--version=SPDX expression  ->  {"name@version": {"licenses": "SPDX expression"}}
node - "$root/licenses/exceptions.properties" > "$work/clarifications.json" <<'JS'
const fs = require('fs');
const out = {};
for (const raw of fs.readFileSync(process.argv[2], 'utf8').split('\n')) {
  const line = raw.trim();
  if (!line.startsWith('npm--')) continue;
  const eq = line.indexOf('=');
  const key = line.slice('npm--'.length, eq);
  const cut = key.lastIndexOf('--');
  out[`${key.slice(0, cut)}@${key.slice(cut + 2)}`] = { licenses: line.slice(eq + 1).trim() };
}
process.stdout.write(JSON.stringify(out, null, 2));
JS

fail() {
  echo "npm licence gate FAILED for $tree: $1" >&2
  echo "  Allowed: licenses/allowed-licenses.txt. A package whose metadata is wrong may get a reviewed" >&2
  echo "  npm-- entry in licenses/exceptions.properties (see licenses/README.md)." >&2
  exit 1
}

# --onlyAllow: the checker exits 1 naming the first package none of whose licences is allowed
"$checker" --start "$tree" --excludePrivatePackages --clarificationsFile "$work/clarifications.json" \
    --onlyAllow "$allowed" --json --out "$work/report.json" >/dev/null \
  || fail "a package's licence is not on the allow-list (named above)"

# --onlyAllow accepts a licence string that merely contains an allowed name, so a conjunction such
# as "(GPL-3.0 AND MIT)" would pass: such packages need a review and an exceptions entry.
node - "$work/report.json" <<'JS' || fail "a package's licence is a conjunction (AND) that needs a review"
const report = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const bad = Object.entries(report).filter(([, p]) => /\sAND\s/i.test(String(p.licenses)));
for (const [name, p] of bad) console.error(`Package "${name}" is licensed under "${p.licenses}" (all of them apply)`);
const counts = {};
for (const p of Object.values(report)) counts[p.licenses] = (counts[p.licenses] || 0) + 1;
if (bad.length === 0) {
  console.log(`npm licence gate: ${Object.keys(report).length} packages OK ` +
    Object.entries(counts).map(([l, n]) => `${l}: ${n}`).join(', '));
}
process.exit(bad.length ? 1 : 0);
JS
