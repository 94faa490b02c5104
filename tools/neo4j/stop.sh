#!/usr/bin/env bash
# Stop a launcher started by start.sh: tools/neo4j/stop.sh DATA_DIR
# Sends SIGTERM (Neo4j shuts down cleanly in a shutdown hook) and waits for the process to exit;
# after NEO4J_LAUNCHER_STOP_TIMEOUT seconds (default 60) it is killed and stop.sh exits 1.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 DATA_DIR" >&2
  exit 2
fi
DATA_DIR="$1"
PID_FILE="$DATA_DIR/launcher.pid"
LOG="$DATA_DIR/launcher.log"
TIMEOUT="${NEO4J_LAUNCHER_STOP_TIMEOUT:-60}"

if [ ! -f "$PID_FILE" ]; then
  echo "stop.sh: no $PID_FILE; nothing to stop" >&2
  exit 0
fi
PID="$(cat "$PID_FILE")"
if ! kill -0 "$PID" 2>/dev/null; then
  echo "stop.sh: pid $PID is not running" >&2
  rm -f "$PID_FILE"
  exit 0
fi
if ! tr '\0' ' ' <"/proc/$PID/cmdline" 2>/dev/null | grep -q neo4j-launcher; then
  echo "stop.sh: pid $PID is not a neo4j launcher; leaving it alone" >&2
  rm -f "$PID_FILE"
  exit 1
fi

kill -TERM "$PID"
deadline=$((SECONDS + TIMEOUT))
while kill -0 "$PID" 2>/dev/null; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "stop.sh: pid $PID still running after ${TIMEOUT}s; killing it" >&2
    kill -KILL "$PID" 2>/dev/null || true
    rm -f "$PID_FILE"
    tail -n 20 "$LOG" >&2 || true
    exit 1
  fi
  sleep 0.2
done
rm -f "$PID_FILE"
if grep -q 'neo4j-launcher: shutdown complete' "$LOG" 2>/dev/null; then
  echo "stop.sh: neo4j stopped cleanly" >&2
else
  echo "stop.sh: process exited but no clean-shutdown line in $LOG" >&2
  tail -n 20 "$LOG" >&2 || true
  exit 1
fi
