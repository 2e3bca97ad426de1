"""`python -m webapp.console users add|list|disable|enable|set-password`: staff accounts.

Passwords are read from a hidden prompt (asked twice) or, with --password-stdin, from the
first line of standard input; they never appear on the command line.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from typing import Any

from knowledge.argparse_fr import FrenchArgumentParser
from knowledge.db import make_engine, session_factory, transaction
from webapp.console import accounts
from webapp.console.models import ROLES, ensure_tables


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(prog="python -m webapp.console",
                                     description="Comptes du personnel pour la console web.")
    parser.add_argument("--db", help="URL de la base (défaut : KNOWLEDGE_DATABASE_URL)")
    groups = parser.add_subparsers(dest="group", required=True)
    users = groups.add_parser("users", help="gérer les comptes")
    sub = users.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="créer un compte")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=list(ROLES))
    add.add_argument("--password-stdin", action="store_true",
                     help="lire le mot de passe sur l'entrée standard")
    sub.add_parser("list", help="lister les comptes")
    for name, text in (("disable", "désactiver un compte"), ("enable", "réactiver un compte")):
        sub.add_parser(name, help=text).add_argument("name")
    setpw = sub.add_parser("set-password", help="changer le mot de passe")
    setpw.add_argument("name")
    setpw.add_argument("--password-stdin", action="store_true")
    return parser


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Mot de passe (encore) : ") != first:
        raise accounts.AccountError("Les deux mots de passe diffèrent.")
    return first


def run(args: argparse.Namespace, session: Any, out: Any) -> None:
    if args.command == "add":
        accounts.add_user(session, args.name, _password(args.password_stdin), args.role)
        print(f"Compte créé : {args.name} ({ROLES[args.role]}).", file=out)
    elif args.command == "list":
        for user in accounts.list_users(session):
            state = "actif" if user.active else "désactivé"
            print(f"{user.username}\t{user.role}\t{state}", file=out)
    elif args.command in ("disable", "enable"):
        accounts.set_active(session, args.name, args.command == "enable")
        word = "réactivé" if args.command == "enable" else "désactivé"
        print(f"Compte {word} : {args.name}.", file=out)
    else:
        accounts.set_password(session, args.name, _password(args.password_stdin))
        print(f"Mot de passe changé : {args.name}.", file=out)


def main(argv: Sequence[str] | None = None, out: Any = None) -> int:
    args = build_parser().parse_args(argv)
    engine = make_engine(args.db)
    try:
        ensure_tables(engine)
        with transaction(session_factory(engine)) as session:
            run(args, session, out or sys.stdout)
        return 0
    except accounts.AccountError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
