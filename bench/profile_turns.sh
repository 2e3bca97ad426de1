#!/usr/bin/env bash
# Profiles the Rasa process and the action server under the bench's load (issue 18):
# py-spy samples both (running, non-idle threads, by function) while
# bench/conversation_turns.py runs against the system started by `make run`, then prints
# the top functions of each by own and cumulative time.
#
#   bench/profile_turns.sh [visitors (20)] [think time s (0)] [seconds (30)]
#
# The collapsed stacks stay in var/profile/ (`py-spy record --format raw`; open them with
# speedscope or flamegraph.pl, or reprint: bench/collapsed_stacks.py FILE --top 40).
set -euo pipefail
cd "$(dirname "$0")/.."
visitors="${1:-20}" think="${2:-0}" seconds="${3:-30}" warmup=5
rasa_port="${RASA_PORT:-5005}" actions_port="${ACTIONS_PORT:-5055}"
py=.venv/bin/python
pid_on() { $py -c "import sys; from bench.turn_load import pids_listening as p; \
print(' '.join(map(str, p(int(sys.argv[1])))))" "$1"; }
rasa_pid="$(pid_on "$rasa_port" | cut -d' ' -f1)"
actions_pid="$(pid_on "$actions_port" | cut -d' ' -f1)"
if [ -z "$rasa_pid" ] || [ -z "$actions_pid" ]; then
  echo "Rasa ($rasa_port) ou le serveur d'actions ($actions_port) n'écoute pas : make run d'abord" >&2
  exit 1
fi
out=var/profile; mkdir -p "$out"; stamp="$(date -u +%Y%m%dT%H%M%SZ)"
$py bench/conversation_turns.py --url "http://127.0.0.1:${rasa_port}" --visitors "$visitors" \
  --think "$think" --warmup "$warmup" --duration "$seconds" &
bench=$!
sleep "$warmup"
spy() { .venv/bin/py-spy record --pid "$1" --duration "$((seconds - 2))" --rate 100 --function \
  --nonblocking --format raw --output "$out/$2-$stamp.txt" >/dev/null 2>"$out/$2-$stamp.log"; }
spy "$rasa_pid" rasa & rasa_spy=$!
spy "$actions_pid" actions & actions_spy=$!
wait "$rasa_spy" "$actions_spy" "$bench"
for role in rasa actions; do
  echo; echo "== $role : $out/$role-$stamp.txt =="
  $py bench/collapsed_stacks.py "$out/$role-$stamp.txt" --top 25
done
