#!/usr/bin/env bash
# Before/after of the Rasa process tuning (issue 18), same model, same machine:
# the whole system with RASA_TUNING=0, the turn bench's four loads (one visitor alone,
# then the three of issue 18), then the system restarted with the tuning on and the same
# loads printed beside the first ones.
# Usage: bench/ab_tuning.sh [duration s] [warm-up s]   (figures in var/bench-{off,on}.txt)
set -uo pipefail
cd "$(dirname "$0")/.."
duration=${1:-45}; warmup=${2:-10}
mkdir -p var
# Only the system this script started is stopped (run-all.sh stops its own servers on
# SIGTERM): other servers on the machine, a test suite's or a cluster's, are left alone.
system=""
stop() {
  if [ -n "$system" ]; then kill "$system" 2>/dev/null; wait "$system" 2>/dev/null; fi
  system=""; sleep 2
}
trap stop EXIT
for mode in off on; do
  stop
  if [ "$mode" = off ]; then tuning=0; compare=(); else tuning=1; compare=(--compare var/bench-off.json); fi
  RASA_TUNING=$tuning BENCH_TIMING=1 scripts/run-all.sh > "var/run-$mode.log" 2>&1 &
  system=$!
  echo ">> tuning $mode, $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
  .venv/bin/python bench/conversation_turns.py --url http://127.0.0.1:5005 --preset all \
    --duration "$duration" --warmup "$warmup" --json "var/bench-$mode.json" "${compare[@]}" \
    > "var/bench-$mode.txt" 2>&1
  echo ">> tuning $mode done, $(date -u +%H:%M:%S) UTC"
done
tail -11 var/bench-on.txt
