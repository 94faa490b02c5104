#!/usr/bin/env bash
# Start the embedded Neo4j test launcher in the background.
#   tools/neo4j/start.sh DATA_DIR URI_FILE [PORT]
# Builds the launcher if needed, starts it (logs: DATA_DIR/launcher.log, pid: DATA_DIR/launcher.pid),
# waits until Bolt is ready, writes bolt://127.0.0.1:PORT to URI_FILE and exits 0.
# PORT defaults to 0 (a free port is picked). Env:
#   NEO4J_LAUNCHER_JAVA_OPTS   JVM options (default: -Xms128m -Xmx1g ...; the plan cache of a test run holds hundreds of large plans)
#   NEO4J_LAUNCHER_TIMEOUT     seconds to wait for readiness (default 180)
#   NEO4J_LAUNCHER_PAGECACHE   page cache size (default 64m)
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 DATA_DIR URI_FILE [PORT]" >&2
  exit 2
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$HERE/target/neo4j-launcher.jar"
DATA_DIR="$1"
URI_FILE="$2"
PORT="${3:-0}"
TIMEOUT="${NEO4J_LAUNCHER_TIMEOUT:-180}"
PAGECACHE="${NEO4J_LAUNCHER_PAGECACHE:-64m}"
JAVA_OPTS="${NEO4J_LAUNCHER_JAVA_OPTS:--Xms128m -Xmx1g -XX:+ExitOnOutOfMemoryError -Dlog4j2.disable.jmx=true}"

case "$PORT" in
  ''|*[!0-9]*) echo "start.sh: PORT must be a number, got '$PORT'" >&2; exit 2 ;;
esac

# Build if the jar or its lib/ is missing or older than the sources.
if [ ! -f "$JAR" ] || [ ! -d "$HERE/target/lib" ] \
   || [ -n "$(find "$HERE/pom.xml" "$HERE/src" -newer "$JAR" -print -quit)" ]; then
  echo "start.sh: building neo4j launcher (mvn -q -B package)" >&2
  (cd "$HERE" && mvn -q -B package -DskipTests) >&2
  touch "$JAR"   # the jar plugin may leave an up-to-date jar untouched
fi

mkdir -p "$DATA_DIR"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"
LOG="$DATA_DIR/launcher.log"
PID_FILE="$DATA_DIR/launcher.pid"

if [ -f "$PID_FILE" ]; then
  old="$(cat "$PID_FILE" 2>/dev/null || true)"
  if [ -n "$old" ] && kill -0 "$old" 2>/dev/null \
     && tr '\0' ' ' <"/proc/$old/cmdline" 2>/dev/null | grep -q neo4j-launcher; then
    echo "start.sh: a launcher (pid $old) is already running on $DATA_DIR; run stop.sh first" >&2
    exit 1
  fi
  rm -f "$PID_FILE"
fi
rm -f "$URI_FILE"

# stdin from /dev/null would be an immediate EOF, so the stdin watch is turned off;
# the process runs until stop.sh (SIGTERM). stdout (the URI line) and stderr go to the log.
# shellcheck disable=SC2086
nohup java $JAVA_OPTS -jar "$JAR" --data "$DATA_DIR" --port "$PORT" \
  --pagecache "$PAGECACHE" --no-stdin-watch </dev/null >"$LOG" 2>&1 &
PID=$!
echo "$PID" >"$PID_FILE"

fail() {
  echo "start.sh: $1; last lines of $LOG:" >&2
  tail -n 40 "$LOG" >&2 || true
  exit 1
}

deadline=$((SECONDS + TIMEOUT))
while :; do
  uri="$(grep -m1 '^bolt://' "$LOG" 2>/dev/null || true)"
  if [ -n "$uri" ]; then
    printf '%s\n' "$uri" >"$URI_FILE.tmp.$$"
    mv -f "$URI_FILE.tmp.$$" "$URI_FILE"
    echo "start.sh: neo4j ready at $uri (pid $PID, data $DATA_DIR)" >&2
    exit 0
  fi
  if ! kill -0 "$PID" 2>/dev/null; then
    rm -f "$PID_FILE"
    fail "launcher exited before becoming ready"
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    kill -TERM "$PID" 2>/dev/null || true
    sleep 5
    kill -KILL "$PID" 2>/dev/null || true
    rm -f "$PID_FILE"
    fail "not ready after ${TIMEOUT}s"
  fi
  sleep 0.2
done
