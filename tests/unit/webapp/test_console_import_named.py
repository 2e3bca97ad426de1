"""The console's import for staff: a file where one record is simply elsewhere is
previewed with every refused or added record named by its title, place and dates, the
refusal worded for staff, and "importer les valides et ignorer les autres" imports the
rest (the command line's --partial), journal included."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from knowledge.db import session_factory
from knowledge.importers import ImportReport, Rejection
from knowledge.models import Event
from tests.support.import_helpers import CAEN_TITLE, mixed_openagenda
from tests.unit.webapp.test_console import _upload, client, login, token  # noqa: F401
from webapp.console import imports
from webapp.console.models import AuditEntry

TOKEN = re.compile(r'name="token" value="([^"]+)"')


def test_refusals_are_grouped_by_record_and_name_the_upload() -> None:
    report = ImportReport(source="OpenAgenda", rejected=[
        Rejection("x1.json", "1", "title", "le titre est manquant."),
        Rejection("x1.json", "2", "latitude", "hors du territoire : Caen, à 302 km",
                  "Lecture", "Bibliothèque, Caen", "16/09/2022 à 18 h 30"),
        Rejection("x1.json", "2", "phone", "Le téléphone est invalide."),
        Rejection("autre.json", None, None, "JSON illisible."),
    ])
    got = imports.refusals(report, "agenda.json", "x1.json")
    assert [(r.record, r.title, r.place, r.file, r.reasons) for r in got] == [
        (True, None, None, "agenda.json", ["le titre est manquant."]),
        (True, "Lecture", "Bibliothèque, Caen", "agenda.json",
         ["hors du territoire : Caen, à 302 km", "Le téléphone est invalide."]),
        (False, None, None, "autre.json", ["JSON illisible."])]
    report.n_added, report.n_unpublished = 4, 1
    assert imports.importable(report) == 5


async def test_import_the_valid_records_and_leave_the_one_elsewhere(
        client: TestClient, kb_engine: Engine, tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "UPLOAD_DIR", tmp_path)
    assert await login(client, "edith") == 302
    csrf = await token(client, "/console/import")
    data = mixed_openagenda()
    preview = await client.post("/console/import", data=_upload(
        csrf, "agenda.json", json.dumps(data).encode(), "openagenda"))
    html = await preview.text()
    assert preview.status == 200
    assert "5 ajout(s)" in html and "1 refus" in html
    refused = re.search(r'<table id="refus">(.*?)</table>', html, re.S)
    assert refused is not None
    row = refused.group(1)
    # Named by its title, place and dates; the reason says where it is, for staff.
    assert CAEN_TITLE in row and "Bibliothèque Alexis de Tocqueville, Caen" in row
    assert "18/09/2022 à 15 h 30 et 17 h" in row
    assert re.search(r"hors du territoire : Caen, à 3\d\d km du Pays de Mormal", row), row
    assert "vérifiez les coordonnées" not in html and "Corrigez le fichier" not in html
    assert str(data["events"][-1]["uid"]) not in row  # not by its number
    assert "Confirmer l&#39;import" not in html
    assert "Importer les valides et ignorer les autres" in html
    with session_factory(kb_engine)() as session:  # a preview writes nothing
        assert session.execute(select(Event)).first() is None

    upload = TOKEN.search(html)
    assert upload is not None
    done = await client.post("/console/import/confirmer", data={
        "csrf_token": csrf, "token": upload.group(1), "partiel": "oui"})
    html = await done.text()
    assert done.status == 200 and "Import enregistré" in html
    assert "Les fiches refusées ont été ignorées" in html
    added = re.search(r'<ul class="named">(.*?)</ul>', html, re.S)
    assert added is not None
    # The added records by title, town and date, linked to their page; no slug shown.
    assert "Lecture : Au moyen d’une magnifique prose poétique</strong></a> — " \
           "Bibliothèque Alexis de Tocqueville, Bavay — 16/09/2022 à 18 h 30" in added.group(1)
    with session_factory(kb_engine)() as session:
        events = session.execute(select(Event)).scalars().all()
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "import")
                                ).scalar_one()
    assert len(events) == 5 and CAEN_TITLE not in {e.title for e in events}
    assert all(f'href="/console/evenements/{e.id}"' in added.group(1) for e in events)
    assert all(f">{e.id}<" not in html for e in events)
    assert entry.after["partial"] is True and entry.after["n_added"] == 5
    assert entry.after["rejected"][0]["title"] == CAEN_TITLE
