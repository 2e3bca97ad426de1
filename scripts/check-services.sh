#!/usr/bin/env bash
# Checks that the servers of the several-servers layout (issue 19) answer: PostgreSQL,
# Redis and RabbitMQ, at the URLs given in the environment (KNOWLEDGE_DATABASE_URL and
# TRACKER_STORE_URL when they are PostgreSQL URLs, REDIS_URL, RABBITMQ_URL or
# RABBITMQ_HOST) or else on 127.0.0.1 (5432, 6379, 5672). Says in French which one is
# missing and exits with status 1; never prints a password.
set -uo pipefail

# host:port of a URL (scheme://user:password@host:port/path?query), or of a bare host.
host_port() {
  local rest="${1#*://}" default_port="$2"
  rest="${rest##*@}"
  rest="${rest%%/*}"
  rest="${rest%%\?*}"
  if [[ "$rest" == *:* ]]; then echo "$rest"; else echo "${rest:-127.0.0.1}:$default_port"; fi
}

reachable() {  # host:port
  timeout 3 bash -c "exec 3<>/dev/tcp/${1%:*}/${1##*:}" 2>/dev/null
}

missing=0
check() {  # name, host:port, where the address comes from
  if reachable "$2"; then
    echo "OK : $1 répond sur $2 ($3)."
  else
    echo "!! $1 injoignable sur $2 ($3) : démarrez-le, ou corrigez l'adresse." >&2
    missing=$((missing + 1))
  fi
}

postgres=()
for var in KNOWLEDGE_DATABASE_URL TRACKER_STORE_URL; do
  url="${!var:-}"
  if [[ "$url" == postgresql* || "$url" == postgres:* ]]; then
    postgres+=("$(host_port "$url" 5432)|$var")
  fi
done
[ ${#postgres[@]} -eq 0 ] && postgres=("127.0.0.1:5432|par défaut")
seen=""
for entry in "${postgres[@]}"; do
  address="${entry%%|*}"
  case " $seen " in *" $address "*) continue ;; esac
  seen="$seen $address"
  check PostgreSQL "$address" "${entry#*|}"
done

if [ -n "${REDIS_URL:-}" ]; then
  check Redis "$(host_port "$REDIS_URL" 6379)" REDIS_URL
else
  check Redis 127.0.0.1:6379 "par défaut"
fi

if [ -n "${RABBITMQ_URL:-}" ]; then
  check RabbitMQ "$(host_port "$RABBITMQ_URL" 5672)" RABBITMQ_URL
elif [ -n "${RABBITMQ_HOST:-}" ]; then
  check RabbitMQ "$(host_port "$RABBITMQ_HOST" 5672)" RABBITMQ_HOST
else
  check RabbitMQ 127.0.0.1:5672 "par défaut"
fi

if [ "$missing" -gt 0 ]; then
  echo "!! $missing service(s) manquant(s) : les serveurs ne peuvent pas démarrer." >&2
  exit 1
fi
echo "Tous les services répondent."
