"""The staff CSV template and `python -m knowledge import` — on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from knowledge import seeding
from knowledge.cli import main
from knowledge.importers import import_file
from knowledge.importers.csvfile import COLUMNS
from knowledge.models import Event, Poi, Route
from tests.support.import_helpers import FIXTURES, get, snapshot
from tests.support.paths import ROOT

TEMPLATE = ROOT / "knowledge" / "importers" / "template.csv"


def _cli(engine: Engine, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--db", engine.url.render_as_string(hide_password=False), *argv], out=out)
    return code, out.getvalue()


def test_template_documents_every_column_and_imports(kb_factory: sessionmaker) -> None:
    with open(TEMPLATE, encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == list(COLUMNS)
    report = import_file(kb_factory, TEMPLATE)
    assert report.committed and not report.rejected and len(report.added) == 3
    place = get(kb_factory, Poi, id="exemple-lieu")
    assert place.kinds == ["museum", "heritage_site"] and place.commune_insee == "59053"
    assert place.coord_precision == "commune"
    assert place.opening_hours["specs"][0]["opens"] == "10:00"
    assert place.published is False  # example rows never reach visitors
    event = get(kb_factory, Event, id="exemple-evenement")
    assert event.price == {"free": True}
    assert event.timings[0].start.isoformat() == "2026-07-14T12:00:00"
    route = get(kb_factory, Route, id="exemple-itineraire")
    assert (route.mode, route.length_km, route.start_commune_insee) == ("hike", 8.5, "59331")


def test_csv_round_trip(kb_engine: Engine, kb_factory: sessionmaker, tmp_path: Path) -> None:
    """The shipped base, exported with `export csv`, imports back without a change."""
    with kb_factory() as session, session.begin():
        seeding.seed(session)
    before = snapshot(kb_factory)
    for kind, model in (("poi", Poi), ("event", Event), ("route", Route)):
        path = tmp_path / f"{kind}.csv"
        code, _ = _cli(kb_engine, "export", "csv", "--type", kind, "-o", str(path))
        assert code == 0
        report = import_file(kb_factory, path, "csv", force=True)  # compare every field
        count = sum(1 for key in before if key.startswith(model.__tablename__ + "/"))
        assert report.committed and not report.rejected, report.summary_fr()
        assert (report.added, report.changed, report.unchanged) == ([], [], count)
    assert snapshot(kb_factory) == before


def test_a_row_without_id_is_recognised_by_name(kb_factory: sessionmaker,
                                                tmp_path: Path) -> None:
    path = tmp_path / "lieux.csv"
    path.write_bytes("\ufeffnom;types_de_lieu;interets;commune;latitude;longitude\n"
                     "Moulin d'essai;mill;patrimoine;Bavay;50,2950;3,7990\n".encode())
    first = import_file(kb_factory, path)  # Excel: BOM, ";" and decimal commas
    assert first.added == ["poi-moulin-d-essai"]
    assert get(kb_factory, Poi, id="poi-moulin-d-essai").latitude == 50.295
    path.write_text("nom;types_de_lieu;interets;commune;latitude;longitude\n"
                    "Moulin d'essai;mill;patrimoine|nature;Bavay;50,2950;3,7990\n",
                    encoding="utf-8")
    again = import_file(kb_factory, path)
    assert again.changed == ["poi-moulin-d-essai"] and not again.added


def test_lists_in_another_order_are_no_change(kb_factory: sessionmaker,
                                              tmp_path: Path) -> None:
    path = tmp_path / "lieux.csv"
    path.write_text("nom;types_de_lieu;interets;commune;latitude;longitude\n"
                    "Moulin d'essai;mill;patrimoine|nature;Bavay;50,2950;3,7990\n",
                    encoding="utf-8")
    assert import_file(kb_factory, path).added == ["poi-moulin-d-essai"]
    path.write_text("nom;types_de_lieu;interets;commune;latitude;longitude\n"
                    "Moulin d'essai;mill;nature|patrimoine;Bavay;50,2950;3,7990\n",
                    encoding="utf-8")
    again = import_file(kb_factory, path, force=True)
    assert (again.changed, again.unchanged) == ([], 1)


def test_bad_rows_are_reported_and_nothing_changes(kb_factory: sessionmaker,
                                                   tmp_path: Path) -> None:
    import_file(kb_factory, TEMPLATE)
    before = snapshot(kb_factory)
    path = tmp_path / "erreurs.csv"
    path.write_text(
        "identifiant,nom,types_de_lieu,interets,commune,latitude,longitude,horaires\n"
        "ok-1,Lieu correct (essai),mill,patrimoine,Bavay,,,\n"
        "bad-1,Lieu faux (essai),mill,vieilles pierres,Bavay,abc,3.79,\n"
        "bad-2,,mill,patrimoine,Atlantis,,,{pas du json\n", encoding="utf-8")
    report = import_file(kb_factory, path)
    assert not report.committed
    got = {(r.record_id, r.field) for r in report.rejected}
    assert got == {("bad-1", "interests"), ("bad-1", "latitude"), ("bad-2", "horaires")}
    assert all(r.file == "erreurs.csv" for r in report.rejected)
    bad = next(r for r in report.rejected if r.field == "interests")
    assert (bad.title, bad.place) == ("Lieu faux (essai)", "Bavay")  # named for staff
    assert str(bad).startswith("fichier erreurs.csv, fiche bad-1 (Lieu faux (essai) — Bavay), "
                               "champ interests : Intérêt "
                               "inconnu : « vieilles pierres »")
    assert snapshot(kb_factory) == before
    path.write_text("nom,couleur\nX,bleu\n", encoding="utf-8")
    report = import_file(kb_factory, path)
    assert "colonne(s) inconnue(s) : couleur" in report.rejected[0].reason
    assert snapshot(kb_factory) == before


def test_import_command(kb_engine: Engine, kb_factory: sessionmaker,
                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _cli(kb_engine, "import", "auto", str(TEMPLATE), "--dry-run")
    assert code == 0 and out.startswith("Essai (rien n'a été enregistré) — CSV : 3 ajout(s)")
    assert snapshot(kb_factory) == {}
    code, out = _cli(kb_engine, "import", "csv", str(TEMPLATE))
    assert code == 0 and out.startswith("Import enregistré — CSV : 3 ajout(s)")
    code, out = _cli(kb_engine, "import", "datatourisme",
                     str(FIXTURES / "broken" / "wrong_types.json"), "--json")
    assert code == 1 and '"committed": false' in out and '"field": "schema:latitude"' in out
    code, out = _cli(kb_engine, "import", "openagenda", "--live")
    assert code == 1 and "--agenda" in capsys.readouterr().err
    code, out = _cli(kb_engine, "import", "csv", "/nulle/part.csv")
    assert code == 1 and "introuvable" in out
