"""Visitor conversations over REST (issue 13): the real servers and trained model, each
conversation ending in a check of what the visitor needed — the right town, the filters
respected, the right kind, the named place, the follow-up answered about the last one, and
French as locals write it. Slow (the servers start once for the module)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from geopy.distance import geodesic

from tests.e2e.test_e2e_rest import cards, say
from tests.support.servers import Servers, running_servers

pytestmark = pytest.mark.e2e

LE_QUESNOY = {"latitude": 50.2507, "longitude": 3.6249}
SHARE_LQ = f"/share_location{json.dumps(LE_QUESNOY)}"
WRONG_FRENCH = re.compile(r"\b(de|à|près de) Le Quesnoy\b")


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with running_servers(tmp_path_factory.mktemp("visitors")) as s:
        yield s


def talk(servers: Servers, *messages: str) -> list[list[dict[str, Any]]]:
    """One conversation: the replies to each message, in order."""
    sender = f"visitor-{uuid.uuid4().hex[:8]}"
    out = [say(servers, sender, m) for m in messages]
    for replies in out:  # French as locals write it, and each member's agreement
        for m in replies:
            text = m.get("text") or ""
            assert not WRONG_FRENCH.search(text), text
            if text.startswith(("🎈 Léa", "🧀 Sophie", "👵 Mamie Jeannine")):
                assert not re.search(r"Désolé\b", text), text
            assert "Chaussez" not in text
    return out


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in replies)


def near(item: dict[str, Any], point: dict[str, float], km: float) -> bool:
    return geodesic((point["latitude"], point["longitude"]),
                    (item["latitude"], item["longitude"])).km <= km


def test_from_lille_arriving_at_le_quesnoy(servers: Servers) -> None:
    replies = talk(servers, "on vient de Lille et on arrive au Quesnoy samedi, que visiter ?",
                   '/inform_interests{"interest": "patrimoine"}')
    found = cards(replies[-1]) or cards(replies[0])
    assert found, replies
    assert all(near(i, LE_QUESNOY, 20) for i in found)  # measured from Le Quesnoy, not Lille
    assert "Lille" not in texts(replies[-1])


def test_a_position_in_lille_is_said_honestly(servers: Servers) -> None:
    (replies,) = talk(servers, "je suis à Lille")
    assert not cards(replies)
    buttons = [b["title"] for m in replies for b in m.get("buttons") or []]
    assert {"Le Quesnoy", "Bavay", "Landrecies"} <= set(buttons), replies
    assert "Pays de Mormal" in texts(replies)


def test_a_walk_for_a_wheelchair(servers: Servers) -> None:
    replies = talk(servers, SHARE_LQ, "une balade accessible en fauteuil ?")
    routes = cards(replies[-1], "routes")
    assert all(r["difficulty"] == "easy" and r["length_km"] <= 6 for r in routes), routes
    assert "fauteuil" in texts(replies[-1])  # what routes cannot tell is said


@pytest.mark.parametrize("ask", ["une promenade pas trop longue, à plat",
                                 "une rando de 5 km max"])
def test_short_walks(servers: Servers, ask: str) -> None:
    replies = talk(servers, SHARE_LQ, ask)
    routes = cards(replies[-1], "routes")
    assert routes and all(r["length_km"] <= 6 for r in routes), replies[-1]


@pytest.mark.parametrize(("ask", "kind"), [
    ("un restaurant pour ce midi", "restaurant"),
    ("je cherche un gîte", "gite"),
    ("un hôtel pour ce soir", "hotel"),
    ("un camping", "campsite"),
])
def test_the_kind_asked_for(servers: Servers, ask: str, kind: str) -> None:
    replies = talk(servers, SHARE_LQ, ask)
    found = cards(replies[-1])
    assert found and all(kind in i["kinds"] for i in found), replies[-1]


def test_no_estaminet_gives_labelled_alternatives(servers: Servers) -> None:
    replies = talk(servers, SHARE_LQ, "un estaminet pour manger une flamiche")
    payloads = [m["custom"] for m in replies[-1] if (m.get("custom") or {}).get("items")]
    assert payloads and payloads[-1].get("alternative_to") == "estaminet", replies[-1]


def test_the_farm_for_maroilles_cheese(servers: Servers) -> None:
    replies = talk(servers, SHARE_LQ, "une ferme pour acheter du maroilles fermier")
    assert "Ferme du Pont des Loups" in [i["name"] for i in cards(replies[-1])], replies[-1]


@pytest.mark.parametrize(("ask", "name"), [
    ("la tombe de Wilfred Owen", "Tombe de Wilfred Owen (cimetière communal d'Ors)"),
    ("Avec une poussette, on peut faire le tour des remparts du Quesnoy ?",
     "Remparts et fortifications du Quesnoy"),
])
def test_the_named_place(servers: Servers, ask: str, name: str) -> None:
    replies = talk(servers, ask)
    assert name in [i["name"] for i in cards(replies[-1])], replies[-1]


def test_and_the_number_after_a_card(servers: Servers) -> None:
    replies = talk(servers, "horaires du forum antique de Bavay", "et le numéro ?")
    assert "03 59 73 15 50" in texts(replies[-1]), replies[-1]


def test_is_it_waymarked_after_routes(servers: Servers) -> None:
    replies = talk(servers, SHARE_LQ, "une petite rando à pied", "c'est balisé ?")
    routes = cards(replies[1], "routes")
    assert routes, replies[1]
    answer = texts(replies[-1])
    assert "balis" in answer or "Office de tourisme" in answer, replies[-1]
    assert "position ne m'est pas parvenue" not in answer
