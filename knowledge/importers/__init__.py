"""Importers of real tourism feeds into the knowledge base.

`import_file` reads a DATAtourisme object or feed export, an OpenAgenda `events` file or
the staff CSV template, and upserts every record by (source, source id) through
`Store.save`, so each record is validated exactly like a staff edit. Records are written
by batches of `BATCH_SIZE`: the stored ones are looked up in one query per batch and the
batch is flushed once. Memory does not grow with the feed: the source ids seen (needed
to unpublish the others) go to a temporary table of the same connection, and the report
keeps counts and the first ids (see `report.py`). One run is one
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

from sqlalchemy import Column, MetaData, Table, Text, delete, insert, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from knowledge.changes import changed_fields
from knowledge.gazetteer import Gazetteer
from knowledge.importers import (
    csvfile,
    datatourisme,
    describe,
    label_csv,
    openagenda,
    stations,
)
from knowledge.importers.common import Context, Feed, Item, merged
from knowledge.importers.mapping import MappingError, load_mapping
from knowledge.importers.openagenda import OpenAgendaError, fetch_openagenda
from knowledge.importers.report import SAMPLE_SIZE, ImportReport, Rejection
from knowledge.store import MODELS, Store, to_dict
from knowledge.validation import ValidationError, _parse_instant, to_utc_naive

FORMATS = ("auto", "datatourisme", "openagenda", "csv", "datatourisme-csv", "gares")
# Records looked up in one query and flushed together. Measured on 3,000 bench objects:
# 500 → 15.2 MB tracemalloc peak, 200 → 9.8 MB, 100 → 8.0 MB, at the same speed.
BATCH_SIZE = 200
SEEN_TABLE = "import_seen_source_ids"
_SEEN = Table(SEEN_TABLE, MetaData(), Column("kind", Text), Column("source", Text),
              Column("source_id", Text))
# on_record(session, kind, record_id, action, before, after): action is "create" (before
# None), "edit" or "unpublish"; called in the import's transaction for every record the
# run adds, changes or unpublishes (its writes are committed or rolled back with it).
RecordHook = Callable[[Session, str, str, str, "dict[str, Any] | None", "dict[str, Any]"],
                      None]
CommitHook = Callable[[Session, ImportReport], None]
# on_progress(items read, items announced or None): after each item of the feed; it may
# raise to stop the run (everything is then rolled back).
ProgressHook = Callable[[int, "int | None"], None]
PROGRESS_DELAY_S = 1.0  # the bar appears only on imports that last longer
READERS: dict[str, Callable[[Path, Context], Feed]] = {
    "datatourisme": datatourisme.open_feed,
    "openagenda": openagenda.open_feed,
    "csv": csvfile.open_feed,
    "datatourisme-csv": label_csv.open_feed,
    "gares": stations.open_feed,
}
_LABELS = {"datatourisme": "DATAtourisme", "openagenda": "OpenAgenda", "csv": "CSV",
           "datatourisme-csv": "DATAtourisme (export CSV)", "gares": "Gares SNCF"}


def detect_format(path: Path) -> str | None:
    """The format of a file or folder, from its name and first bytes; None if unknown."""
    if path.suffix.lower() == ".csv":
        try:
            with open(path, encoding="utf-8-sig", errors="replace") as fh:
                first_line = fh.read(4096)
        except OSError:
            return "csv"
        return "datatourisme-csv" if label_csv.is_label_export(first_line) else "csv"
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
    if stations.is_stations_file(head):
        return "gares"
    if b'"@type"' in head or b'"rdfs:label"' in head or b'"@graph"' in head:
        return "datatourisme"
    if b'"uid"' in head or b'"events"' in head or b'"timings"' in head:
        return "openagenda"
    return None


def import_file(factory: sessionmaker, path: Path, fmt: str = "auto", *,
                dry_run: bool = False, progress: bool = False, actor: str | None = None,
                partial: bool = False, force: bool = False, agenda: str | None = None,
                on_record: RecordHook | None = None, before_commit: CommitHook | None = None,
                on_progress: ProgressHook | None = None) -> ImportReport:
    """Import a .json/.jsonld file, a folder, a .zip or a .csv (see the module docstring).

    `partial` commits the valid records even if others were rejected; `force` rewrites
    records even when their `lastUpdate` is not newer (after a mapping change);
    `agenda` names the OpenAgenda agenda of a file whose events do not say it.
    `on_record(session, kind, record_id, action, before, after)` is called in the
    import's transaction for each record added ("create", before None), changed
    ("edit") or unpublished ("unpublish"); `before_commit(session, report)` just before
    the commit (not on a dry run or a refused run). What they write in `session` is
    committed or rolled back with the import. `on_progress(read, total)` follows the
    reading (the console's import jobs).
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
                                        "openagenda, csv, datatourisme-csv ou gares.",
                dry_run, actor)
    return _run(factory, lambda ctx: READERS[found](path, ctx), _LABELS[found],
                dry_run=dry_run, progress=progress, actor=actor, partial=partial,
                force=force, agenda=agenda, on_record=on_record,
                before_commit=before_commit, on_progress=on_progress)


