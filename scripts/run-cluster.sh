#!/usr/bin/env bash
# The several-servers layout on this machine (issue 19, `make run-cluster`; README
# « Plusieurs serveurs »): PostgreSQL (knowledge base, tracker store), Redis (Rasa's lock
# store, the shared state), RabbitMQ (Rasa's event broker) must answer; starts
# ACTIONS_INSTANCES action servers and RASA_INSTANCES Rasa servers behind HAProxy (on
# RASA_PORT and ACTIONS_PORT, where `make run` puts Rasa and the action server), the
# analytics consumer and the web app. A server that stops is started again
# (CLUSTER_RESTART=0: not). Ctrl-C stops everything.
#   --no-train   use the model as it is (tests/cluster/)
set -euo pipefail
cd "$(dirname "$0")/.."
train=1
for arg in "$@"; do
  case "$arg" in
    --no-train) train=0 ;;
    *) echo "!! Option inconnue : $arg (seule --no-train existe)" >&2; exit 2 ;;
  esac
done
source scripts/env.sh

# ---- variables (defaults; README « Plusieurs serveurs »)
RASA_INSTANCES="${RASA_INSTANCES:-2}"
ACTIONS_INSTANCES="${ACTIONS_INSTANCES:-2}"
RASA_FIRST_PORT="${RASA_FIRST_PORT:-5101}"        # Rasa servers: 5101, 5102…
ACTIONS_FIRST_PORT="${ACTIONS_FIRST_PORT:-5151}"  # action servers: 5151, 5152…
HAPROXY_STATS_PORT="${HAPROXY_STATS_PORT-8404}"   # empty: no statistics page
CLUSTER_DIR="${CLUSTER_DIR:-var/cluster}"         # HAProxy's configuration, pid files
CLUSTER_RESTART="${CLUSTER_RESTART:-1}"
POSTGRES_URL="${POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export RABBITMQ_URL="${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/}"
export RABBITMQ_QUEUE="${RABBITMQ_QUEUE:-rasa_core_events}"
export RABBITMQ_EXCHANGE="${RABBITMQ_EXCHANGE:-rasa-exchange}"
# A Rasa server killed while answering leaves its ticket lock in Redis: the next message
# of that conversation waits until it expires (Rasa's default: 60 s).
export TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-5}"
# PostgreSQL for both bases: a SQLite file (`make run`'s) is not shared by several servers.
case "${KNOWLEDGE_DATABASE_URL:-}" in
  postgres*) ;;
  *) export KNOWLEDGE_DATABASE_URL="$POSTGRES_URL/mormal_knowledge" ;;
esac
case "${TRACKER_STORE_URL:-}" in
  postgres*) ;;
  *) export TRACKER_STORE_URL="$POSTGRES_URL/mormal_conversations" ;;
esac
# The web app reaches Rasa's HTTP API through the balancer, which sends each
# conversation's calls to the server that holds it.
export RASA_INTERNAL_URL="${RASA_INTERNAL_URL:-http://127.0.0.1:${RASA_PORT}}"

for n in RASA_INSTANCES ACTIONS_INSTANCES RASA_FIRST_PORT ACTIONS_FIRST_PORT; do
  if ! [[ "${!n}" =~ ^[1-9][0-9]*$ ]]; then
    echo "!! $n doit être un nombre entier positif (reçu : « ${!n} »)." >&2; exit 2
  fi
done
haproxy_bin="$(command -v haproxy || echo /usr/sbin/haproxy)"
if ! [ -x "$haproxy_bin" ]; then
  echo "!! HAProxy n'est pas installé : « sudo apt-get install haproxy » (paquet Debian)," \
       "ou scripts/ensure-services.sh qui l'installe." >&2
  exit 1
fi

# ---- services, bases, model
scripts/check-services.sh
.venv/bin/python scripts/cluster.py databases
.venv/bin/python -m knowledge init
eval "$(.venv/bin/python scripts/cluster.py stores --redis-url "$REDIS_URL" \
        --rabbitmq-url "$RABBITMQ_URL")"
if [ "$train" = 1 ]; then scripts/train.sh; fi
if ! [ -f bot/models/famille.tar.gz ]; then
  echo "!! Modèle absent (bot/models/famille.tar.gz) : lancez « make train »." >&2; exit 1
fi

# ---- the balancer's configuration
mkdir -p "$CLUSTER_DIR"
CLUSTER_DIR="$(cd "$CLUSTER_DIR" && pwd)"
rasa_servers=(); actions_servers=()
for ((i = 0; i < RASA_INSTANCES; i++)); do rasa_servers+=("127.0.0.1:$((RASA_FIRST_PORT + i))"); done
for ((i = 0; i < ACTIONS_INSTANCES; i++)); do actions_servers+=("127.0.0.1:$((ACTIONS_FIRST_PORT + i))"); done
stats=()
if [ -n "$HAPROXY_STATS_PORT" ]; then stats=(--stats "127.0.0.1:$HAPROXY_STATS_PORT"); fi
.venv/bin/python scripts/cluster.py haproxy --listen "127.0.0.1:$RASA_PORT" \
  --rasa "${rasa_servers[@]}" --actions-listen "127.0.0.1:$ACTIONS_PORT" \
  --actions "${actions_servers[@]}" "${stats[@]}" --socket "$CLUSTER_DIR/haproxy.sock" \
  > "$CLUSTER_DIR/haproxy.cfg"
