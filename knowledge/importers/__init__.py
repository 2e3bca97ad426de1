"""Importers of real tourism feeds into the knowledge base.

`import_file` reads a DATAtourisme object or feed export, an OpenAgenda `events` file or
the staff CSV template, and upserts every record by (source, source id) through
`Store.save`, so each record is validated exactly like a staff edit. One run is one
transaction: it is committed only if no record was rejected (unless `partial`), and a
dry run rolls everything back after computing what would change. Records whose
`lastUpdate` is not newer than the stored one are left alone; records of the same source
that a full feed no longer lists are unpublished, never deleted.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from knowledge.gazetteer import Gazetteer
from knowledge.importers import csvfile, datatourisme, openagenda
from knowledge.importers.common import Context, Feed, Item
from knowledge.importers.mapping import MappingError, load_mapping
from knowledge.importers.openagenda import OpenAgendaError, fetch_openagenda
from knowledge.importers.report import ImportReport, Rejection
from knowledge.store import MODELS, Store, to_dict
from knowledge.validation import ValidationError, _parse_instant, to_utc_naive

FORMATS = ("auto", "datatourisme", "openagenda", "csv")
PROGRESS_DELAY_S = 1.0  # the bar appears only on imports that last longer
_READERS: dict[str, Callable[[Path, Context], Feed]] = {
    "datatourisme": datatourisme.open_feed,
    "openagenda": openagenda.open_feed,
    "csv": csvfile.open_feed,
}
_LABELS = {"datatourisme": "DATAtourisme", "openagenda": "OpenAgenda", "csv": "CSV"}

# Start of a validation message (validation.py) → the record field it is about.
_FIELD_OF_MESSAGE = sorted({
    "Le nom du lieu": "venue_name", "Le nom": "name", "Le titre": "title",
    "Type de lieu": "kinds", "Intérêt": "interests", "Public": "audiences",
    "Coordonnées": "latitude", "Latitude": "latitude", "Longitude": "longitude",
    "Les coordonnées": "latitude", "Le lieu (": "latitude", "Lieu inconnu": "venue_poi",
    "Le lieu": "venue_poi", "Commune inconnue": "commune_insee",
    "Précision": "coord_precision", "L'adresse e-mail": "email", "L'adresse": "address",
    "Le téléphone": "phone", "Le site web": "website", "L'image": "image",
    "Horaires": "opening_hours", "Les tarifs": "prices", "Le tarif": "price",
    "Date n°": "timings", "Au moins une date": "timings",
    "Date de mise à jour": "last_update", "Identifiant invalide": "id",
    "La description courte": "short_description", "La description": "description",
    "Le lien de réservation": "booking_url", "Le lien": "url", "Le mode": "mode",
    "La longueur": "length_km", "La durée": "duration_min", "La difficulté": "difficulty",
    "Le dénivelé": "elevation_gain_m", "Accès fauteuil": "wheelchair",
    "Accès poussette": "pushchair", "Animaux": "pets_allowed",
    "Les labels": "accessibility_labels", "Le fuseau": "timezone", "La source": "source",
    "La licence": "licence", "La note": "notes", "Le tracé": "gpx",
}.items(), key=lambda kv: -len(kv[0]))


def detect_format(path: Path) -> str | None:
    """The format of a file or folder, from its name and first bytes; None if unknown."""
    if path.suffix.lower() == ".csv":
        return "csv"
    if path.suffix.lower() == ".zip":
        return "datatourisme"
    if path.is_dir():
        if next(path.rglob(datatourisme.INDEX), None) is not None:
            return "datatourisme"
        sample = next((p for p in sorted(path.rglob("*.json*")) if p.is_file()), None)
        return detect_format(sample) if sample else None
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError:
        return None
    if b'"@type"' in head or b'"rdfs:label"' in head or b'"@graph"' in head:
        return "datatourisme"
    if b'"uid"' in head or b'"events"' in head or b'"timings"' in head:
        return "openagenda"
    return None


def import_file(factory: sessionmaker, path: Path, fmt: str = "auto", *,
                dry_run: bool = False, progress: bool = False, actor: str | None = None,
                partial: bool = False, force: bool = False, agenda: str | None = None,
                ) -> ImportReport:
    """Import a .json/.jsonld file, a folder, a .zip or a .csv (see the module docstring).

    `partial` commits the valid records even if others were rejected; `force` rewrites
    records even when their `lastUpdate` is not newer (after a mapping change);
    `agenda` names the OpenAgenda agenda of a file whose events do not say it.
    """
    path = Path(path)
    if fmt not in FORMATS:
        return _refused(path.name, fmt, f"format inconnu « {fmt} » "
                                        f"(possibles : {', '.join(FORMATS)}).", dry_run, actor)
    if not path.exists():
        return _refused(path.name, fmt, "fichier ou dossier introuvable.", dry_run, actor)
    found = detect_format(path) if fmt == "auto" else fmt
    if found is None:
        return _refused(path.name, fmt, "format non reconnu : indiquez datatourisme, "
                                        "openagenda ou csv.", dry_run, actor)
    return _run(factory, lambda ctx: _READERS[found](path, ctx), _LABELS[found],
                dry_run=dry_run, progress=progress, actor=actor, partial=partial,
                force=force, agenda=agenda)


def import_openagenda(factory: sessionmaker, agenda: str, *, dry_run: bool = False,
                      progress: bool = False, actor: str | None = None,
                      partial: bool = False, force: bool = False, key: str | None = None,
                      base_url: str | None = None) -> ImportReport:
    """Import the current and upcoming events of an agenda from the live API (a full
    feed of that agenda: its events that are gone are unpublished)."""
    return _run(factory, lambda ctx: openagenda.live_feed(agenda, ctx, key=key,
                                                          base_url=base_url),
                "OpenAgenda", dry_run=dry_run, progress=progress, actor=actor,
                partial=partial, force=force, agenda=agenda)


def _refused(file: str, source: str, reason: str, dry_run: bool,
             actor: str | None) -> ImportReport:
    return ImportReport(source=_LABELS.get(source, source), dry_run=dry_run, actor=actor,
                        rejected=[Rejection(file, None, None, reason)])


def _run(factory: sessionmaker, make_feed: Callable[[Context], Feed], label: str, *,
         dry_run: bool, progress: bool, actor: str | None, partial: bool, force: bool,
         agenda: str | None) -> ImportReport:
    report = ImportReport(source=label, dry_run=dry_run, partial=partial, actor=actor)
    try:
        mapping = load_mapping()
    except MappingError as exc:
        report.rejected.append(Rejection("mapping.yaml", None, None, str(exc)))
        return report
    session: Session = factory()
    try:
        gazetteer = Gazetteer.from_session(session)
        store = Store.for_session(session, gazetteer)
        feed = make_feed(Context(mapping, gazetteer, str(agenda) if agenda else None))
        seen: dict[tuple[str, str], set[str]] = defaultdict(set)
        with tqdm(total=feed.total, disable=not progress, file=sys.stderr, unit=" fiches",
                  desc=f"Import {label}", delay=PROGRESS_DELAY_S) as bar:
            for item in feed:
                bar.update(1)
                if item.rejection is not None:
                    report.rejected.append(item.rejection)
                    continue
                assert item.kind is not None and item.data is not None
                if item.data.get("source_id"):
                    seen[(item.kind, item.data["source"])].add(str(item.data["source_id"]))
                _upsert(store, item, report, force)
        report.full_feed = feed.full
        if feed.full and not report.rejected:  # a rejected record may still be in the feed
            _unpublish(session, feed.scopes, seen, report)
        if dry_run or (report.rejected and not partial):
            session.rollback()
        else:
            session.commit()
            report.committed = True
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    return report


def _not_newer(incoming: Any, stored: datetime | None) -> bool:
    if incoming in (None, "") or stored is None:
        return False
    parsed = _parse_instant(incoming)
    return parsed is not None and to_utc_naive(parsed) <= stored


def _upsert(store: Store, item: Item, report: ImportReport, force: bool) -> None:
    assert item.kind is not None and item.data is not None
    kind, data = item.kind, item.data
    model = MODELS[kind]
    existing = None
    if data.get("source_id"):
        existing = store.session.execute(
            select(model).where(model.source == data["source"],
                                model.source_id == str(data["source_id"]))
        ).scalar_one_or_none()
    if existing is None and data.get("id"):
        existing = store.session.get(model, data["id"])
    before = None
    if existing is not None:
        if not force and _not_newer(data.get("last_update"), existing.last_update):
            report.unchanged += 1
            return
        before = to_dict(existing)
        data = {**data, "id": existing.id}
    try:
        obj, created = store.save(kind, data)  # type: ignore[arg-type]
    except ValidationError as exc:
        report.rejected += [Rejection(item.file, item.record_id, _field_of(err), err)
                            for err in exc.errors]
        return
    if created:
        report.added.append(obj.id)
    elif to_dict(obj) != before:
        report.changed.append(obj.id)
    else:
        report.unchanged += 1


def _field_of(message: str) -> str | None:
    return next((f for prefix, f in _FIELD_OF_MESSAGE if message.startswith(prefix)), None)


def _unpublish(session: Session, scopes: set[tuple[str, str]],
               seen: dict[tuple[str, str], set[str]], report: ImportReport) -> None:
    for kind, source in sorted(scopes):
        model = MODELS[kind]
        keep = seen.get((kind, source), set())
        rows = session.execute(  # streamed: only the records that left are kept
            select(model.id, model.source_id)
            .where(model.source == source, model.published.is_(True))
            .execution_options(yield_per=2000))
        gone = [rid for rid, sid in rows if sid is None or sid not in keep]
        for start in range(0, len(gone), 500):
            session.execute(update(model).where(model.id.in_(gone[start:start + 500]))
                            .values(published=False).execution_options(
                                synchronize_session=False))
        report.unpublished += gone


__all__ = [
    "FORMATS",
    "ImportReport",
    "OpenAgendaError",
    "Rejection",
    "detect_format",
    "fetch_openagenda",
    "import_file",
    "import_openagenda",
]