def import_openagenda(factory: sessionmaker, agenda: str, *, dry_run: bool = False,
                      progress: bool = False, actor: str | None = None,
                      partial: bool = False, force: bool = False, key: str | None = None,
                      base_url: str | None = None, on_record: RecordHook | None = None,
                      before_commit: CommitHook | None = None) -> ImportReport:
    """Import the current and upcoming events of an agenda from the live API (a full
    feed of that agenda: its events that are gone are unpublished)."""
    return _run(factory, lambda ctx: openagenda.live_feed(agenda, ctx, key=key,
                                                          base_url=base_url),
                "OpenAgenda", dry_run=dry_run, progress=progress, actor=actor,
                partial=partial, force=force, agenda=agenda, on_record=on_record,
                before_commit=before_commit)


def _refused(file: str, source: str, reason: str, dry_run: bool,
             actor: str | None) -> ImportReport:
    return ImportReport(source=_LABELS.get(source, source), dry_run=dry_run, actor=actor,
                        rejected=[Rejection(file, None, None, reason)])


def _run(factory: sessionmaker, make_feed: Callable[[Context], Feed], label: str, *,
         dry_run: bool, progress: bool, actor: str | None, partial: bool, force: bool,
         agenda: str | None, on_record: RecordHook | None = None,
         before_commit: CommitHook | None = None,
         on_progress: ProgressHook | None = None) -> ImportReport:
    report = ImportReport(source=label, dry_run=dry_run, partial=partial, actor=actor)
    try:
        mapping = load_mapping()
    except MappingError as exc:
        report.reject(Rejection("mapping.yaml", None, None, str(exc)))
        return report
    session: Session = factory()
    try:
        gazetteer = Gazetteer.from_session(session)
        store = Store.for_session(session, gazetteer)
        feed = make_feed(Context(mapping, gazetteer, str(agenda) if agenda else None))
        _create_seen(session)
        batch: list[Item] = []
        with tqdm(total=feed.total, disable=not progress, file=sys.stderr, unit=" fiches",
                  desc=f"Import {label}", delay=PROGRESS_DELAY_S) as bar:
            for read, item in enumerate(feed, 1):
                bar.update(1)
                if on_progress is not None:
                    on_progress(read, feed.total)
                if item.rejection is not None:
                    report.reject(item.rejection)
                    continue
                batch.append(item)
                if len(batch) >= BATCH_SIZE:
                    _write_batch(store, batch, report, force, on_record)
                    batch = []
            _write_batch(store, batch, report, force, on_record)
        report.full_feed = feed.full
        if feed.full and not report.rejected:  # a rejected record may still be in the feed
            _unpublish(session, feed.scopes, report, on_record)
        session.execute(text(f"DROP TABLE {SEEN_TABLE}"))
        if dry_run or (report.rejected and not partial):
            session.rollback()
        else:
            if before_commit is not None:
                before_commit(session, report)
            session.commit()
            report.committed = True
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    return report


