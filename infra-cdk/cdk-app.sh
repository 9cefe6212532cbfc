#!/usr/bin/env bash
# Runs the CDK app (cdk.json's "app") on a JDK 21 or newer, whatever `java` comes first on PATH:
# $JAVA_HOME if it is 21+, else `java` on PATH if it is, else the newest JDK found in the usual places.
# Usage: bash cdk-app.sh <main class>   (the classpath comes from target/cdk-app.argfile, made by the build)
set -euo pipefail
cd "$(dirname "$0")"

major() { # the feature release of a java executable, 0 if it does not run
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p') || true
  v=${v#1.}
  echo "${v%%.*}" | grep -E '^[0-9]+$' || echo 0
}

candidates() {
  [ -n "${JAVA_HOME:-}" ] && echo "$JAVA_HOME/bin/java"
  command -v java 2>/dev/null || true
  ls -d /usr/lib/jvm/*/bin/java /usr/java/*/bin/java /opt/java/*/bin/java \
    /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java "$HOME"/.sdkman/candidates/java/*/bin/java 2>/dev/null | sort -rV || true
}

tried=()
java=
while IFS= read -r candidate; do
  [ -x "$candidate" ] || continue
  m=$(major "$candidate")
  if [ "$m" -ge 21 ]; then java=$candidate; break; fi
  tried+=("$candidate (Java $m)")
done < <(candidates)

if [ -z "$java" ]; then
  echo "error: the CDK app needs Java 21 or newer, and none was found." >&2
  [ ${#tried[@]} -gt 0 ] && printf '  found: %s\n' "${tried[@]}" >&2
  echo "  Install a JDK 21+ and set JAVA_HOME to it, e.g. JAVA_HOME=/usr/lib/jvm/temurin-21-jdk-amd64 npx cdk synth" >&2
  exit 1
fi
if [ ! -f target/cdk-app.argfile ]; then
  echo "error: target/cdk-app.argfile is missing: run \`./mvnw -B -ntp -pl infra-cdk test-compile\` at the repository root first." >&2
  exit 1
fi
exec "$java" @target/cdk-app.argfile "$@"
