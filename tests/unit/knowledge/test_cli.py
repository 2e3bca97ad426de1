"""The staff command line (`python -m knowledge …`), called in-process on SQLite files."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from knowledge.cli import main
from knowledge.config import SEED_DIR
from knowledge.db import make_engine, session_factory
from knowledge.models import Event, EventTiming, Poi, Route, interest_mask
from knowledge.taxonomy import COORD_PRECISIONS, INTERESTS

FORUM_FLAGS = [
    "--name", "Forum antique de Bavay", "--kinds", "museum,archaeological_site",
    "--interests", "patrimoine,culture", "--audiences", "famille,enfants",
    "--commune", "Bavay", "--website", "https://www.forumantique-bavay.fr",
    "--wheelchair", "oui", "--source", "Office de tourisme (tests)",
]


class Kb:
    """A knowledge base in a SQLite file, driven through `knowledge.cli.main`."""

    def __init__(self, path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.url = f"sqlite:///{path}"
        self.capsys = capsys

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        """Run one command: (exit code, what it printed to `out`, what went to stderr)."""
        self.capsys.readouterr()
        out = io.StringIO()
        code = main(["--db", self.url, *argv], out=out)
        return code, out.getvalue(), self.capsys.readouterr().err

    def show(self, kind: str, record_id: str) -> dict[str, Any]:
        code, out, err = self("show", kind, record_id, "--json")
        assert code == 0, err
        return json.loads(out)

    def count(self, model: Any) -> int:
        engine = make_engine(self.url)
        try:
            with session_factory(engine)() as s:
                return s.execute(select(func.count()).select_from(model)).scalar_one()
        finally:
            engine.dispose()


@pytest.fixture
def kb(tmp_path: Path, capsys: pytest.CaptureFixture[str], sqlite_template: Path) -> Kb:
    """An empty base as `init --no-seed` makes it (a copy of the session's template: the
    communes load once), then `init` again must find it ready and change nothing."""
    shutil.copyfile(sqlite_template, tmp_path / "kb.sqlite3")
    base = Kb(tmp_path / "kb.sqlite3", capsys)
    code, out, err = base("init", "--no-seed")
    assert code == 0, err
    assert "Base prête" in out
    assert base.count(Poi) == 0
    return base


def test_add_show_edit_delete_round_trip(kb: Kb) -> None:
    code, out, err = kb("add", "lieu", *FORUM_FLAGS)
    assert code == 0, err
    assert out.strip() == "Lieu ajouté : poi-forum-antique-de-bavay"
    poi_id = "poi-forum-antique-de-bavay"

    shown = kb.show("lieu", poi_id)
    assert shown["name"] == "Forum antique de Bavay"
    assert shown["kinds"] == ["museum", "archaeological_site"] and shown["kind"] == "museum"
    assert shown["interests"] == ["patrimoine", "culture"]
    assert shown["audiences"] == ["famille", "enfants"]
    assert shown["commune_insee"] == "59053" and shown["coord_precision"] == "commune"
    assert shown["latitude"] == pytest.approx(50.2936, abs=1e-3)
    assert shown["wheelchair"] is True and shown["phone"] is None
    assert shown["source"] == "Office de tourisme (tests)"

    code, out, err = kb("edit", "poi", poi_id, "--phone", "03 27 63 13 95")
    assert code == 0, err
    assert out.strip() == f"Lieu modifié : {poi_id}"
    edited = kb.show("poi", poi_id)
    assert edited["phone"] == "03 27 63 13 95"
    assert {k: v for k, v in edited.items() if k != "phone"} == {
        k: v for k, v in shown.items() if k != "phone"}

    # The default (YAML) output of show is readable YAML with the same content.
    code, out, _ = kb("show", "lieu", poi_id)
    assert code == 0 and yaml.safe_load(out)["phone"] == "03 27 63 13 95"

    # An invalid edit is refused, in French, and changes nothing.
    code, out, err = kb("edit", "lieu", poi_id, "--lat", "95", "--phone", "00 00 00 00 00")
    assert code == 1 and out == ""
    assert "Refusé, rien n'a été enregistré" in err
    assert f"{poi_id} : Latitude impossible : 95" in err
    assert kb.show("lieu", poi_id) == edited

    # An event at that place and a route from Le Quesnoy, through flags too.
    code, out, err = kb("add", "evenement", "--title", "Nocturne au Forum", "--venue", poi_id,
                        "--start", "2027-07-14T20:00", "--end", "2027-07-14T23:00",
                        "--set", "interests=culture,patrimoine")
    assert code == 0, err
    assert out.strip() == "Événement ajouté : evt-nocturne-au-forum"
    event = kb.show("evenement", "evt-nocturne-au-forum")
    assert event["latitude"] == shown["latitude"] and event["commune_insee"] == "59053"
    assert event["timings"] == [{"start": "2027-07-14T18:00:00+00:00",
                                 "end": "2027-07-14T21:00:00+00:00"}]
    code, out, err = kb("add", "itineraire", "--name", "Circuit des remparts", "--mode", "hike",
                        "--length-km", "6.5", "--difficulty", "easy", "--commune", "le quesnoy")
    assert code == 0, err
    route = kb.show("route", "route-circuit-des-remparts")
    assert route["start_commune_insee"] == "59481" and route["length_km"] == 6.5
    code, out, _ = kb("list", "lieu")
    assert code == 0 and poi_id in out and "Bavay" in out and "1 lieu(s)." in out

    code, out, err = kb("delete", "lieu", poi_id)
    assert code == 0, err
    assert out.strip() == f"Lieu supprimé : {poi_id}"
    code, out, err = kb("show", "lieu", poi_id)
    assert code == 1 and out == ""
    assert err.strip() == f"Erreur : Aucun lieu avec l'identifiant « {poi_id} »."
    code, _, err = kb("delete", "lieu", poi_id)
    assert code == 1 and "Aucun lieu avec l'identifiant" in err
    # The event stays, without its venue.
    assert kb.show("evenement", "evt-nocturne-au-forum")["venue_poi_id"] is None


def test_edit_moves_dates_and_commune(kb: Kb) -> None:
    """`edit` must apply what staff ask: new dates for an event (--start/--end), and a
    new commune for a place only known by its commune's centre (its position moves with
    it). Both edits used to be reported as done while keeping the old values."""
    assert kb("add", "evenement", "--title", "Bal", "--commune", "Bavay",
              "--start", "2027-07-14T20:00", "--end", "2027-07-14T23:00")[0] == 0
    assert kb("add", "lieu", "--name", "Lavoir", "--kinds", "heritage_site",
              "--interests", "patrimoine", "--commune", "Bavay")[0] == 0
    failures = []
    code, out, err = kb("edit", "evenement", "evt-bal", "--start", "2027-07-21T20:00",
                        "--end", "2027-07-21T23:00")
    assert code == 0, err
    timings = kb.show("evenement", "evt-bal")["timings"]
    if timings != [{"start": "2027-07-21T18:00:00+00:00", "end": "2027-07-21T21:00:00+00:00"}]:
        failures.append(f"edit --start/--end: the event still has {timings}")

    code, out, err = kb("edit", "lieu", "poi-lavoir", "--commune", "Maroilles")
    assert code == 0, err
    lavoir = kb.show("lieu", "poi-lavoir")
    assert lavoir["commune_insee"] == "59384"
    where = (round(lavoir["latitude"], 4), round(lavoir["longitude"], 4))
    if where != (50.1319, 3.7581) or lavoir["coord_precision"] != "commune":
        failures.append(f"edit --commune Maroilles: the place stays at {where} "
                        f"({lavoir['coord_precision']}), Bavay's centre, not Maroilles'")
    assert not failures, "\n".join(failures)


def test_usage_errors_in_french(kb: Kb) -> None:
    code, out, err = kb("add", "lieu", "--name", "Nulle part", "--kinds", "museum",
                        "--interests", "culture", "--commune", "Atlantide")
    assert code == 1 and err.strip() == "Erreur : Commune inconnue : « Atlantide »."
    code, _, err = kb("add", "lieu")
    assert code == 1 and "Rien à enregistrer" in err
    code, _, err = kb("add", "lieu", "--name", "X", "--set", "sans-egal")
    assert code == 1 and "--set attend CLE=VALEUR" in err
    code, _, err = kb("add", "lieu", "--name", "Lieu sans rien", "--lat", "50.29",
                      "--lon", "3.80")
    assert code == 1
    assert "Type de lieu : au moins une valeur est obligatoire" in err
    assert "Intérêt : au moins une valeur est obligatoire" in err
    with pytest.raises(SystemExit) as info:
        kb("show", "bateau", "x")
    assert info.value.code == 2
    assert "type inconnu « bateau » : lieu, evenement ou itineraire" in kb.capsys.readouterr().err
    assert kb.count(Poi) == 0


def _write_yaml(path: Path, records: Any) -> Path:
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


THREE_PLACES = [
    {"id": "moulin-test", "name": "Moulin test", "kinds": ["mill"], "interests": ["patrimoine"],
     "commune_insee": "59331", "source": "tests"},
    {"id": "fromagerie-test", "name": "Fromagerie test", "kinds": ["cheese_dairy", "shop"],
     "interests": ["terroir", "gastronomie"], "commune_insee": "59384",
     "latitude": 50.1335, "longitude": 3.7602, "coord_precision": "approximate",
     "opening_hours": {"specs": [{"days": ["tu", "we", "th", "fr", "sa"], "opens": "09:00",
                                  "closes": "18:00"}]},
     "source": "tests"},
    {"id": "etang-test", "name": "Étang test", "kinds": ["pond", "fishing_spot"],
     "interests": ["peche", "nature"], "commune_insee": "59481", "source": "tests",
     "accessibility": {"wheelchair": True, "labels": ["Tourisme & Handicap"]}},
]


def test_add_from_a_yaml_file_is_all_or_nothing(kb: Kb, tmp_path: Path) -> None:
    good = _write_yaml(tmp_path / "lieux.yaml", THREE_PLACES)
    code, out, err = kb("add", "lieu", "--file", str(good))
    assert code == 0, err
    assert out.splitlines() == ["Lieu ajouté : moulin-test", "Lieu ajouté : fromagerie-test",
                                "Lieu ajouté : etang-test"]
    assert kb.count(Poi) == 3
    fromagerie = kb.show("lieu", "fromagerie-test")
    assert fromagerie["coord_precision"] == "approximate"
    assert fromagerie["opening_hours"]["specs"][0]["opens"] == "09:00"
    etang = kb.show("lieu", "etang-test")
    assert etang["wheelchair"] is True
    assert etang["accessibility_labels"] == ["Tourisme & Handicap"]
    assert etang["coord_precision"] == "commune"

    # The same file again updates, never duplicates.
    code, out, err = kb("add", "lieu", "--file", str(good))
    assert code == 0, err
    assert out.count("mis à jour") == 3 and kb.count(Poi) == 3

    # A file of three records, the second invalid: refused as a whole.
    bad_batch = [
        {**THREE_PLACES[0], "id": "nouveau-1", "name": "Nouveau 1"},
        {**THREE_PLACES[0], "id": "nouveau-2", "name": "Nouveau 2", "latitude": 95,
         "longitude": 3.8},
        {**THREE_PLACES[0], "id": "nouveau-3", "name": "Nouveau 3"},
    ]
    bad = _write_yaml(tmp_path / "lot.yaml", bad_batch)
    code, out, err = kb("add", "lieu", "--file", str(bad))
    assert code == 1
    assert "Refusé, rien n'a été enregistré" in err
    assert "nouveau-2 : Latitude impossible : 95" in err
    assert kb.count(Poi) == 3
    for missing in ("nouveau-1", "nouveau-3"):
        code, _, err = kb("show", "lieu", missing)
        assert code == 1 and "Aucun lieu" in err
    # An update in a refused batch is rolled back too.
    batch = [{**THREE_PLACES[0], "name": "Moulin renommé"}, {**THREE_PLACES[1], "kinds": ["x"]}]
    code, _, err = kb("add", "lieu", "--file", str(_write_yaml(tmp_path / "b.yaml", batch)))
    assert code == 1 and "Type de lieu inconnu : « x »" in err
    assert kb.show("lieu", "moulin-test")["name"] == "Moulin test"

    # A JSON file holding one object.
    one = tmp_path / "un.json"
    one.write_text(json.dumps({**THREE_PLACES[0], "id": "json-1", "name": "Depuis JSON"}),
                   encoding="utf-8")
    code, out, err = kb("add", "lieu", "--file", str(one))
    assert code == 0, err
    assert kb.count(Poi) == 4

    # Unreadable files.
    broken = tmp_path / "casse.yaml"
    broken.write_text("- name: [non fermé\n", encoding="utf-8")
    code, _, err = kb("add", "lieu", "--file", str(broken))
    assert code == 1 and "Fichier illisible" in err
    code, _, err = kb("add", "lieu", "--file", str(_write_yaml(tmp_path / "s.yaml", ["a", 1])))
    assert code == 1 and "un objet ou une liste d'objets est attendu" in err
    code, _, err = kb("add", "lieu", "--file", str(tmp_path / "absent.yaml"))
    assert code == 1 and "Fichier illisible" in err
    assert kb.count(Poi) == 4


def test_validate_exit_codes(kb: Kb) -> None:
    code, out, err = kb("validate")
    assert code == 0, err
    assert out.strip() == "0 erreur(s), 0 avertissement(s)."

    code, _, err = kb("add", "lieu", *FORUM_FLAGS)
    assert code == 0, err
    # An event that is over is only a warning.
    code, _, err = kb("add", "evenement", "--title", "Fête passée", "--commune", "Maroilles",
                      "--start", "2020-06-01T10:00", "--end", "2020-06-01T18:00")
    assert code == 0, err
    code, out, err = kb("validate")
    assert code == 0, out
    assert "événement passé" in out and "0 erreur(s), 1 avertissement(s)." in out

    # A record written behind the validator's back (latitude 95).
    engine = make_engine(kb.url)
    try:
        with session_factory(engine)() as s, s.begin():
            s.add(Poi(id="lieu-faux", name="Lieu faux", name_norm="lieu faux", kind="museum",
                      kinds=["museum"], interests=["culture"],
                      interest_mask=interest_mask(["culture"]), latitude=95.0, longitude=3.8,
                      cell=0, source="import direct"))
    finally:
        engine.dispose()
    code, out, err = kb("validate")
    assert code == 1
    assert "[erreur] poi lieu-faux : Latitude impossible : 95.0" in out
    assert "1 erreur(s), 1 avertissement(s)." in out
    code, out, _ = kb("validate", "--json")
    assert code == 1
    findings = json.loads(out)
    errors = [f for f in findings if f["level"] == "erreur"]
    assert [(f["kind"], f["record_id"]) for f in errors] == [("poi", "lieu-faux")]
    assert errors[0]["message"].startswith("Latitude impossible")


def test_export_json_and_csv(kb: Kb, tmp_path: Path) -> None:
    assert kb("add", "lieu", "--file", str(_write_yaml(tmp_path / "l.yaml", THREE_PLACES)))[0] == 0
    assert kb("add", "evenement", "--title", "Marché du soir", "--commune", "Landrecies",
              "--start", "2027-07-02T17:00", "--end", "2027-07-02T21:00",
              "--set", "interests=terroir")[0] == 0

    target = tmp_path / "export" / "lieux.json"
    target.parent.mkdir()
    code, out, err = kb("export", "json", "-o", str(target))
    assert code == 0 and out == ""
    assert f"3 enregistrement(s) exporté(s) dans {target}." in err
    records = json.loads(target.read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == ["etang-test", "fromagerie-test", "moulin-test"]
    assert records[1]["opening_hours"]["specs"][0]["days"][0] == "tu"
    assert records[0]["name"] == "Étang test"  # UTF-8, not escaped

    target_csv = tmp_path / "lieux.csv"
    code, out, err = kb("export", "csv", "--type", "lieu", "--output", str(target_csv))
    assert code == 0 and "3 enregistrement(s)" in err
    with open(target_csv, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == ["etang-test", "fromagerie-test", "moulin-test"]
    assert rows[1]["kinds"] == "cheese_dairy|shop"
    assert rows[0]["wheelchair"] == "oui" and rows[1]["wheelchair"] == ""
    assert json.loads(rows[1]["opening_hours"])["specs"][0]["closes"] == "18:00"
    assert rows[2]["commune_insee"] == "59331"
    assert float(rows[1]["latitude"]) == pytest.approx(50.1335)

    code, out, _ = kb("export", "csv", "--type", "evenement")
    assert code == 0
    (event_row,) = list(csv.DictReader(io.StringIO(out)))
    assert event_row["title"] == "Marché du soir"
    assert json.loads(event_row["timings"]) == [
        {"start": "2027-07-02T15:00:00+00:00", "end": "2027-07-02T19:00:00+00:00"}]

    # An export can be imported into another base as it is.
    other = Kb(tmp_path / "autre.sqlite3", kb.capsys)
    assert other("init", "--no-seed")[0] == 0
    code, _, err = other("add", "lieu", "--file", str(target))
    assert code == 0, err
    assert other.show("lieu", "fromagerie-test") == kb.show("lieu", "fromagerie-test")
    code, out, _ = kb("export", "json", "--type", "evenement")
    events_file = tmp_path / "events.json"
    events_file.write_text(out, encoding="utf-8")
    code, _, err = other("add", "evenement", "--file", str(events_file))
    assert code == 0, err
    assert other.show("evenement", "evt-marche-du-soir") == kb.show("evenement",
                                                                    "evt-marche-du-soir")

    # An empty table still gives a header.
    code, out, _ = kb("export", "csv", "--type", "itineraire")
    assert code == 0 and out.strip() == "id"


def test_search_tolerates_typos(kb: Kb) -> None:
    assert kb("add", "lieu", *FORUM_FLAGS)[0] == 0
    assert kb("add", "lieu", "--name", "Remparts du Quesnoy", "--kinds", "rampart",
              "--interests", "patrimoine", "--commune", "Le Quesnoy")[0] == 0
    code, out, _ = kb("search", "forum antik")
    assert code == 0
    assert out.startswith("poi-forum-antique-de-bavay\tForum antique de Bavay\t(ressemblance ")
    assert "remparts" not in out
    code, out, _ = kb("search", "REMPART du quesnoi")
    assert code == 0 and out.startswith("poi-remparts-du-quesnoy\t")
    code, out, _ = kb("search", "piscine olympique")
    assert code == 1 and out.strip() == "Aucun lieu ne ressemble à « piscine olympique »."


def test_init_loads_the_real_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = Kb(tmp_path / "seeded.sqlite3", capsys)
    code, out, err = kb("init")
    assert code == 0, err
    m = re.fullmatch(r"Données chargées : (\d+) communes, (\d+) lieux, (\d+) itinéraires, "
                     r"(\d+) événements\.\n", out)
    assert m, out
    communes, pois, routes, events = map(int, m.groups())
    assert communes == 3782 and pois >= 80 and routes >= 12 and events >= 25

    code, out, err = kb("validate", "--json")
    findings = json.loads(out)
    errors = [f for f in findings if f["level"] == "erreur"]
    assert errors == [] and code == 0

    engine = make_engine(kb.url)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    try:
        with session_factory(engine)() as s:
            assert s.execute(select(func.count()).select_from(Poi)).scalar_one() == pois
            assert s.execute(select(func.count()).select_from(Route)).scalar_one() == routes
            upcoming = s.execute(
                select(func.count(func.distinct(EventTiming.event_id)))
                .join(Event, Event.id == EventTiming.event_id)
                .where(EventTiming.end > now, Event.published.is_(True))
            ).scalar_one()
            assert upcoming >= 25
            soon = s.execute(
                select(func.count(func.distinct(EventTiming.event_id)))
                .where(EventTiming.start < now + timedelta(days=31), EventTiming.end > now)
            ).scalar_one()
            assert soon >= 5  # something to propose this month
            present = set()
            for (keys,) in s.execute(select(Poi.interests)):
                present.update(keys)
            assert present == set(INTERESTS)
            for model in (Poi, Event, Route):
                for obj in s.execute(select(model)).scalars():
                    assert obj.source and obj.source != "Saisie par l'office de tourisme", obj.id
                    assert obj.coord_precision in COORD_PRECISIONS, obj.id
    finally:
        engine.dispose()

    # The shipped files state provenance and precision themselves (no silent default).
    for name in ("pois.yaml", "routes.yaml", "events.yaml"):
        for record in yaml.safe_load((SEED_DIR / name).read_text(encoding="utf-8")):
            assert record.get("source"), (name, record.get("id"))
            assert record.get("coord_precision") in COORD_PRECISIONS, (name, record.get("id"))

    # init on a base that has data changes nothing; seed updates by id.
    code, out, _ = kb("init")
    assert code == 0 and out.strip() == "Base prête (données déjà présentes)."
    code, out, err = kb("seed")
    assert code == 0, err
    assert kb.count(Poi) == pois and kb.count(Route) == routes and kb.count(Event) == events


def test_a_base_from_an_older_version_is_refused_clearly(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str],
                                                          ) -> None:
    import sqlite3

    db = tmp_path / "old.sqlite3"
    url = f"sqlite:///{db}"
    assert main(["--db", url, "init", "--no-seed"], out=io.StringIO()) == 0
    with sqlite3.connect(db) as conn:  # simulate an older schema: a column is missing
        conn.execute("DROP INDEX ix_pois_spatial")
        conn.execute("ALTER TABLE pois DROP COLUMN has_hours")
    assert main(["--db", url, "list", "lieu"], out=io.StringIO()) == 1
    err = capsys.readouterr().err
    assert "version précédente" in err and "has_hours" in err and "init --reset" in err
    assert main(["--db", url, "init", "--reset", "--no-seed"], out=io.StringIO()) == 0


@pytest.mark.parametrize(("argv", "expected"), [
    (["bidule"], "« bidule » n'existe pas"),
    (["show"], "il manque : "),
    (["list", "poi", "--trop"], "arguments non reconnus : --trop"),
])
def test_usage_errors_are_in_french(argv: list[str], expected: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert err.startswith("utilisation : ") and " : erreur : " in err and expected in err
    assert "usage:" not in err and "error:" not in err
