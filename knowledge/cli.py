"""Staff command line of the knowledge base: `python -m knowledge --help`.

Every command runs in one transaction: on any error nothing is written, a French
message goes to stderr and the exit code is non-zero (1 invalid data or not found,
2 bad usage).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import audit, seeding
from knowledge.argparse_fr import FrenchArgumentParser
from knowledge.db import (
    create_schema,
    make_engine,
    outdated_tables,
    session_factory,
    transaction,
)
from knowledge.gazetteer import Gazetteer
from knowledge.models import Base, Event
from knowledge.queries import find_places_by_name, search
from knowledge.store import MODELS, TYPE_LABELS, NotFound, RecordType, Store, to_dict
from knowledge.validation import ValidationError

TYPES = {"lieu": "poi", "poi": "poi", "evenement": "event", "événement": "event",
         "event": "event", "itineraire": "route", "itinéraire": "route", "route": "route"}

# Flags of `add` / `edit`: (flag, record key, help). Lists are comma-separated.
FIELD_FLAGS: list[tuple[str, str, str]] = [
    ("--name", "name", "nom (lieu, itinéraire)"),
    ("--title", "title", "titre (événement)"),
    ("--kinds", "kinds", "types de lieu, séparés par des virgules (ex. museum,castle)"),
    ("--interests", "interests", "intérêts, séparés par des virgules (ex. patrimoine,culture)"),
    ("--audiences", "audiences", "publics (enfants,famille,couple,groupe,seniors)"),
    ("--lat", "latitude", "latitude (WGS84)"),
    ("--lon", "longitude", "longitude (WGS84)"),
    ("--precision", "coord_precision", "précision : exact, approximate ou commune"),
    ("--address", "address", "adresse"),
    ("--short-description", "short_description", "description courte"),
    ("--description", "description", "description"),
    ("--phone", "phone", "téléphone"),
    ("--email", "email", "e-mail"),
    ("--website", "website", "site web (https://…)"),
    ("--image", "image", "image (https://…)"),
    ("--wheelchair", "wheelchair", "accessible en fauteuil : oui/non"),
    ("--pushchair", "pushchair", "accessible en poussette : oui/non"),
    ("--source", "source", "source de l'information"),
    ("--mode", "mode", "itinéraire : hike, bike, mtb ou horse"),
    ("--length-km", "length_km", "itinéraire : longueur en km"),
    ("--duration-min", "duration_min", "itinéraire : durée en minutes"),
    ("--difficulty", "difficulty", "itinéraire : easy, medium ou hard"),
    ("--venue", "venue_poi", "événement : identifiant du lieu"),
    ("--start", "start", "événement : début (2027-07-14T10:00, heure de Paris)"),
    ("--end", "end", "événement : fin"),
]


class CliError(Exception):
    """A usage or data problem reported to the user in French."""


def _type(value: str) -> RecordType:
    try:
        return TYPES[value.lower()]  # type: ignore[return-value]
    except KeyError:
        raise argparse.ArgumentTypeError(
            f"type inconnu « {value} » : lieu, evenement ou itineraire") from None


def build_parser() -> argparse.ArgumentParser:
    p = FrenchArgumentParser(
        prog="python -m knowledge",
        description="Base de connaissances du Pays de Mormal : lieux, événements, itinéraires.",
    )
    p.add_argument("--db", help="URL de la base (sinon KNOWLEDGE_DATABASE_URL ou SQLite)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    s = sub.add_parser("init", help="créer la base et charger les données si elle est vide")
    s.add_argument("--reset", action="store_true", help="tout effacer d'abord")
    s.add_argument("--no-seed", action="store_true", help="ne pas charger les données")
    sub.add_parser("seed", help="recharger les données livrées (mise à jour par identifiant)")

    s = sub.add_parser("list", help="lister les lieux, événements ou itinéraires")
    s.add_argument("type", type=_type, help="lieu, evenement ou itineraire")
    s.add_argument("--interest", help="filtrer par intérêt")
    s.add_argument("--commune", help="filtrer par commune (nom ou code INSEE)")
    s.add_argument("--text", default="", help="mots du nom")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--json", action="store_true", help="sortie JSON")

    s = sub.add_parser("search", help="chercher un lieu par son nom (tolère les fautes)")
    s.add_argument("text")
    s.add_argument("--limit", type=int, default=5)

    s = sub.add_parser("show", help="afficher un enregistrement")
    s.add_argument("type", type=_type)
    s.add_argument("id")
    s.add_argument("--json", action="store_true")

    for name, help_text in (("add", "ajouter (options ou --file)"),
                            ("edit", "modifier (options ou --file)")):
        s = sub.add_parser(name, help=help_text)
        s.add_argument("type", type=_type)
        if name == "edit":
            s.add_argument("id")
        else:
            s.add_argument("--id", help="identifiant (sinon créé à partir du nom)")
        s.add_argument("--file", type=Path, help="fichier YAML ou JSON (un objet ou une liste)")
        s.add_argument("--commune", help="commune (nom ou code INSEE)")
        for flag, _, help_flag in FIELD_FLAGS:
            s.add_argument(flag, help=help_flag)
        s.add_argument("--set", action="append", default=[], metavar="CLE=VALEUR",
                       help="tout autre champ")

    s = sub.add_parser("delete", help="supprimer un enregistrement")
    s.add_argument("type", type=_type)
    s.add_argument("id")

    s = sub.add_parser("validate", help="vérifier toute la base")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("import", help="importer DATAtourisme, OpenAgenda, le modèle CSV ou "
                                      "les gares SNCF")
    s.add_argument("format", choices=["auto", "datatourisme", "openagenda", "csv",
                                      "datatourisme-csv", "gares"],
                   help="format du fichier (auto : deviné ; datatourisme-csv : export CSV "
                        "d'un label DATAtourisme ; gares : GeoJSON des gares SNCF)")
    s.add_argument("path", nargs="?", type=Path,
                   help="fichier .json/.jsonld/.csv, dossier ou .zip (sauf avec --live)")
    s.add_argument("--dry-run", action="store_true",
                   help="essai : dire ce qui changerait sans rien enregistrer")
    s.add_argument("--partial", action="store_true",
                   help="enregistrer les fiches valides même si d'autres sont refusées")
    s.add_argument("--force", action="store_true",
                   help="réécrire les fiches même si leur date de mise à jour n'a pas changé")
    s.add_argument("--agenda", help="OpenAgenda : identifiant (uid) de l'agenda")
    s.add_argument("--live", action="store_true",
                   help="OpenAgenda : lire l'agenda en ligne (OPENAGENDA_KEY)")
    s.add_argument("--no-progress", action="store_true", help="pas de barre de progression")
    s.add_argument("--json", action="store_true", help="rapport en JSON")

    s = sub.add_parser("export", help="exporter en JSON ou CSV")
    s.add_argument("format", choices=["json", "csv"])
    s.add_argument("--type", type=_type, default="poi")
    s.add_argument("-o", "--output", type=Path, help="fichier (sinon la sortie standard)")
    return p


def _json_default(value: Any) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(type(value))


def _dump(data: Any, as_json: bool) -> str:
    if as_json:
        return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)
    return yaml.safe_dump(json.loads(json.dumps(data, default=_json_default)),
                          allow_unicode=True, sort_keys=False)


def _commune(gazetteer: Gazetteer, text: str) -> str:
    place = gazetteer.by_insee(text) or gazetteer.lookup(text)
    if place is None:
        raise CliError(f"Commune inconnue : « {text} ».")
    return place.insee


def _record_from_args(args: argparse.Namespace, gazetteer: Gazetteer) -> list[dict[str, Any]]:
    records: list[dict[str, Any]]
    if args.file:
        try:
            text = args.file.read_text(encoding="utf-8")
            loaded = json.loads(text) if args.file.suffix == ".json" else yaml.safe_load(text)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            raise CliError(f"Fichier illisible {args.file} : {exc}") from None
        records = loaded if isinstance(loaded, list) else [loaded]
        if not records or not all(isinstance(r, dict) for r in records):
            raise CliError(f"{args.file} : un objet ou une liste d'objets est attendu "
                           "(le fichier n'en contient aucun).")
    else:
        records = [{}]
    flags: dict[str, Any] = {}
    for flag, key, _ in FIELD_FLAGS:
        value = getattr(args, flag.lstrip("-").replace("-", "_"))
        if value is not None:
            flags[key] = value
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            raise CliError(f"--set attend CLE=VALEUR (reçu « {item} »).")
        flags[key.strip()] = value
    if args.commune:
        key = "start_commune_insee" if args.type == "route" else "commune_insee"
        flags[key] = _commune(gazetteer, args.commune)
    if getattr(args, "id", None) and args.command == "add":
        flags["id"] = args.id
    if not args.file and not flags:
        raise CliError("Rien à enregistrer : donnez des options (--name, --lat…) ou --file.")
    return [{**r, **flags} for r in records]


def _summary(kind: str, obj: Any) -> str:
    if kind == "event":
        first = obj.timings[0].start.strftime("%d/%m/%Y") if obj.timings else "sans date"
        return f"{obj.id}\t{obj.title}\t{first}\t{obj.commune.name if obj.commune else ''}"
    if kind == "route":
        return f"{obj.id}\t{obj.name}\t{obj.mode}\t{obj.length_km or '?'} km"
    return f"{obj.id}\t{obj.name}\t{obj.kind}\t{obj.commune.name if obj.commune else ''}"


def _flatten(record: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in record.items():
        if value is None:
            out[key] = ""
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[key] = "|".join(value)
        elif isinstance(value, (list, dict)):
            out[key] = json.dumps(value, ensure_ascii=False, default=_json_default)
        elif isinstance(value, bool):
            out[key] = "oui" if value else "non"
        else:
            out[key] = str(value)
    return out


def run(args: argparse.Namespace, session: Session, out: Any) -> int:
    cmd = args.command
    if cmd in ("init", "seed"):
        if cmd == "init" and (args.no_seed or not seeding.is_empty(session)):
            seeding.load_communes(session)
            print("Base prête (sans données)." if args.no_seed
                  else "Base prête (données déjà présentes).", file=out)
            return 0
        r = seeding.seed(session)
        print(f"Données chargées : {r.communes} communes, {r.pois} lieux, {r.routes} "
              f"itinéraires, {r.events} événements.", file=out)
        return 0
    gazetteer = Gazetteer.from_session(session)
    store = Store.for_session(session, gazetteer)
    if cmd == "list":
        model = MODELS[args.type]
        insee = _commune(gazetteer, args.commune) if args.commune else None
        rows = search(session, model, args.text, interest=args.interest, commune_insee=insee,
                      limit=args.limit)
        if args.json:
            print(_dump([to_dict(r) for r in rows], True), file=out)
        else:
            for r in rows:
                print(_summary(args.type, r), file=out)
            print(f"{len(rows)} {TYPE_LABELS[args.type]}(s).", file=out)
        return 0
    if cmd == "search":
        matches = find_places_by_name(session, args.text, limit=args.limit,
                                      include_unpublished=True)
        if not matches:
            print(f"Aucun lieu ne ressemble à « {args.text} ».", file=out)
            return 1
        for m in matches:
            print(f"{m.poi.id}\t{m.poi.name}\t(ressemblance {m.score:.0f} %)", file=out)
        return 0
    if cmd == "show":
        print(_dump(to_dict(store.get(args.type, args.id)), args.json), file=out)
        return 0
    if cmd == "add":
        for record in _record_from_args(args, gazetteer):
            if args.type == "poi" and record.get("kinds") is None and record.get("kind"):
                record["kinds"] = [record["kind"]]
            obj, created = store.save(args.type, record)
            verb = "ajouté" if created else "mis à jour"
            print(f"{TYPE_LABELS[args.type].capitalize()} {verb} : {obj.id}", file=out)
        return 0
    if cmd == "edit":
        (changes,) = _record_from_args(args, gazetteer)[:1]
        obj = store.edit(args.type, args.id, changes)
        print(f"{TYPE_LABELS[args.type].capitalize()} modifié : {obj.id}", file=out)
        return 0
    if cmd == "delete":
        store.delete(args.type, args.id)
        print(f"{TYPE_LABELS[args.type].capitalize()} supprimé : {args.id}", file=out)
        return 0
    if cmd == "validate":
        findings = audit.check_base(session)
        errors = [f for f in findings if f.level == "erreur"]
        if args.json:
            print(_dump([f.__dict__ for f in findings], True), file=out)
        else:
            _print_precision(audit.precision_by_commune(session), out)
            for f in findings:
                print(str(f), file=out)
            print(f"{len(errors)} erreur(s), {len(findings) - len(errors)} avertissement(s).",
                  file=out)
        return 1 if errors else 0
    if cmd == "export":
        model = MODELS[args.type]
        query = select(model).order_by(model.id)
        records = [to_dict(o) for o in session.execute(query).scalars()]
        buffer = io.StringIO()
        if args.format == "json":
            buffer.write(_dump(records, True) + "\n")
        else:
            columns = [c.key for c in model.__table__.columns
                       if c.key in (records[0] if records else {})]
            if model is Event:
                columns.append("timings")
            writer = csv.DictWriter(buffer, fieldnames=columns or ["id"])
            writer.writeheader()
            for record in records:
                writer.writerow(_flatten(record))
        if args.output:  # written whole or not at all
            tmp = args.output.with_name(args.output.name + ".tmp")
            tmp.write_text(buffer.getvalue(), encoding="utf-8", newline="")
            tmp.replace(args.output)
            print(f"{len(records)} enregistrement(s) exporté(s) dans {args.output}.",
                  file=sys.stderr)
        else:
            out.write(buffer.getvalue())
        return 0
    raise CliError(f"Commande inconnue : {cmd}")


def _import(args: argparse.Namespace, factory: Any, out: Any) -> int:
    """Each import is its own transaction (see knowledge.importers)."""
    from knowledge.importers import import_file, import_openagenda

    progress = not args.no_progress and sys.stderr.isatty()
    options = dict(dry_run=args.dry_run, progress=progress, partial=args.partial,
                   force=args.force, actor="ligne de commande")
    if args.live:
        if args.format != "openagenda" or not args.agenda:
            raise CliError("--live s'utilise avec « openagenda » et --agenda UID.")
        report = import_openagenda(factory, args.agenda, **options)
    elif args.path is None:
        raise CliError("indiquez le fichier, le dossier ou l'archive à importer.")
    else:
        report = import_file(factory, args.path, args.format, agenda=args.agenda, **options)
    print(_dump(report.to_dict(), True) if args.json else report.summary_fr(), file=out)
    return 0 if report.committed or (report.dry_run and report.ok) else 1


def _print_precision(counts: list[audit.CommuneCount], out: Any) -> None:
    """Per commune, then in and outside the territory: how precise the places are."""
    if not counts:
        return
    print("Lieux publiés par commune, selon la précision de leur position :", file=out)
    for count in counts:
        print(f"  {count}", file=out)
    for total in audit.precision_totals(counts):
        print(f"{total.name} : {total.counts_fr()}.", file=out)


def main(argv: Sequence[str] | None = None, out: Any = None) -> int:
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    engine = make_engine(args.db)
    try:
        if args.command == "init" and args.reset:
            Base.metadata.drop_all(engine)
        outdated = outdated_tables(engine)
        if outdated:
            raise CliError(
                "la base a été créée par une version précédente du projet : "
                + " ; ".join(outdated)
                + ". Exportez vos saisies (export json), puis recréez-la avec "
                "« python -m knowledge init --reset »."
            )
        create_schema(engine)
        if args.command == "import":
            return _import(args, session_factory(engine), out)
        with transaction(session_factory(engine)) as session:
            return run(args, session, out)
    except ValidationError as exc:
        print("Refusé, rien n'a été enregistré :", file=sys.stderr)
        for err in exc.errors:
            print(f"  - {(exc.record_id + ' : ') if exc.record_id else ''}{err}", file=sys.stderr)
        return 1
    except (NotFound, CliError, ValueError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Erreur de fichier : {exc.strerror or exc} ({exc.filename or ''})",
              file=sys.stderr)
        return 1
    finally:
        engine.dispose()

