"""Issue 16: the console's verification page shows, per commune and in/outside the
territory, how many published places are exact / approximate / at the commune's centre
and how many are unpublished — the counts `python -m knowledge validate` prints (one
function, knowledge.audit.precision_by_commune), over the real app."""

from __future__ import annotations

import io
import re
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy.engine import Engine

from knowledge import cli
from knowledge.db import session_factory, transaction
from knowledge.store import Store
from tests.unit.webapp.test_console import _url, client, login  # noqa: F401 (fixture)

BAVAY, MAUBEUGE = "59053", "59392"


def place(name: str, insee: str, precision: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "kinds": ["museum"], "interests": ["culture"],
            "commune_insee": insee, "coord_precision": precision, "source": "tests", **extra}


def cells(html: str, row_start: str) -> list[str]:
    match = re.search(re.escape(row_start) + r"(.*?)</tr>", html, re.S)
    assert match, row_start
    return re.findall(r"<td>(\d+)</td>", match.group(1))


async def test_the_verification_page_counts_positions_per_commune(
        client: TestClient, kb_engine: Engine) -> None:  # noqa: F811
    with transaction(session_factory(kb_engine)) as session:
        store = Store.for_session(session)
        for i, precision in enumerate(("exact", "exact", "approximate", "commune")):
            extra = {} if precision == "commune" else {"latitude": 50.2936 + i / 1000,
                                                       "longitude": 3.8031}
            store.save_poi(place(f"Lieu test {i}", BAVAY, precision, **extra))
        store.save_poi(place("Lieu non publié", BAVAY, "commune", published=False,
                             notes="Non publié : test."))
        store.save_poi(place("Lieu ailleurs", MAUBEUGE, "commune"))
    assert await login(client, "edith") == 302
    resp = await client.get("/console/verification")
    assert resp.status == 200
    html = await resp.text()
    assert cells(html, f'<tr data-insee="{BAVAY}">') == ["2", "1", "1", "1"]
    assert cells(html, f'<tr data-insee="{MAUBEUGE}">') == ["0", "0", "1", "0"]
    assert cells(html, '<tr class="total"><th scope="row">Dans le territoire') \
        == ["2", "1", "1", "1"]
    assert cells(html, '<tr class="total"><th scope="row">Hors du territoire') \
        == ["0", "0", "1", "0"]
    # the same figures as the command line's
    out = io.StringIO()
    cli.main(["--db", _url(kb_engine), "validate"], out=out)
    printed = out.getvalue()
    assert "Bavay (59053, territoire) : 2 exacte(s), 1 approximative(s), 1 au centre de la " \
           "commune ; 1 non publié(s)" in printed
    assert "Dans le territoire : 2 exacte(s), 1 approximative(s), 1 au centre de la " \
           "commune ; 1 non publié(s)." in printed
