"""`python -m analytics report|export|retention|forget|consume|rebuild` — for the tourism
office's analysts, and the event broker's consumer (several servers, issue 19).

Messages are in French; every command says what it did, or why it did nothing."""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from analytics.config import RETENTION_DAYS, analytics_key, tracker_store_url
from analytics.exports import ConversationWriter, write_misunderstood, write_summary
from analytics.html import render_report
from analytics.privacy import Pseudonymiser
from analytics.reader import Period, make_engine
from analytics.report import Filters, build
from analytics.retention import ConcurrentRetention, apply_retention, forget_visitor
from knowledge.argparse_fr import FrenchArgumentParser
from knowledge.config import setting


class CliError(Exception):
    """A problem to tell the user, in French."""


class RunFailed(Exception):
    """A command that failed (exit status 1), said in French."""


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"date invalide « {text} » : écrivez-la AAAA-MM-JJ, par exemple 2026-08-15"
        ) from None


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"nombre de jours invalide « {text} » (au moins 1)")
    return value


def _filters(args: argparse.Namespace) -> Filters:
    if args.start and args.end and args.start > args.end:
        raise CliError("La date de début est après la date de fin.")
    return Filters(Period(args.start, args.end), args.channel or None)


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    if path in (None, "-"):
        yield sys.stdout
        return
    target = Path(str(path))
    if not target.parent.exists():
        raise CliError(f"Le dossier {target.parent} n'existe pas.")
    tmp = target.with_name(target.name + ".part")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as out:
            yield out
        tmp.replace(target)  # a failed export leaves no half-written file behind
    finally:
        tmp.unlink(missing_ok=True)


def cmd_report(args: argparse.Namespace) -> str:
    fig = build(make_engine(args.database or tracker_store_url()), _filters(args))
    with _output(args.output) as out:
        out.write(render_report(fig))
    t = fig["totals"]
    return (f"Rapport écrit dans {args.output} : "
            f"{_count(t['conversations'], 'conversation')}, "
            f"{_count(t['user_messages'], 'message')}, "
            f"{_count(len(fig['misunderstood']), 'groupe')} de messages mal compris.")


def _count(n: int, word: str) -> str:
    """ "0 conversation", "1 message", "3 groupes": French plural from 2 on."""
    return f"{n} {word}{'s' if n >= 2 else ''}"


def cmd_export(args: argparse.Namespace) -> str:
    engine = make_engine(args.database or tracker_store_url())
    filters = _filters(args)
    fmt = "nlu" if args.kind == "nlu" else args.format
    with _output(args.output) as out:
        if args.kind == "conversations":
            writer = ConversationWriter(out, fmt, Pseudonymiser(analytics_key()))
            build(engine, filters, writer)
            writer.close()
            what = f"{writer.count} conversations"
        elif args.kind == "summary":
            write_summary(build(engine, filters), fmt, out)
            what = "les chiffres"
        else:
            fig = build(engine, filters)
            write_misunderstood(fig, fmt, out)
            what = f"{len(fig['misunderstood'])} groupes de messages mal compris"
    return f"Export ({fmt}) : {what}" + (f", dans {args.output}." if args.output else ".")


def cmd_retention(args: argparse.Namespace) -> str:
    try:
        result = apply_retention(make_engine(args.database or tracker_store_url()), args.days)
    except (ConcurrentRetention, SQLAlchemyError):
        raise
    except Exception as exc:  # never silent, never a traceback: said, and exit status 1
        raise RunFailed("La suppression des anciennes conversations a échoué "
                        f"({type(exc).__name__}) : rien n'a été supprimé.") from exc
    if not result.deleted_events:
        return (f"Rien à supprimer : aucune conversation antérieure au "
                f"{result.cutoff:%d/%m/%Y}.")
    n = result.skipped_conversations
    skipped = (f" {_count(n, 'conversation')} illisible{'s' if n >= 2 else ''} pour les "
               "chiffres (voir le journal du serveur), supprimée"
               f"{'s' if n >= 2 else ''} aussi." if n else "")
    return (f"{result.deleted_events} événements antérieurs au {result.cutoff:%d/%m/%Y} "
            f"supprimés ; leurs chiffres sont gardés ({result.aggregated_counts} compteurs "
            "journaliers)." + skipped)


