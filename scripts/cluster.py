"""Building blocks of the several-servers layout (`make run-cluster`, issue 19), used by
scripts/run-cluster.sh and tests/cluster/:

    python scripts/cluster.py databases   # PostgreSQL databases created if missing,
                                          # with Rasa's tracker table
    python scripts/cluster.py stores      # shell assignments for docs/endpoints.cluster.yml
    python scripts/cluster.py haproxy --listen … --rasa … --actions-listen … --actions …

Messages for the host are in French; nothing prints a password.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from knowledge.config import setting, tracker_store_url


class Refused(Exception):
    """What the host must fix, in French."""


# ---------------------------------------------------------------------- databases
def ensure_database(url: str, what: str) -> bool:
    """Creates the PostgreSQL database of `url` if it does not exist (connecting to the
    server's `postgres` database with the same account); True when it was created."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql") or not parsed.database:
        raise Refused(f"{what} : une base PostgreSQL est attendue "
                      f"(postgresql://…/nom), pas {parsed.drivername}.")
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = parsed.database
    try:
        with admin.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": name}).first()
            if exists:
                return False
            quoted = conn.dialect.identifier_preparer.quote(name)
            conn.execute(sa.text(f"CREATE DATABASE {quoted}"))
            return True
    except OperationalError as exc:
        raise Refused(f"{what} : serveur PostgreSQL injoignable sur "
                      f"{parsed.host or '127.0.0.1'}:{parsed.port or 5432} "
                      f"({type(exc.orig).__name__}).") from exc
    except ProgrammingError as exc:
        raise Refused(f"{what} : impossible de créer la base « {name} » avec ce compte ; "
                      f"créez-la (createdb -O {parsed.username or 'postgres'} {name}) "
                      "puis relancez.") from exc
    finally:
        admin.dispose()


def create_tracker_tables(url: str) -> None:
    """Rasa's `events` table, created once here: N Rasa servers starting together would
    all try to create it, and all but one wait 5 s after the clash (rasa/core/tracker_store.py)."""
    from rasa.core.tracker_store import SQLTrackerStore

    engine = sa.create_engine(url)
    try:
        SQLTrackerStore.Base.metadata.create_all(engine)
    finally:
        engine.dispose()


def cmd_databases(args: argparse.Namespace) -> None:
    knowledge, tracker = setting("KNOWLEDGE_DATABASE_URL"), tracker_store_url()
    for url, what in ((knowledge, "Base de connaissances"),
                      (tracker, "Base des conversations")):
        created = ensure_database(url, what)
        where = make_url(url).render_as_string(hide_password=True)
        print(f">> {what} : {where}" + (" (créée)" if created else ""))
    create_tracker_tables(tracker)


# ------------------------------------------------------------------------- stores
@dataclass(frozen=True)
class Address:
    host: str
    port: int
    user: str
    password: str
    path: str


def address(url: str, default_port: int) -> Address:
    parts = urlsplit(url if "://" in url else f"tcp://{url}")
    return Address(parts.hostname or "127.0.0.1", parts.port or default_port,
                   unquote(parts.username or ""), unquote(parts.password or ""),
                   parts.path.strip("/"))


def store_settings(redis_url: str, rabbitmq_url: str) -> dict[str, str]:
    """The values docs/endpoints.cluster.yml reads, from REDIS_URL and RABBITMQ_URL: Rasa's
    lock store and event broker take a host, a port and credentials, not a URL."""
    redis = address(redis_url, 6379)
    rabbit = address(rabbitmq_url, 5672)
    return {
        "LOCK_STORE_HOST": redis.host, "LOCK_STORE_PORT": str(redis.port),
        "LOCK_STORE_DB": redis.path or "0", "LOCK_STORE_PASSWORD": redis.password,
        "RABBITMQ_HOST": rabbit.host, "RABBITMQ_PORT": str(rabbit.port),
        "RABBITMQ_USER": rabbit.user or "guest", "RABBITMQ_PASSWORD": rabbit.password or "guest",
    }


def cmd_stores(args: argparse.Namespace) -> None:
    for name, value in store_settings(args.redis_url, args.rabbitmq_url).items():
        print(f"export {name}={shlex.quote(value)}")


# ------------------------------------------------------------------------ HAProxy
# The conversation each request belongs to, read by HAProxy (2.6, Debian bookworm), in
# the order tried; the first one found is hashed to choose the Rasa server. A request
# where none is found (Rasa's GET /, a first visit's socket.io, a body the balancer could
# not read) goes by the client's address, which is sticky too.
CONVERSATION_KEYS = (
    ("path /webhooks/rest/webhook", "req.body,json_query('$.sender')"),
    ("path /webhooks/telegram/webhook", "req.body,json_query('$.message.chat.id')"),
    ("path /webhooks/telegram/webhook",
     "req.body,json_query('$.callback_query.message.chat.id')"),
    ("path /webhooks/whatsapp/webhook",
     "req.body,json_query('$.entry[0].changes[0].value.messages[0].from')"),
    ("path /webhooks/sms/webhook", "req.body_param(From),url_dec"),
    # Rasa's HTTP API (the web app's calls): /conversations/<id>/…
    ("path_beg /conversations/", "path,field(3,/),url_dec"),
    # The widget's socket.io requests name the conversation once it knows it
    # (connectors/widget/widget.js); a first visit's do not.
    ("path_beg /socket.io/ } { urlp(session) -m len gt 0", "urlp(session)"),
    # Behind the reverse proxy (docs/nginx.conf), the visitor's address is the last one
    # it adds; a client that forges the header only chooses its own server.
    ("req.hdr(x-forwarded-for) -m found", "req.hdr(x-forwarded-for,-1)"),
    ("always_true", "src"),
)


def haproxy_config(listen: str, rasa: list[str], actions_listen: str, actions: list[str],
                   stats: str = "", socket: str = "") -> str:
    """The balancer's configuration: the public port in front of the Rasa servers (one
    conversation, one server; health checks every second; fail-over) and the action
    servers' port in front of the action servers (any of them; fail-over)."""
    keys = "\n".join(
        f"  http-request set-var(txn.conversation) {fetch} "
        f"if {{ {condition} }} !{{ var(txn.conversation) -m found }}"
        for condition, fetch in CONVERSATION_KEYS)
    rasa_servers = "\n".join(f"  server rasa{i} {where} check"
                             for i, where in enumerate(rasa, 1))
    action_servers = "\n".join(f"  server actions{i} {where} check"
                               for i, where in enumerate(actions, 1))
    stats_block = f"""
frontend stats
  bind {stats}
  stats enable
  stats uri /
  stats refresh 2s
""" if stats else ""
    socket_line = f"  stats socket {socket} mode 600 level admin\n" if socket else ""
    return f"""# Generated by scripts/cluster.py for scripts/run-cluster.sh (issue 19): do not edit,
# set the variables of README « Plusieurs serveurs » instead.
global
  log stdout format raw local0 notice
{socket_line}  # A whole webhook body (64 KB at most, connectors/edges.py) fits in one buffer,
  # so that the conversation can be read from it.
  tune.bufsize 81920
  maxconn 4096

defaults
  mode http
  log global
  option httplog
  option dontlog-normal            # no visitor's request logged, only failed ones,
  option log-separate-errors       # at the level that passes `notice`
  option http-keep-alive
  timeout connect 500ms            # also the pause before a retry on another server
  timeout client 65s
  timeout server 65s
  timeout http-request 15s
  timeout http-keep-alive 10s
  timeout queue 10s
  timeout tunnel 1h                # the widget's WebSocket
  timeout check 2s
  # A server that died: the request goes to another one at once (connection refused,
  # or closed without an answer), without waiting for the health check.
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response junk-response
  # Health checks every second; a connection refused on live traffic marks the server
  # down at once.
  default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 2
  default-server observe layer4 error-limit 1 on-error mark-down

frontend rasa_public
  bind {listen}
  option http-buffer-request       # the body is read before choosing the server
{keys}
  http-response set-header X-Rasa-Instance %s
  default_backend rasa

backend rasa
  balance hash var(txn.conversation)
  hash-type consistent
  option httpchk GET /
  http-check expect status 200
{rasa_servers}

frontend actions
  bind {actions_listen}
  default_backend actions

backend actions
  balance leastconn
  option httpchk GET /health
  http-check expect status 200
{action_servers}
{stats_block}"""


def cmd_haproxy(args: argparse.Namespace) -> None:
    print(haproxy_config(args.listen, args.rasa, args.actions_listen, args.actions,
                         args.stats or "", args.socket or ""), end="")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scripts/cluster.py", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("databases").set_defaults(run=cmd_databases)
    s = sub.add_parser("stores")
    s.add_argument("--redis-url", required=True)
    s.add_argument("--rabbitmq-url", required=True)
    s.set_defaults(run=cmd_stores)
    h = sub.add_parser("haproxy")
    h.add_argument("--listen", required=True, help="host:port public (RASA_PORT)")
    h.add_argument("--rasa", nargs="+", required=True, help="host:port of each Rasa server")
    h.add_argument("--actions-listen", required=True, help="host:port (ACTIONS_PORT)")
    h.add_argument("--actions", nargs="+", required=True, help="host:port of each action server")
    h.add_argument("--stats", help="host:port of the statistics page")
    h.add_argument("--socket", help="path of the administration socket")
    h.set_defaults(run=cmd_haproxy)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except Refused as exc:
        print(f"!! {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
