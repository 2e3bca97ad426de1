# Embedded defaults shared by the scripts (sourced). Override in the environment or .env.
if [ -f .env ]; then set -a; source .env; set +a; fi
export RASA_TELEMETRY_ENABLED=false
export SANIC_HOST=127.0.0.1
export RASA_PORT="${RASA_PORT:-5005}"
export ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export WEB_PORT="${WEB_PORT:-8080}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTIONS_PORT}/webhook}"
mkdir -p var
export TRACKER_STORE_DB="${TRACKER_STORE_DB:-$PWD/var/tracker.sqlite3}"
# A database URL for the tracker store (PostgreSQL); empty = the SQLite file above.
export TRACKER_STORE_URL="${TRACKER_STORE_URL:-}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
# Rasa's HTTP API (used by the web app to record widget interactions) needs a token:
# one is generated once in var/ unless RASA_API_TOKEN is set.
if [ -z "${RASA_API_TOKEN:-}" ]; then
  [ -s var/rasa-api.token ] || (umask 077; head -c 24 /dev/urandom | base64 | tr '+/' '-_' > var/rasa-api.token)
  RASA_API_TOKEN="$(cat var/rasa-api.token)"
fi
export RASA_API_TOKEN
# Origins allowed to open the widget's socket.io connection (space-separated).
export RASA_CORS="${RASA_CORS:-http://127.0.0.1:${WEB_PORT} http://localhost:${WEB_PORT}}"