def cmd_consume(args: argparse.Namespace) -> str:
    import asyncio
    import logging

    from aiormq.exceptions import ChannelAccessRefused

    from analytics.consumer import DEFAULT_QUEUE, DEFAULT_URL, EXCHANGE, consume

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    url = args.url or setting("RABBITMQ_URL") or DEFAULT_URL
    queue = args.queue or setting("RABBITMQ_QUEUE") or DEFAULT_QUEUE
    engine = make_engine(args.database or tracker_store_url())
    try:
        stats = asyncio.run(consume(engine, url, queue, idle_stop=args.idle,
                                    exchange_name=args.exchange or EXCHANGE))
    except KeyboardInterrupt:
        return "Arrêt demandé : les événements reçus sont comptés."
    except ChannelAccessRefused as exc:
        raise RunFailed(f"La file « {queue} » est déjà lue par un autre consommateur : "
                        "un seul à la fois (sinon une conversation serait comptée deux "
                        "fois).") from exc
    except OSError as exc:
        raise RunFailed(f"RabbitMQ injoignable ({type(exc).__name__}) : rien n'a été lu.") \
            from exc
    r = stats.recorded
    return (f"{_count(r.new, 'événement')} compté{'s' if r.new >= 2 else ''}, "
            f"{r.duplicates} déjà reçu{'s' if r.duplicates >= 2 else ''}, "
            f"{stats.malformed} illisible{'s' if stats.malformed >= 2 else ''}.")


def cmd_rebuild(args: argparse.Namespace) -> str:
    from analytics.live import rebuild

    tally = rebuild(make_engine(args.database or tracker_store_url()))
    return (f"Compteurs reconstruits depuis les conversations enregistrées : "
            f"{_count(len(tally.counts), 'compteur')} journalier"
            f"{'s' if len(tally.counts) >= 2 else ''}.")


def international(number: str) -> str:
    """A phone number as the platforms send it (+33612345678), from how a visitor or a
    member of staff writes it (06 12 34 56 78, +33 6…, 0033 6…)."""
    digits = re.sub(r"[\s.()/-]", "", number)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif re.fullmatch(r"0[1-9]\d{8}", digits):
        digits = "+33" + digits[1:]
    elif not digits.startswith("+"):
        digits = "+" + digits
    if not re.fullmatch(r"\+[1-9]\d{6,14}", digits):
        raise CliError(f"Numéro de téléphone invalide « {number[:30]} ».")
    return digits


def messaging_senders(telegram: str | None, phone: str | None) -> list[str]:
    """The session ids the messaging connectors give this visitor: they never store a
    chat id or a phone number, but a keyed pseudonym of it (connectors/messaging.py), which
    only the channel's own secret can compute again. Only configured channels count."""
    from connectors.messaging import MessagingInput
    from connectors.sms import SmsInput
    from connectors.telegram import TelegramInput
    from connectors.whatsapp import WhatsAppInput

    wanted: list[tuple[MessagingInput, str]] = []
    if telegram:
        if not re.fullmatch(r"-?\d{1,20}", telegram.strip()):
            raise CliError(f"Identifiant Telegram invalide « {telegram[:30]} » (des chiffres).")
        wanted.append((TelegramInput.from_credentials(None), telegram.strip()))
    if phone:
        number = international(phone)
        whatsapp, sms = WhatsAppInput.from_credentials(None), SmsInput.from_credentials(None)
        # WhatsApp Cloud API: digits without "+"; Twilio: E.164, or "whatsapp:+…" for
        # WhatsApp through Twilio.
        wanted += [(whatsapp, number[1:]), (sms, number), (sms, f"whatsapp:{number}")]
    if not any(channel.enabled for channel, _ in wanted):
        raise CliError("Ce canal n'est pas configuré ici (variables TELEGRAM_…, WHATSAPP_… "
                       "ou TWILIO_… absentes) : ses conversations ne peuvent pas être "
                       "retrouvées.")
    return [channel.sender_id(address) for channel, address in wanted if channel.enabled]


