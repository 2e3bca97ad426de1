#!/usr/bin/env bash
# Makes sure the PostgreSQL, Redis and RabbitMQ servers the tests use (127.0.0.1:5432, :6379,
# :5672) are up, and HAProxy and nginx installed, starting the
# local cluster if it is installed but stopped. Tests that need it fail (never skip)
# when it cannot be reached.
set -uo pipefail
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo ">> Démarrage de PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 20); do pg_up && break; sleep 0.5; done
fi
pg_up || echo "!! PostgreSQL injoignable sur 127.0.0.1:5432 : les tests PostgreSQL vont échouer." >&2
# Redis (shared state of several instances, tests/integration/test_shared_state.py): a
# throw-away server that keeps nothing on disk, only if none answers and one is installed.
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }
if ! redis_up && command -v redis-server >/dev/null 2>&1; then
  echo ">> Démarrage de Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null || true
  for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
fi
redis_up || echo "!! Redis injoignable sur 127.0.0.1:6379 : les tests Redis vont échouer." >&2
# RabbitMQ (Rasa's event broker in the several-servers layout, tests/cluster/ and
# tests/integration/test_analytics_broker.py): started if installed but not answering.
rabbit_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }
if ! rabbit_up && command -v rabbitmq-server >/dev/null 2>&1; then
  echo ">> Démarrage de RabbitMQ"
  if command -v service >/dev/null 2>&1; then service rabbitmq-server start >/dev/null 2>&1 || true; fi
  rabbit_up || rabbitmq-server -detached >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do rabbit_up && break; sleep 0.5; done
fi
rabbit_up || echo "!! RabbitMQ injoignable sur 127.0.0.1:5672 : les tests RabbitMQ vont échouer." >&2
# Debian packages the tests run as their own temporary instances, never as services.
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
# HAProxy: the load balancer of `make run-cluster` (docs/haproxy.cfg.in), which
# tests/cluster/ starts in front of two Rasa servers.
if ! command -v haproxy >/dev/null 2>&1 && ! [ -x /usr/sbin/haproxy ] && command -v apt-get >/dev/null 2>&1; then
  echo ">> Installation de HAProxy (paquet Debian haproxy)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq haproxy >/dev/null \
    || echo "!! HAProxy non installé : make run-cluster et les tests de tests/cluster/ vont échouer." >&2
fi
# nginx (Debian's nginx-light), which tests/security/test_reverse_proxy.py runs on the
# documented configuration docs/nginx.conf (its own temporary instance, never a service).
if ! command -v nginx >/dev/null 2>&1 && ! [ -x /usr/sbin/nginx ] && command -v apt-get >/dev/null 2>&1; then
  echo ">> Installation de nginx (paquet Debian nginx-light)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx-light >/dev/null \
    || echo "!! nginx non installé : le test du proxy inverse va échouer." >&2
fi
exit 0
