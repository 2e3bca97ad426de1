"""argparse speaking French to staff: usage line, help option, section titles and the
usage errors (argparse itself only speaks English without installed translations)."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

# argparse's English error messages → French (first match wins).
_ERRORS = [
    (re.compile(r"the following arguments are required: (.*)"), r"il manque : \1"),
    (re.compile(r"argument (.+?): invalid choice: '(.*)' \(choose from (.*)\)"),
     r"\1 : « \2 » n'existe pas (possibles : \3)"),
    (re.compile(r"unrecognized arguments: (.*)"), r"arguments non reconnus : \1"),
    (re.compile(r"argument (.+?): expected one argument"), r"\1 : il faut une valeur"),
    (re.compile(r"argument (.+?): expected (.*) arguments?"), r"\1 : il faut \2 valeur(s)"),
    (re.compile(r"argument (.+?): invalid (\w+) value: '(.*)'"),
     r"\1 : valeur invalide « \3 »"),
    (re.compile(r"argument (.+?): not allowed with argument (.*)"),
     r"\1 : ne peut pas être donné avec \2"),
    (re.compile(r"argument (.+?): (.*)"), r"\1 : \2"),
]


def french(message: str) -> str:
    for pattern, replacement in _ERRORS:
        if pattern.fullmatch(message):
            return pattern.sub(replacement, message)
    return message


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None,
                  ) -> None:
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class FrenchArgumentParser(argparse.ArgumentParser):
    """Drop-in ArgumentParser (its sub-commands are French too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        add_help = kwargs.get("add_help", True)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="afficher cette aide et quitter")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {french(message)}\n")