def cmd_forget(args: argparse.Namespace) -> str:
    given = [v for v in (args.session, args.telegram, args.telephone) if v and v.strip()]
    if len(given) != 1:
        raise CliError("Donnez l'identifiant de session du visiteur (widget), ou "
                       "--telegram IDENTIFIANT, ou --telephone NUMÉRO (WhatsApp, SMS).")
    senders = ([args.session.strip()] if args.session
               else messaging_senders(args.telegram, args.telephone))
    engine = make_engine(args.database or tracker_store_url())
    deleted = sum(forget_visitor(engine, sender) for sender in senders)
    if not deleted:
        return "Aucune conversation avec cet identifiant : rien n'a été supprimé."
    return f"Conversation supprimée : {deleted} événements effacés."


def parser() -> argparse.ArgumentParser:
    p = FrenchArgumentParser(
        prog="python -m analytics",
        description="Rapports et exports des conversations (données des visiteurs protégées).")
    p.add_argument("--database", help="base des conversations (URL SQLAlchemy) ; par défaut "
                   "TRACKER_STORE_URL ou le fichier TRACKER_STORE_DB")
    sub = p.add_subparsers(dest="command", required=True)

    def period(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--from", dest="start", type=_day, help="premier jour (AAAA-MM-JJ)")
        sp.add_argument("--to", dest="end", type=_day, help="dernier jour inclus (AAAA-MM-JJ)")
        sp.add_argument("--channel", help="un seul canal (rest, socketio, telegram…)")

    r = sub.add_parser("report", help="rapport HTML (graphiques et tableaux)")
    period(r)
    r.add_argument("-o", "--output", required=True, help="fichier HTML à écrire")
    r.set_defaults(run=cmd_report)
    e = sub.add_parser("export", help="export CSV ou JSON, ou YAML NLU des messages mal compris")
    e.add_argument("kind", choices=["summary", "conversations", "misunderstood", "nlu"],
                   help="summary : les chiffres ; conversations : une ligne par conversation "
                   "(pseudonymisée) ; misunderstood : messages mal compris ; nlu : les mêmes "
                   "en YAML Rasa à relire")
    period(e)
    e.add_argument("--format", choices=["csv", "json"], default="csv")
    e.add_argument("-o", "--output", help="fichier à écrire (par défaut : la sortie standard)")
    e.set_defaults(run=cmd_export)
    k = sub.add_parser("retention", help="supprimer les conversations anciennes (chiffres gardés)")
    k.add_argument("--days", type=_days, default=RETENTION_DAYS,
                   help=f"durée de conservation en jours (défaut : {RETENTION_DAYS})")
    k.set_defaults(run=cmd_retention)
    f = sub.add_parser("forget", help="supprimer la conversation d'un visiteur (sur demande)")
    f.add_argument("session", nargs="?",
                   help="l'identifiant de session donné par le visiteur (widget : « Vie privée »)")
    f.add_argument("--telegram", metavar="IDENTIFIANT",
                   help="un visiteur sur Telegram : l'identifiant numérique de son compte")
    f.add_argument("--telephone", metavar="NUMÉRO",
                   help="un visiteur sur WhatsApp ou par SMS : son numéro (06 12 34 56 78, +33…)")
    f.set_defaults(run=cmd_forget)
    c = sub.add_parser("consume", help="compter les événements de Rasa reçus par RabbitMQ "
                       "(plusieurs serveurs)")
    c.add_argument("--url", help="RabbitMQ (par défaut RABBITMQ_URL, sinon "
                   "amqp://guest:guest@127.0.0.1:5672/)")
    c.add_argument("--queue", help="file d'attente (par défaut RABBITMQ_QUEUE, sinon "
                   "rasa_core_events)")
    c.add_argument("--exchange", help="échange « fanout » de Rasa (par défaut "
                   "rasa-exchange)")
    c.add_argument("--idle", type=float, help="s'arrêter après ce nombre de secondes sans "
                   "message (par défaut : jamais)")
    c.set_defaults(run=cmd_consume)
    b = sub.add_parser("rebuild", help="recalculer les compteurs de RabbitMQ depuis les "
                       "conversations enregistrées (arrêtez « consume » pendant ce temps)")
    b.set_defaults(run=cmd_rebuild)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        message = args.run(args)
    except CliError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    except (ConcurrentRetention, RunFailed) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"Erreur : base des conversations inaccessible ({type(exc).__name__}).",
              file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Erreur de fichier : {exc.strerror or exc} ({exc.filename or ''})",
              file=sys.stderr)
        return 1
    print(message, file=sys.stderr if args.command == "export" and not args.output
          else sys.stdout)
    return 0
