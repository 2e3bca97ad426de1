"""DATAtourisme imports: real samples, the feed export, re-imports, lastUpdate,
unpublishing, dry runs and broken files — on SQLite and PostgreSQL (`kb_factory`)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker

from knowledge import importers
from knowledge.importers import import_file
from knowledge.importers import report as report_module
from knowledge.models import Event, Poi, Route
from knowledge.queries import PoiQuery, find_places_by_name, nearby_pois
from tests.support.import_helpers import FIXTURES, SAMPLES, WIDE_KM, get, snapshot

FEED = FIXTURES / "datatourisme" / "feed"
MUSEUM = "https://data.datatourisme.fr/99/essai-0001"
COTTAGE = "https://data.datatourisme.fr/99/essai-0002"
ESTAMINET = "https://data.datatourisme.fr/99/essai-0003"


def _copy_feed(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FEED, tmp_path / "feed"))


def _edit(feed: Path, name: str, **changes: object) -> None:
    path = feed / "objects" / "0" / "00" / name
    obj = json.loads(path.read_text(encoding="utf-8"))
    obj.update(changes)
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")


def test_each_real_sample_imports(kb_factory: sessionmaker,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOWLEDGE_MAX_DISTANCE_KM", WIDE_KM)
    samples = sorted((SAMPLES / "datatourisme").glob("*.json"))
    assert len(samples) == 7
    for sample in samples:
        report = import_file(kb_factory, sample)
        assert report.committed and not report.rejected, report.summary_fr()
        assert len(report.added) == 1 and not report.unpublished  # one object: not a feed
    resto = get(kb_factory, Poi, name="Chez Jeanne")
    assert (resto.kind, resto.interests) == ("restaurant", ["gastronomie"])
    assert resto.source == "DATAtourisme" and "Etalab" in resto.licence
    assert resto.source_id == "https://data.datatourisme.fr/30/0049c43b-5087-3c44-87ef-349d316fc2b8"
    assert resto.phone == "+33 2 14 14 13 60" and resto.latitude == pytest.approx(49.4090531)
    assert resto.opening_hours["specs"] and resto.has_hours
    cellar = get(kb_factory, Poi, name="DOMAINE DE SOUSTRES")
    assert cellar.kind == "producer" and cellar.wheelchair is True
    assert cellar.prices == {"text": "de 0 à 15 €"}
    expo = get(kb_factory, Event, title="EXPOSITION : \"ÉMOTIONS ENFOUIES\" D'ANNA-EVA BERGE")
    assert expo.interests == ["culture"] and len(expo.timings) > 500
    # A second pass over every sample changes nothing.
    before = snapshot(kb_factory)
    for sample in samples:
        report = import_file(kb_factory, sample)
        assert (report.added, report.changed, report.unchanged) == ([], [], 1)
    assert snapshot(kb_factory) == before


def test_real_samples_are_refused_far_from_the_territory(kb_factory: sessionmaker) -> None:
    """With the default limit (40 km) the samples, from all over France, are refused."""
    report = import_file(kb_factory, SAMPLES / "datatourisme")
    assert not report.committed and len(report.rejected) == 7
    rejection = next(r for r in report.rejected if r.record_id == "RESNOR050V50LHP5")
    assert rejection.field == "latitude"
    # Named as staff know it, and simply elsewhere: no request to check the coordinates.
    assert (rejection.title, rejection.place) == ("Chez Jeanne", "Sainte-Mère-Église")
    assert rejection.reason.startswith("hors du territoire : Sainte-Mère-Église, à 3")
    assert "km du Pays de Mormal" in rejection.reason and "vérifiez" not in rejection.reason
    assert str(rejection).startswith(
        "fichier 30-0049c43b-5087-3c44-87ef-349d316fc2b8.json, fiche RESNOR050V50LHP5 "
        "(Chez Jeanne — Sainte-Mère-Église), champ latitude : hors du territoire : ")
    assert snapshot(kb_factory) == {}


def test_feed_export_reads_edge_cases(kb_factory: sessionmaker) -> None:
    report = import_file(kb_factory, FEED, progress=True, actor="tests")
    assert report.committed and report.full_feed and not report.rejected
    assert (len(report.added), report.actor) == (4, "tests")
    museum = get(kb_factory, Poi, source_id=MUSEUM)
    # French label chosen among several languages; numbers given as strings.
    assert museum.name == "Musée d'essai de la Sambre"
    assert (museum.latitude, museum.longitude) == (50.2985, 3.794)
    assert museum.commune_insee == "59053" and museum.kinds == ["museum", "heritage_site"]
    assert museum.interests == ["culture", "patrimoine"] and museum.wheelchair is True
    assert museum.prices == {"text": "de 3,5 à 7 €"}
    assert museum.phone == "+33 3 00 00 00 01"  # the first well-formed number
    # A malformed phone is left out, with a note, rather than refusing the record.
    estaminet = get(kb_factory, Poi, source_id=ESTAMINET)
    assert estaminet.phone is None and estaminet.email == "essai@example.org"
    assert estaminet.notes.endswith(
        "Téléphone non repris (format invalide) : « appeler la mairie ».")
    # openingHoursSpecification: day objects and URIs, a single day string, a closure.
    assert museum.opening_hours["specs"] == [
        {"days": ["su"], "opens": "14:00", "closes": "24:00"},
        {"days": ["tu", "we"], "opens": "10:00", "closes": "18:00",
         "valid_from": "2026-01-01", "valid_through": "2026-12-31"},
    ]
    assert museum.opening_hours["closures"] == ["2026-12-24", "2026-12-25", "2026-12-26"]
    # No French label: the first language given; no geo: the commune centre.
    cottage = get(kb_factory, Poi, source_id=COTTAGE)
    assert cottage.name == "Holiday cottage (essai)" and cottage.kind == "gite"
    assert cottage.coord_precision == "commune" and cottage.commune_insee == "59481"
    assert cottage.latitude == pytest.approx(50.2506593981)
    assert cottage.opening_hours["note"] == "Ouvert d'avril à octobre (essai)."
    assert cottage.pets_allowed is False
    expo = get(kb_factory, Event, source_id="https://data.datatourisme.fr/99/essai-0004")
    assert [(t.start.isoformat(), t.end.isoformat()) for t in expo.timings] == [
        ("2026-07-14T12:00:00", "2026-07-14T16:00:00"),  # 14:00–18:00 Paris, in UTC
        ("2026-07-14T22:00:00", "2026-07-16T22:00:00"),  # two whole days
    ]


def test_a_zip_export_is_the_same_feed(kb_factory: sessionmaker, tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in FEED.rglob("*.json"):
            zf.write(path, "flux-1234/" + str(path.relative_to(FEED)))
    report = import_file(kb_factory, archive)
    assert report.committed and report.full_feed and len(report.added) == 4
    again = import_file(kb_factory, FEED)  # the folder holds the same records
    assert (again.added, again.changed, again.unchanged) == ([], [], 4)


def test_reimport_update_and_unpublish(kb_factory: sessionmaker, tmp_path: Path) -> None:
    feed = _copy_feed(tmp_path)
    first = import_file(kb_factory, feed)
    before = snapshot(kb_factory)
    again = import_file(kb_factory, feed)
    assert (again.added, again.changed, again.unchanged, again.unpublished) == ([], [], 4, [])
    assert snapshot(kb_factory) == before

    # A newer lastUpdate rewrites the record; an equal one does not.
    _edit(feed, "99-essai-0003.json", lastUpdate="2026-04-01",
          **{"rdfs:label": {"fr": ["Estaminet du Grand Tilleul (essai)"]}})
    _edit(feed, "99-essai-0001.json", **{"rdfs:label": {"fr": ["Nom changé sans date"]},
                                         "lastUpdateDatatourisme": "2026-03-01T10:00:00"})
    # A record leaves the feed.
    index = json.loads((feed / "index.json").read_text(encoding="utf-8"))
    (feed / "index.json").write_text(json.dumps([e for e in index if "0002" not in e["file"]]),
                                     encoding="utf-8")
    report = import_file(kb_factory, feed)
    estaminet = get(kb_factory, Poi, source_id=ESTAMINET)
    cottage = get(kb_factory, Poi, source_id=COTTAGE)
    assert report.changed == [estaminet.id] and report.unpublished == [cottage.id]
    assert report.unchanged == 2 and report.committed
    assert estaminet.name == "Estaminet du Grand Tilleul (essai)"
    assert get(kb_factory, Poi, source_id=MUSEUM).name == "Musée d'essai de la Sambre"
    assert cottage.published is False  # unpublished, not deleted
    assert set(snapshot(kb_factory)) == set(before) and len(first.added) == 4
    with kb_factory() as session:
        assert not find_places_by_name(session, "holiday cottage essai")
        assert find_places_by_name(session, "holiday cottage essai", include_unpublished=True)

    # It comes back to the feed unchanged: published again. A record a staff member
    # unpublished, still in the feed and unchanged, stays unpublished.
    (feed / "index.json").write_text(json.dumps(index), encoding="utf-8")
    with kb_factory() as session, session.begin():
        session.get(Poi, estaminet.id).published = False
    back = import_file(kb_factory, feed)
    assert back.changed == [cottage.id] and back.unpublished == [] and back.unchanged == 3
    assert get(kb_factory, Poi, source_id=COTTAGE).published is True
    assert get(kb_factory, Poi, source_id=ESTAMINET).published is False


def test_report_keeps_counts_and_the_first_ids(kb_factory: sessionmaker, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_module, "SAMPLE_SIZE", 2)
    monkeypatch.setattr(importers, "BATCH_SIZE", 3)  # batches of 3 and 1 records
    feed = _copy_feed(tmp_path)
    report = import_file(kb_factory, feed)
    assert report.committed and (report.n_added, len(report.added)) == (4, 2)
    assert report.truncated and "4 ajout(s)" in report.summary_fr()
    out = report.to_dict()
    assert (out["n_added"], out["ids_truncated"], out["ids_sample_size"]) == (4, True, 2)
    assert len(snapshot(kb_factory)) == 4
    index = json.loads((feed / "index.json").read_text(encoding="utf-8"))
    (feed / "index.json").write_text(json.dumps(index[:1]), encoding="utf-8")
    gone = import_file(kb_factory, feed, dry_run=True)
    assert (gone.n_unpublished, len(gone.unpublished), gone.unchanged) == (3, 2, 1)
    assert import_file(kb_factory, feed).n_unpublished == 3  # the temporary table reused


def test_record_hook_sees_before_and_after(kb_factory: sessionmaker, tmp_path: Path) -> None:
    calls: list[tuple[str, str, str, Any, Any]] = []
    commits: list[int] = []

    def hook(session: object, kind: str, record_id: str, action: str,
             before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        calls.append((kind, record_id, action, before, after))

    feed = _copy_feed(tmp_path)
    first = import_file(kb_factory, feed, on_record=hook,
                        before_commit=lambda s, r: commits.append(r.n_added))
    assert sorted(c[1] for c in calls) == sorted(first.added) and commits == [4]
    assert all(c[2] == "create" and c[3] is None and c[4]["id"] == c[1] for c in calls)
    calls.clear()
    _edit(feed, "99-essai-0003.json", lastUpdate="2026-04-01",
          **{"rdfs:label": {"fr": ["Estaminet renommé (essai)"]}})
    index = json.loads((feed / "index.json").read_text(encoding="utf-8"))
    (feed / "index.json").write_text(json.dumps([e for e in index if "0002" not in e["file"]]),
                                     encoding="utf-8")
    report = import_file(kb_factory, feed, on_record=hook)
    by_action = {c[2]: c for c in calls}
    assert sorted(by_action) == ["edit", "unpublish"] and len(calls) == 2
    edit, gone = by_action["edit"], by_action["unpublish"]
    assert edit[1] == report.changed[0] and edit[4]["name"] == "Estaminet renommé (essai)"
    assert edit[3]["name"] != edit[4]["name"]
    assert gone[1] == report.unpublished[0]
    assert (gone[3]["published"], gone[4]["published"]) == (True, False)


def test_same_name_twice_in_one_batch_gets_two_ids(kb_factory: sessionmaker,
                                                   tmp_path: Path) -> None:
    feed = _copy_feed(tmp_path)
    name = {"rdfs:label": {"fr": ["Même nom (essai)"]}}
    _edit(feed, "99-essai-0001.json", **name)
    _edit(feed, "99-essai-0003.json", **name)
    report = import_file(kb_factory, feed)
    assert report.committed and report.n_added == 4 and len(set(report.added)) == 4
    assert len(snapshot(kb_factory)) == 4


def test_a_single_object_unpublishes_nothing(kb_factory: sessionmaker) -> None:
    import_file(kb_factory, FEED)
    report = import_file(kb_factory, FEED / "objects" / "0" / "00" / "99-essai-0001.json")
    assert not report.full_feed and report.unpublished == [] and report.unchanged == 1


def test_dry_run_reports_and_writes_nothing(kb_factory: sessionmaker, tmp_path: Path) -> None:
    feed = _copy_feed(tmp_path)
    dry = import_file(kb_factory, feed, dry_run=True)
    assert dry.dry_run and not dry.committed and len(dry.added) == 4
    assert snapshot(kb_factory) == {}
    import_file(kb_factory, feed)
    before = snapshot(kb_factory)
    _edit(feed, "99-essai-0003.json", lastUpdate="2026-05-01",
          **{"rdfs:label": {"fr": ["Autre nom (essai)"]}})
    (feed / "index.json").write_text(json.dumps([
        e for e in json.loads((feed / "index.json").read_text(encoding="utf-8"))
        if "0001" not in e["file"]]), encoding="utf-8")
    dry = import_file(kb_factory, feed, dry_run=True)
    assert len(dry.changed) == 1 and len(dry.unpublished) == 1 and dry.unchanged == 2
    assert "Essai (rien n'a été enregistré)" in dry.summary_fr()
    assert snapshot(kb_factory) == before
    assert dry.to_dict()["unpublished"] == [get(kb_factory, Poi, source_id=MUSEUM).id]


@pytest.mark.parametrize("name, expected", [
    ("truncated.json", [("truncated.json", None, None, "JSON illisible ligne 6")]),
    ("wrong_types.json", [
        ("wrong_types.json", "https://data.datatourisme.fr/99/essai-0010", "schema:latitude",
         "un nombre est attendu (reçu « cinquante »)."),
        ("wrong_types.json", "https://data.datatourisme.fr/99/essai-0011", "@type",
         "la liste des classes est manquante ou mal formée."),
    ]),
    ("missing_ids.json", [
        ("missing_ids.json", "SANS-ID", "@id", "identifiant manquant"),
        ("missing_ids.json", "https://data.datatourisme.fr/99/essai-0013", "rdfs:label",
         "le nom est manquant."),
    ]),
])
def test_broken_files_change_nothing(kb_factory: sessionmaker, name: str,
                                     expected: list[tuple[str, str | None, str | None, str]],
                                     ) -> None:
    import_file(kb_factory, FEED)
    before = snapshot(kb_factory)
    report = import_file(kb_factory, FIXTURES / "broken" / name, "datatourisme")
    assert not report.committed and "Import refusé, rien n'a été enregistré" in report.summary_fr()
    got = [(r.file, r.record_id, r.field, r.reason) for r in report.rejected]
    assert len(got) == len(expected)
    for (file, rid, field, reason), want in zip(got, expected, strict=True):
        assert (file, rid, field) == want[:3] and reason.startswith(want[3])
    assert snapshot(kb_factory) == before


def test_a_broken_object_in_a_feed_stops_the_whole_run(kb_factory: sessionmaker,
                                                       tmp_path: Path) -> None:
    feed = _copy_feed(tmp_path)
    target = feed / "objects" / "0" / "00" / "99-essai-0004.json"
    target.write_text(target.read_text(encoding="utf-8")[:200], encoding="utf-8")
    report = import_file(kb_factory, feed)
    assert not report.committed and len(report.added) == 3  # would have been added
    assert [(r.file, r.record_id) for r in report.rejected] == [
        ("objects/0/00/99-essai-0004.json", None)]
    assert snapshot(kb_factory) == {}
    (feed / "objects" / "0" / "00" / "99-essai-0002.json").unlink()
    report = import_file(kb_factory, feed)
    assert "absent de l'export" in str(report.rejected[0])
    # An index may not point outside the export.
    shutil.copy(FEED / "objects" / "0" / "00" / "99-essai-0001.json", tmp_path / "out.json")
    (feed / "index.json").write_text(json.dumps([{"file": "../../out.json"}]),
                                     encoding="utf-8")
    report = import_file(kb_factory, feed)
    assert [r.reason for r in report.rejected] == ["chemin hors de l'export : refusé."]


def test_partial_keeps_the_valid_records(kb_factory: sessionmaker) -> None:
    report = import_file(kb_factory, FIXTURES / "broken" / "wrong_types.json", partial=True)
    assert report.committed and len(report.rejected) == 2 and len(report.added) == 1
    assert "sauf les fiches refusées" in report.summary_fr()
    assert get(kb_factory, Poi, name="Musée valide (essai)").kind == "museum"


def test_mapping_file_is_editable_and_checked(kb_factory: sessionmaker, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("datatourisme:\n  classes:\n"
                       "    - {class: Museum, kind: castle, interests: [patrimoine]}\n",
                       encoding="utf-8")
    monkeypatch.setenv("KNOWLEDGE_IMPORT_MAPPING", str(mapping))
    report = import_file(kb_factory, FEED, dry_run=True)
    unmapped = [r for r in report.rejected if r.field == "@type"]
    # Cottage, estaminet, and the exhibition (this mapping lists no event classes).
    assert len(unmapped) == 3 and "mapping.yaml" in unmapped[0].reason
    import_file(kb_factory, FEED / "objects" / "0" / "00" / "99-essai-0001.json")
    assert get(kb_factory, Poi, source_id=MUSEUM).kind == "castle"
    mapping.write_text("datatourisme:\n  classes:\n    - {class: Museum, kind: musee}\n",
                       encoding="utf-8")
    report = import_file(kb_factory, FEED)
    assert not report.committed and report.rejected[0].file == "mapping.yaml"
    assert "« musee » inconnu" in report.rejected[0].reason


def test_an_imported_place_reaches_the_bot_at_once(kb_factory: sessionmaker) -> None:
    """No retraining: the actions find a new place by a fuzzy name straight away."""
    import_file(kb_factory, FEED)
    with kb_factory() as session:
        matches = find_places_by_name(session, "estaminet du vieu tileul")
    assert matches and matches[0].poi.name == "Estaminet du Vieux Tilleul (essai)"


def test_the_bot_recommends_an_imported_place_at_once(kb_factory: sessionmaker) -> None:
    """The nearby query of the actions returns an imported place with no restart."""
    import_file(kb_factory, FEED)
    with kb_factory() as session:
        page = nearby_pois(session, PoiQuery(50.2936, 3.8031, interests=["gastronomie"],
                                             radius_km=5), limit=5)
    assert [hit.poi.name for hit in page.items] == ["Estaminet du Vieux Tilleul (essai)"]


def test_progress_bar_on_stderr(kb_factory: sessionmaker, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importers, "PROGRESS_DELAY_S", 0.0)  # a long import, in short
    import_file(kb_factory, FEED, progress=True)
    err = capsys.readouterr().err
    assert "Import DATAtourisme" in err and "4/4" in err
    import_file(kb_factory, FEED, progress=False)
    assert capsys.readouterr().err == ""


def test_a_tour_becomes_a_route(kb_factory: sessionmaker, tmp_path: Path) -> None:
    tour = {
        "@id": "https://data.datatourisme.fr/99/essai-0020",
        "@type": ["Tour", "WalkingTour", "PointOfInterest"],
        "rdfs:label": {"fr": ["Boucle d'essai"]},
        "hasDescription": [{"dc:description": {"fr": ["Itinéraire fictif."]}}],
        "isLocatedAt": [{"schema:geo": {"schema:latitude": "50.2100",
                                        "schema:longitude": "3.7000"},
                         "schema:address": [{"hasAddressCity": {"insee": "59384"}}]}],
        "lastUpdate": "2026-03-05",
    }
    path = tmp_path / "tour.jsonld"
    path.write_text(json.dumps(tour), encoding="utf-8")
    report = import_file(kb_factory, path)
    assert report.committed and len(report.added) == 1
    route = get(kb_factory, Route, source_id=tour["@id"])
    assert (route.name, route.mode, route.start_commune_insee) == ("Boucle d'essai", "hike",
                                                                   "59384")
    assert (route.start_latitude, route.description) == (50.21, "Itinéraire fictif.")


def test_single_nodes_instead_of_lists(kb_factory: sessionmaker, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON-LD may give one node on its own instead of a one-item list (contacts, offers,
    representations): read the same, and a number there is ignored, not a crash."""
    monkeypatch.setenv("KNOWLEDGE_MAX_DISTANCE_KM", WIDE_KM)
    sample = SAMPLES / "datatourisme" / "30-0049c43b-5087-3c44-87ef-349d316fc2b8.json"
    obj = json.loads(sample.read_text(encoding="utf-8"))
    obj["hasContact"], obj["offers"] = obj["hasContact"][0], obj["offers"][0]
    obj["hasMainRepresentation"] = {"ebucore:hasRelatedResource": {
        "ebucore:locator": ["https://example.org/chez-jeanne.jpg"]}}
    obj["hasRepresentation"] = 5
    path = tmp_path / "compact.json"
    path.write_text(json.dumps(obj), encoding="utf-8")
    report = import_file(kb_factory, path, "datatourisme")
    assert report.committed and not report.rejected, report.summary_fr()
    resto = get(kb_factory, Poi, name="Chez Jeanne")
    assert resto.phone == "+33 2 14 14 13 60"
    assert resto.image == "https://example.org/chez-jeanne.jpg"