"$haproxy_bin" -c -q -f "$CLUSTER_DIR/haproxy.cfg"

read -r -a cors_origins <<< "$RASA_CORS"
source scripts/logs.sh
prune_logs
prune_logs_hourly
pruner=$!

# ---- the processes: name → command; each one's output to var/log/NAME-DAY.log
declare -A pid_of=() name_of=() started_at=()
start() {  # name
  local name="$1" port
  case "$name" in
    rasa-*)
      port=$((RASA_FIRST_PORT + ${name#rasa-} - 1))
      .venv/bin/rasa run --model bot/models --endpoints docs/endpoints.cluster.yml \
        --credentials credentials.yml --interface 127.0.0.1 --port "$port" --enable-api \
        --auth-token "$RASA_API_TOKEN" --cors "${cors_origins[@]}" > >(log_to "$name") 2>&1 & ;;
    actions-*)
      port=$((ACTIONS_FIRST_PORT + ${name#actions-} - 1))
      .venv/bin/rasa run actions --actions bot.actions --port "$port" > >(log_to "$name") 2>&1 & ;;
    haproxy)
      "$haproxy_bin" -db -f "$CLUSTER_DIR/haproxy.cfg" > >(log_to haproxy) 2>&1 & ;;
    analytics)
      .venv/bin/python -m analytics consume --exchange "$RABBITMQ_EXCHANGE" > >(log_to analytics) 2>&1 & ;;
    web)
      .venv/bin/python -m webapp --port "$WEB_PORT" > >(log_to web) 2>&1 & ;;
  esac
  pid_of[$name]=$!
  name_of[$!]=$name
  started_at[$name]=$SECONDS
  echo "$!" > "$CLUSTER_DIR/$name.pid"
}

stopping=0
cleanup() {
  stopping=1
  local p
  for p in "${pid_of[@]}" "$pruner"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$CLUSTER_DIR"/*.pid
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

names=(haproxy)
for ((i = 1; i <= ACTIONS_INSTANCES; i++)); do names+=("actions-$i"); done
for ((i = 1; i <= RASA_INSTANCES; i++)); do names+=("rasa-$i"); done
names+=(analytics web)
for name in "${names[@]}"; do start "$name"; done

echo ">> Répartiteur HAProxy : http://127.0.0.1:${RASA_PORT} (REST, socket.io, webhooks)" \
     "devant ${RASA_INSTANCES} serveurs Rasa (${rasa_servers[*]})"
echo ">> Serveurs d'actions : ${actions_servers[*]}, via http://127.0.0.1:${ACTIONS_PORT}"
if [ -n "$HAPROXY_STATS_PORT" ]; then
  echo ">> État des serveurs : http://127.0.0.1:${HAPROXY_STATS_PORT}/"
fi
echo ">> Application web : http://127.0.0.1:${WEB_PORT}/ ; consommateur d'analyse : file ${RABBITMQ_QUEUE}"
echo ">> Les serveurs Rasa chargent le modèle (30 à 60 s chacun) ; Ctrl-C arrête tout."

# ---- supervision: a process that stops is started again after 2 s, unless it keeps
# stopping (5 times in a row within 30 s of its start): then everything stops.
declare -A quick_failures=()
while [ "$stopping" = 0 ]; do
  ended=""
  status=0
  wait -n -p ended "${pid_of[@]}" 2>/dev/null || status=$?
  if [ -z "${ended}" ] || [ -z "${name_of[$ended]:-}" ]; then
    # Several ended at once: bash has already collected the others (no status left).
    ended=""
    status="?"
    for name in "${!pid_of[@]}"; do
      if ! kill -0 "${pid_of[$name]}" 2>/dev/null; then ended="${pid_of[$name]}"; break; fi
    done
    if [ -z "$ended" ]; then sleep 1; continue; fi
  fi
  name="${name_of[$ended]}"
  unset "name_of[$ended]"
  echo "!! $name (pid $ended) s'est arrêté (code $status)." >&2
  if [ "$CLUSTER_RESTART" != 1 ]; then
    unset "pid_of[$name]"
    rm -f "$CLUSTER_DIR/$name.pid"
    if [ "${#pid_of[@]}" -eq 0 ]; then
      echo "!! Plus aucun processus : arrêt." >&2
      exit 1
    fi
    continue
  fi
  failures="${quick_failures[$name]:-0}"
  if (( SECONDS - ${started_at[$name]} < 30 )); then failures=$((failures + 1)); else failures=0; fi
  quick_failures[$name]=$failures
  if (( failures >= 5 )); then
    echo "!! $name s'arrête sans cesse : arrêt de tout (voir $LOG_DIR/$name-*.log)." >&2
    exit 1
  fi
  sleep 2
  echo ">> Redémarrage de $name" >&2
  start "$name"
done
