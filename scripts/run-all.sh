#!/usr/bin/env bash
# Starts the whole system on 127.0.0.1: action server (5055), Rasa (5005) and, when
# present, the web app (8080). Trains the model first when the data changed.
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

scripts/train.sh

# The origins are space-separated: split into words without glob expansion (an
# unquoted $RASA_CORS turned "*" into the names of the files in the working directory).
read -r -a cors_origins <<< "$RASA_CORS"

# Each process's output also goes to var/log/NAME-YYYY-MM-DD.log, kept 30 days at most.
source scripts/logs.sh
prune_logs
prune_logs_hourly
pruner=$!

pids=()
cleanup() {
  for p in "${pids[@]}" "$pruner"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null
}
trap cleanup EXIT INT TERM

echo ">> Serveur d'actions : http://127.0.0.1:${ACTIONS_PORT}"
.venv/bin/rasa run actions --actions bot.actions --port "$ACTIONS_PORT" > >(log_to actions) 2>&1 &
pids+=($!)
echo ">> Serveur Rasa : http://127.0.0.1:${RASA_PORT} (REST : /webhooks/rest/webhook, socket.io)"
.venv/bin/rasa run --model bot/models --endpoints endpoints.yml --credentials credentials.yml \
  --interface 127.0.0.1 --port "$RASA_PORT" --enable-api --auth-token "$RASA_API_TOKEN" \
  --cors "${cors_origins[@]}" > >(log_to rasa) 2>&1 &
pids+=($!)
if [ -f webapp/__main__.py ]; then
  echo ">> Application web : http://127.0.0.1:${WEB_PORT}/"
  .venv/bin/python -m webapp --port "$WEB_PORT" > >(log_to web) 2>&1 &
  pids+=($!)
fi
wait -n "${pids[@]}"