CHEZ_JEANNE = SAMPLES / "datatourisme" / "30-0049c43b-5087-3c44-87ef-349d316fc2b8.json"


def test_a_record_from_another_region_keeps_its_own_commune(
        kb_factory: sessionmaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The INSEE code the source gives wins (issue 16: a record that says 50523 was given
    the nearest Hauts-de-France commune); the nearest commune only when none is given."""
    from knowledge.audit import check_base
    from knowledge.models import Commune

    monkeypatch.setenv("KNOWLEDGE_MAX_DISTANCE_KM", WIDE_KM)
    report = import_file(kb_factory, CHEZ_JEANNE)
    assert report.committed and not report.rejected, report.summary_fr()
    resto = get(kb_factory, Poi, name="Chez Jeanne")
    assert resto.commune_insee == "50523" and resto.in_territory is False
    commune = get(kb_factory, Commune, insee="50523")  # kept with the source's name
    assert (commune.name, commune.latitude, commune.in_territory) == (
        "Sainte-Mère-Église", None, False)
    # Known from then on: a second import changes nothing, the record stays valid.
    again = import_file(kb_factory, CHEZ_JEANNE, force=True)
    assert (again.added, again.changed, again.rejected) == ([], [], [])
    with kb_factory() as session:
        assert [f for f in check_base(session) if f.record_id == resto.id] == []
    # Without a code, the nearest commune of the gazetteer is the fallback.
    obj = json.loads(CHEZ_JEANNE.read_text(encoding="utf-8"))
    obj["@id"] += "-sans-code"
    del obj["isLocatedAt"][0]["schema:address"][0]["hasAddressCity"]
    (tmp_path / "sans-code.json").write_text(json.dumps(obj), encoding="utf-8")
    assert import_file(kb_factory, tmp_path / "sans-code.json").committed
    fallback = get(kb_factory, Poi, source_id=obj["@id"])
    assert fallback.commune_insee not in (None, "50523")
    assert get(kb_factory, Commune, insee=fallback.commune_insee).latitude is not None