def write_items(store: Store, items: list[Item], label: str) -> ImportReport:
    """Write items already read (the seed's open data) in the caller's transaction, with
    the same upsert as an import: no commit, nothing unpublished."""
    report = ImportReport(source=label)
    _create_seen(store.session)
    for start in range(0, len(items), BATCH_SIZE):
        _write_batch(store, items[start:start + BATCH_SIZE], report, False, None)
    store.session.execute(text(f"DROP TABLE {SEEN_TABLE}"))
    return report


def _create_seen(session: Session) -> None:
    """The temporary table of the source ids the feed lists (kept out of Python's
    memory); emptied in case a rolled-back run left it on this connection."""
    session.execute(text(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {SEEN_TABLE} (kind TEXT NOT NULL, "
        "source TEXT NOT NULL, source_id TEXT NOT NULL)"))
    session.execute(text(f"CREATE INDEX IF NOT EXISTS {SEEN_TABLE}_key "
                         f"ON {SEEN_TABLE} (kind, source, source_id)"))
    session.execute(delete(_SEEN))


def _not_newer(incoming: Any, stored: datetime | None) -> bool:
    if incoming in (None, "") or stored is None:
        return False
    parsed = _parse_instant(incoming)
    return parsed is not None and to_utc_naive(parsed) <= stored


def _lookup(session: Session, batch: list[Item]) -> dict[tuple[str, str, str], Any]:
    """The stored records of a batch, in one query per type and source (by source id)
    and one per type (by id, for records without a source id), keyed by
    ("sid", type, source + NUL + source id) and ("id", type, id)."""
    by_source: dict[tuple[str, str], set[str]] = defaultdict(set)
    by_id: dict[str, set[str]] = defaultdict(set)
    for item in batch:
        assert item.kind is not None and item.data is not None
        if item.data.get("source_id"):
            by_source[(item.kind, item.data["source"])].add(str(item.data["source_id"]))
        elif item.data.get("id"):
            by_id[item.kind].add(str(item.data["id"]))
    found: dict[tuple[str, str, str], Any] = {}
    for (kind, source), sids in by_source.items():
        model = MODELS[kind]
        for obj in session.execute(select(model).where(
                model.source == source, model.source_id.in_(sorted(sids)))).scalars():
            found[("sid", kind, f"{source}\x00{obj.source_id}")] = obj
    for kind, ids in by_id.items():
        model = MODELS[kind]
        for obj in session.execute(select(model).where(model.id.in_(sorted(ids)))).scalars():
            found[("id", kind, obj.id)] = obj
    return found


def _write_batch(store: Store, batch: list[Item], report: ImportReport, force: bool,
                 on_record: RecordHook | None) -> None:
    """Upsert a batch of records: one lookup of the stored ones, one flush at the end
    (earlier only before an event whose venue may be a place of this batch)."""
    if not batch:
        return
    session = store.session
    seen = [{"kind": i.kind, "source": i.data["source"], "source_id": str(i.data["source_id"])}
            for i in batch if i.data and i.data.get("source_id")]
    if seen:
        session.execute(insert(_SEEN), seen)
    known = _lookup(session, batch)
    with session.no_autoflush:
        for item in batch:
            if item.kind == "event" and item.data and item.data.get("venue_poi") and session.new:
                session.flush()
            _upsert(store, item, report, force, known, on_record)
    session.flush()


def _upsert(store: Store, item: Item, report: ImportReport, force: bool,
            known: dict[tuple[str, str, str], Any], on_record: RecordHook | None) -> None:
    assert item.kind is not None and item.data is not None
    kind, data = item.kind, item.data
    sid_key = (("sid", kind, f"{data['source']}\x00{data['source_id']}")
               if data.get("source_id") else None)
    id_key = ("id", kind, str(data["id"])) if data.get("id") else None
    existing = known.get(sid_key) if sid_key else None
    if existing is None and id_key:
        existing = known.get(id_key)
        if existing is None and sid_key:  # a source id new to the base, with an id
            existing = store.session.get(MODELS[kind], data["id"])
    before = None
    if existing is not None:
        if not force and _not_newer(data.get("last_update"), existing.last_update):
            report.unchanged += 1
            return
        before = to_dict(existing)
        data = {**data, "id": existing.id}
        if item.merge is not None:
            data = merged(before, data, item.merge)
    try:
        obj, created = store.save(kind, data, existing=existing,  # type: ignore[arg-type]
                                  flush=False)
    except ValidationError as exc:
        named = describe.from_record(kind, data, store.gazetteer, item.described)
        for field, err in exc.fields:
            report.reject(Rejection(item.file, item.record_id, field,
                                    _staff_reason(exc, field, err, named, store),
                                    **named.as_dict()))
        return
    for key in (sid_key, id_key, ("id", kind, obj.id)):
        if key is not None:  # a later record of this batch with the same id updates it
            known[key] = obj
    after = to_dict(obj)
    named_dict = {**describe.from_record(kind, after, store.gazetteer, item.described)
                  .as_dict(), "kind": kind}
    if created:
        report.note("added", obj.id, named_dict)
        if on_record is not None:
            on_record(store.session, kind, obj.id, "create", None, after)
        return
    # The source's own date alone, or lists read in another order, are no change.
    if changed_fields(before, after, ignore={"last_update"}):
        report.note("changed", obj.id, named_dict)
        if on_record is not None:
            on_record(store.session, kind, obj.id, "edit", before, after)
    else:
        report.unchanged += 1


def _staff_reason(exc: ValidationError, field: str | None, reason: str,
                  named: describe.Described, store: Store) -> str:
    """A refusal as staff read it: a record that is simply elsewhere is "hors du
    territoire : Caen, à 302 km", not a request to check its coordinates."""
    if exc.far_km is not None and field in ("latitude", "start_latitude"):
        return describe.far_reason(named.town, exc.far_km, store.max_distance_km)
    return reason


def _unpublish(session: Session, scopes: set[tuple[str, str]], report: ImportReport,
               on_record: RecordHook | None) -> None:
    """Unpublish the published records of `scopes` whose source id the feed did not
    list, by batches of ids (in id order), never holding them all.

    Their `last_update` is cleared: the base no longer holds the feed's current version,
    so when the record comes back to the feed, even unchanged, it is written again and
    published — whereas a record a staff member unpublished keeps its date and stays
    unpublished while the feed does not change it."""
    for kind, source in sorted(scopes):
        model = MODELS[kind]
        listed = select(_SEEN.c.source_id).where(
            _SEEN.c.kind == kind, _SEEN.c.source == source,
            _SEEN.c.source_id == model.source_id).exists()
        gone = select(model.id).where(model.source == source, model.published.is_(True),
                                      or_(model.source_id.is_(None), ~listed))
        last = ""
        while True:
            ids = list(session.execute(gone.where(model.id > last).order_by(model.id)
                                       .limit(BATCH_SIZE)).scalars())
            if not ids:
                break
            last = ids[-1]
            names: dict[str, dict[str, str | None]] = {}
            if on_record is not None or len(report.unpublished) < SAMPLE_SIZE:
                gazetteer = Gazetteer.from_session(session)
                for obj in session.execute(select(model).where(model.id.in_(ids))
                                           .order_by(model.id)).scalars():
                    before = to_dict(obj)
                    names[obj.id] = {**describe.from_record(kind, before, gazetteer).as_dict(),
                                     "kind": kind}
                    if on_record is not None:
                        on_record(session, kind, obj.id, "unpublish", before,
                                  {**before, "published": False, "last_update": None})
            session.execute(update(model).where(model.id.in_(ids))
                            .values(published=False, last_update=None)
                            .execution_options(synchronize_session=False))
            for rid in ids:
                report.note("unpublished", rid, names.get(rid))


__all__ = [
    "FORMATS",
    "ImportReport",
    "OpenAgendaError",
    "Rejection",
    "detect_format",
    "fetch_openagenda",
    "import_file",
    "import_openagenda",
    "write_items",
]
