"""The custom actions (bot/actions), run the way rasa-sdk's own tests run them.

Each test builds a `Tracker` from a small dict (or a JSON fixture of
tests/fixtures/trackers/), calls `await Action().run(dispatcher, tracker, domain)` with a
`CollectingDispatcher`, and checks the returned events (`SlotSet` names and values) and
the messages: which reply was given (`voice`, a key of bot.dialogue.voice) and the `custom`
payload of docs/DESIGN.md §5 (docs/contracts.md) — never the French wording.

The knowledge base is a SQLite file seeded once for the module with the shipped data
(90 real POIs, routes, example events relative to today), plus a few test-only records
written through `knowledge.store.Store` (wheelchair flags and opening hours, which the
shipped data never sets, and events on known days). Expected values are recomputed here
from the database and with geopy, not taken from the code under test.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from geopy.distance import geodesic
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.actions.common import kb, use_knowledge_base
from bot.actions.information import (
    ActionContactOffice,
    ActionPlaceInfo,
    ActionRecordFeedback,
    ActionTransport,
    ActionWeather,
)
from bot.actions.location import ActionSetLocation, ValidateRecommendForm
from bot.actions.searches import (
    ActionAffirm,
    ActionFindEvents,
    ActionFindRoutes,
    ActionMore,
    ActionRecommend,
    ActionRefine,
)
from bot.dialogue.recommend import INDOOR_KINDS, PAGE_SIZE
from bot.dialogue.voice import VOICE
from knowledge.aio import KnowledgeBase
from knowledge.db import create_schema, make_engine, session_factory, transaction
from knowledge.models import Event, Poi, Route
from knowledge.seeding import seed
from knowledge.store import Store
from knowledge.taxonomy import INTERESTS, KINDS
from knowledge.text import slugify
from tests.support.paths import FIXTURES as FIXTURES_DIR
from tests.support.paths import ROOT

FIXTURES = FIXTURES_DIR / "trackers"
DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
PARIS = ZoneInfo("Europe/Paris")

# Commune centres of the gazetteer (knowledge/seed/*.csv).
BAVAY = {"position_label": "Bavay", "latitude": 50.2936087618, "longitude": 3.80308794658}
LE_QUESNOY = {"position_label": "Le Quesnoy", "latitude": 50.2506593981,
              "longitude": 3.62486177207}
LANDRECIES = {"position_label": "Landrecies", "latitude": 50.1205093509,
              "longitude": 3.68851283044}
PARIS_POINT = (48.8566, 2.3522)  # far outside the territory (and outside the gazetteer)

PLACE_KEYS = {"id", "name", "kind", "interests", "commune", "distance_km", "latitude",
              "longitude", "open_now", "price", "accessible", "url", "image"}
EVENT_KEYS = {"id", "title", "start", "end", "commune", "distance_km", "latitude",
              "longitude", "url", "price"}
ROUTE_KEYS = {"id", "name", "mode", "length_km", "difficulty", "commune", "distance_km",
              "latitude", "longitude", "url"}

# Test-only records (the shipped data has no wheelchair flag and no opening hours).
INACCESSIBLE = "test-bavay-salle-sans-rampe"
ACCESSIBLE = "test-bavay-salle-de-plain-pied"
ALWAYS_OPEN = "test-bavay-halle-ouverte"
CLOSED_TODAY = "test-bavay-chapelle-fermee"
WEEKEND_EVENT = "test-evt-fete-du-week-end"
TOMORROW_EVENT = "test-evt-atelier-de-demain"
ACCESSIBLE_EVENT = "test-evt-visite-accessible"


# --------------------------------------------------------------------------- periods
# Computed here from the rules of DESIGN / bot/dialogue/periods.py's docstring, not with it.
def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=PARIS)


def weekend_bounds(today: date) -> tuple[datetime, datetime]:
    """"ce week-end": Saturday 00:00 → Monday 00:00; the current one on Saturday, only
    Sunday when asked on Sunday."""
    wd = today.weekday()
    if wd <= 4:
        saturday = today + timedelta(days=5 - wd)
        return _midnight(saturday), _midnight(saturday + timedelta(days=2))
    monday = today + timedelta(days=7 - wd)
    return _midnight(today), _midnight(monday)


def tomorrow_bounds(today: date) -> tuple[datetime, datetime]:
    tomorrow = today + timedelta(days=1)
    return _midnight(tomorrow), _midnight(tomorrow + timedelta(days=1))


def next_week_bounds(today: date) -> tuple[datetime, datetime]:
    monday = today + timedelta(days=7 - today.weekday())
    return _midnight(monday), _midnight(monday + timedelta(days=7))


# --------------------------------------------------------------------------- knowledge base
def _test_records(store: Store, today: date) -> None:
    near_bavay = {"commune_insee": "59053", "interests": ["patrimoine"], "kinds": ["museum"],
                  "source": "tests", "is_example": True}
    store.save_poi({**near_bavay, "id": INACCESSIBLE, "name": "Salle d'essai sans rampe",
                    "latitude": 50.2940, "longitude": 3.8035,
                    "accessibility": {"wheelchair": False, "pushchair": False}})
    store.save_poi({**near_bavay, "id": ACCESSIBLE, "name": "Salle d'essai de plain-pied",
                    "latitude": 50.2950, "longitude": 3.8000,
                    "accessibility": {"wheelchair": True, "pushchair": True}})
    store.save_poi({**near_bavay, "id": ALWAYS_OPEN, "name": "Halle d'essai toujours ouverte",
                    "latitude": 50.2930, "longitude": 3.8050,
                    "opening_hours": {"specs": [{"opens": "00:00", "closes": "24:00"}]}})
    closed_days = [(today + timedelta(days=d)).isoformat() for d in (-1, 0, 1)]
    store.save_poi({**near_bavay, "id": CLOSED_TODAY, "name": "Chapelle d'essai fermée",
                    "kinds": ["chapel"], "latitude": 50.2925, "longitude": 3.8040,
                    "opening_hours": {"specs": [{"opens": "09:00", "closes": "18:00"}],
                                      "closures": closed_days}})
    _start, end = weekend_bounds(today)
    store.save_event({"id": WEEKEND_EVENT, "title": "Fête d'essai du week-end",
                      "commune_insee": "59053", "latitude": 50.2936, "longitude": 3.8031,
                      "interests": ["famille"], "source": "tests", "is_example": True,
                      "timings": [{"start": (end - timedelta(hours=14)).isoformat(),
                                   "end": (end - timedelta(minutes=1)).isoformat()}]})
    t_start, _t_end = tomorrow_bounds(today)
    store.save_event({"id": ACCESSIBLE_EVENT, "title": "Visite d'essai de plain-pied",
                      "commune_insee": "59053", "latitude": 50.2950, "longitude": 3.8000,
                      "interests": ["patrimoine"], "source": "tests", "is_example": True,
                      "accessibility": {"wheelchair": True, "pushchair": True},
                      "timings": [{"start": (t_start + timedelta(days=3, hours=14)).isoformat(),
                                   "end": (t_start + timedelta(days=3, hours=16)).isoformat()}]})
    store.save_event({"id": TOMORROW_EVENT, "title": "Atelier d'essai de demain",
                      "commune_insee": "59481", "interests": ["famille"], "source": "tests",
                      "is_example": True,
                      "timings": [{"start": (t_start + timedelta(hours=10)).isoformat(),
                                   "end": (t_start + timedelta(hours=12)).isoformat()}]})


@pytest.fixture(scope="module", autouse=True)
def knowledge_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """The shipped data plus the test records, in a SQLite file, used by the actions."""
    url = f"sqlite:///{tmp_path_factory.mktemp('actions-kb') / 'kb.sqlite3'}"
    engine = make_engine(url)
    create_schema(engine)
    factory = session_factory(engine)
    today = datetime.now(PARIS).date()
    with transaction(factory) as session:
        seed(session, today=today)
    with transaction(factory) as session:
        _test_records(Store.for_session(session), today)
    engine.dispose()
    instance = KnowledgeBase(url)
    use_knowledge_base(instance)
    yield instance
    use_knowledge_base(None)
    instance.dispose()


def all_rows(model: Any) -> list[Any]:
    return kb().call(lambda s: list(s.execute(select(model)).scalars()))


def poi(poi_id: str) -> Poi:
    found = kb().call(lambda s: s.get(Poi, poi_id))
    assert found is not None, poi_id
    return found


# --------------------------------------------------------------------------- trackers
def tracker(fixture: str | None = None, *, slots: dict[str, Any] | None = None,
            intent: str | None = None, entities: list[dict[str, Any]] | None = None,
            text: str | None = None, **state: Any) -> Tracker:
    """A tracker from a JSON fixture (or an empty conversation), with overrides."""
    if fixture:
        data = json.loads((FIXTURES / f"{fixture}.json").read_text(encoding="utf-8"))
    else:
        data = {"sender_id": "test-user", "slots": {},
                "latest_message": {"intent": {"name": "find_places", "confidence": 1.0},
                                   "entities": [], "text": ""},
                "events": [], "paused": False, "followup_action": None, "active_loop": {},
                "latest_action_name": "action_listen"}
    data = copy.deepcopy(data)
    data["slots"].update(copy.deepcopy(slots or {}))
    message = data["latest_message"]
    if intent is not None:
        message["intent"] = {"name": intent, "confidence": 1.0}
    if entities is not None:
        message["entities"] = entities
    if text is not None:
        message["text"] = text
    data.update(state)
    return Tracker.from_dict(data)


def ents(**values: Any) -> list[dict[str, Any]]:
    out = []
    for name, value in values.items():
        for v in value if isinstance(value, list) else [value]:
            out.append({"entity": name, "value": v})
    return out


async def run(action: Action, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, DOMAIN)
    assert_well_formed(dispatcher.messages)
    return dispatcher.messages, events


def assert_well_formed(messages: list[dict[str, Any]]) -> None:
    """Every message names its reply and says something: never an empty message."""
    for m in messages:
        assert m.get("voice") in VOICE, m
        assert (m.get("text") or "").strip() or m.get("custom"), m
        if m.get("custom") is not None:
            json.dumps(m["custom"])  # JSON-able, as channels send it


def voices(messages: list[dict[str, Any]]) -> list[str]:
    """The reply keys, each once, in order (a reply is its sentence, then its facts)."""
    out: list[str] = []
    for m in messages:
        if not out or out[-1] != m["voice"]:
            out.append(m["voice"])
    return out


def payloads(messages: list[dict[str, Any]], kind: str | None = None) -> list[dict[str, Any]]:
    return [m["custom"] for m in messages
            if m.get("custom") and (kind is None or m["custom"].get("type") == kind)]


def the_payload(messages: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = payloads(messages, kind)
    assert len(found) == 1, voices(messages)
    return found[0]


def slot_sets(events: list[dict[str, Any]]) -> dict[str, Any]:
    out = {}
    for e in events:
        assert e["event"] == "slot", e
        out[e["name"]] = e["value"]
    return out


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return geodesic((lat1, lon1), (lat2, lon2)).km


def assert_distances_from(items: list[dict[str, Any]], lat: float, lon: float) -> None:
    for item in items:
        expected = km(lat, lon, item["latitude"], item["longitude"])
        assert item["distance_km"] == pytest.approx(expected, abs=0.01), item["id"]


def assert_place_item(item: dict[str, Any]) -> None:
    assert set(item) >= PLACE_KEYS, PLACE_KEYS - set(item)
    assert isinstance(item["id"], str) and item["id"]
    assert isinstance(item["name"], str) and item["name"]
    assert item["kind"] in KINDS
    assert item["interests"] and set(item["interests"]) <= set(INTERESTS)
    assert item["commune"] is None or isinstance(item["commune"], str)
    assert item["distance_km"] is None or (isinstance(item["distance_km"], float)
                                           and item["distance_km"] >= 0)
    assert -90 <= item["latitude"] <= 90 and -180 <= item["longitude"] <= 180
    assert item["open_now"] in (True, False, None)
    assert_price(item["price"])
    assert item["accessible"] in (True, False, None)
    for key in ("url", "image"):
        assert item[key] is None or item[key].startswith("https://")


def assert_price(price: Any) -> None:
    """None (not known), or what the base says: free and/or a text."""
    assert price is None or (price and set(price) <= {"free", "text"}
                             and price.get("free", True) is True), price


def assert_event_item(item: dict[str, Any]) -> None:
    assert set(item) >= EVENT_KEYS, EVENT_KEYS - set(item)
    assert_price(item["price"])
    assert isinstance(item["title"], str) and item["title"]
    start, end = datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"])
    assert start.tzinfo is not None and start < end
    assert item["distance_km"] is None or item["distance_km"] >= 0
    assert item["url"] is None or item["url"].startswith("https://")


def assert_route_item(item: dict[str, Any]) -> None:
    assert set(item) >= ROUTE_KEYS, ROUTE_KEYS - set(item)
    assert item["mode"] in ("hike", "bike", "mtb", "horse")
    assert item["difficulty"] in ("easy", "medium", "hard", None)
    assert item["distance_km"] >= 0


async def first_search(fixture: str = "bavay_patrimoine", **slots: Any,
                       ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """action_recommend once; returns its messages and the slots it sets."""
    messages, events = await run(ActionRecommend(), tracker(fixture, slots=slots))
    return messages, slot_sets(events)


def within(lat: float, lon: float, radius: float, interest: str) -> set[str]:
    """Ids of the published POIs with `interest` within `radius` km (geodesic)."""
    return {p.id for p in all_rows(Poi) if p.published and interest in (p.interests or [])
            and km(lat, lon, p.latitude, p.longitude) <= radius}


# =========================================================================== places
async def test_places_payload_follows_the_contract() -> None:
    messages, slots = await first_search()
    assert voices(messages) == ["places_found_jeannine"]
    payload = the_payload(messages, "places")
    items = payload["items"]
    assert 3 <= len(items) <= 5
    for item in items:
        assert_place_item(item)
        assert "patrimoine" in item["interests"]
    assert payload["where"] == "Bavay"  # the position used is said
    assert len({i["id"] for i in items}) == len(items)
    # the numbered text lists the cards in the order of the payload
    text = next(m["text"] for m in messages if m.get("custom"))
    lines = [line.split(". ", 1)[1] for line in text.splitlines()]
    assert len(lines) == len(items)
    assert all(line.startswith(i["name"]) for line, i in zip(lines, items, strict=True))
    # the search is remembered for "encore" and refinements
    state = slots["search_state"]
    assert state["kind"] == "places" and state["interests"] == ["patrimoine"]
    assert state["offset"] == len(items) and state["shown"] == [i["id"] for i in items]
    # buttons for the next steps are on the last message
    assert messages[-1]["buttons"]


@pytest.mark.parametrize("where", [BAVAY, LE_QUESNOY, LANDRECIES],
                         ids=["bavay", "le-quesnoy", "landrecies"])
async def test_distances_are_measured_from_the_position_used(where: dict[str, Any]) -> None:
    messages, _ = await first_search(**where)
    payload = the_payload(messages, "places")
    assert payload["where"] == where["position_label"]
    assert_distances_from(payload["items"], where["latitude"], where["longitude"])
    assert all(i["distance_km"] <= 15.0 for i in payload["items"])


async def test_two_positions_give_different_distances_and_order() -> None:
    at_bavay, _ = await first_search(**BAVAY)
    at_landrecies, _ = await first_search(**LANDRECIES)
    bavay_items = the_payload(at_bavay, "places")["items"]
    landrecies_items = the_payload(at_landrecies, "places")["items"]
    assert [i["id"] for i in bavay_items] != [i["id"] for i in landrecies_items]
    # the same place measured from both positions
    forum = poi("bavay-forum-antique")
    from_bavay = km(BAVAY["latitude"], BAVAY["longitude"], forum.latitude, forum.longitude)
    from_landrecies = km(LANDRECIES["latitude"], LANDRECIES["longitude"], forum.latitude,
                         forum.longitude)
    assert from_landrecies - from_bavay > 10
    assert max(i["distance_km"] for i in bavay_items) < min(
        km(LANDRECIES["latitude"], LANDRECIES["longitude"], i["latitude"], i["longitude"])
        for i in bavay_items)


async def test_recommend_without_position_asks_for_it() -> None:
    messages, events = await run(ActionRecommend(), tracker(
        "bavay_patrimoine", slots={"position_label": None, "latitude": None,
                                   "longitude": None}))
    assert voices(messages) == ["ask_position_label"]
    assert events == []


# =========================================================================== "encore"
async def test_more_pages_without_repeats_until_no_more_results() -> None:
    messages, slots = await first_search()
    state = slots["search_state"]
    seen = [i["id"] for i in the_payload(messages, "places")["items"]]
    pages = 1
    while True:
        t = tracker("bavay_patrimoine", slots={"search_state": state}, intent="request_more",
                    entities=[], text="encore")
        messages, events = await run(ActionMore(), t)
        if voices(messages) == ["no_more_results"]:
            assert messages[-1]["buttons"], "after the last page, offer something else"
            break
        assert voices(messages) == ["places_found_jeannine"]
        items = the_payload(messages, "places")["items"]
        assert 1 <= len(items) <= PAGE_SIZE
        for item in items:
            assert_place_item(item)
        assert_distances_from(items, BAVAY["latitude"], BAVAY["longitude"])
        new_ids = [i["id"] for i in items]
        assert not set(new_ids) & set(seen), "a place was shown twice"
        seen += new_ids
        new_state = slot_sets(events)["search_state"]
        assert new_state["offset"] == len(seen)
        assert new_state["shown"] == seen
        state = new_state
        pages += 1
        assert pages < 20
    assert pages >= 3
    # every match within the radius was shown once, none outside it
    assert set(seen) == within(BAVAY["latitude"], BAVAY["longitude"], 15.0, "patrimoine")
    # asking again after the end still answers politely
    t = tracker("bavay_patrimoine", slots={"search_state": state}, intent="request_more",
                entities=[], text="encore")
    messages, _ = await run(ActionMore(), t)
    assert voices(messages) == ["no_more_results"]


async def test_more_without_a_previous_search() -> None:
    messages, events = await run(ActionMore(), tracker(
        "bavay_patrimoine", intent="request_more", entities=[], text="encore"))
    assert voices(messages) == ["nothing_to_refine"]
    assert events == []


async def test_affirm_after_results_gives_the_next_page() -> None:
    messages, slots = await first_search()
    first_ids = {i["id"] for i in the_payload(messages, "places")["items"]}
    messages, events = await run(ActionAffirm(), tracker(
        "bavay_patrimoine", slots={"search_state": slots["search_state"]}, intent="affirm",
        entities=[], text="oui"))
    items = the_payload(messages, "places")["items"]
    assert not {i["id"] for i in items} & first_ids
    assert slot_sets(events)["search_state"]["offset"] == len(first_ids) + len(items)
    messages, events = await run(ActionAffirm(), tracker(intent="affirm", text="oui"))
    assert voices(messages) == ["affirm_nothing"] and events == []


# =========================================================================== refinements
async def refine(state: dict[str, Any], text: str, entities: list[dict[str, Any]] | None = None,
                 where: dict[str, Any] = BAVAY,
                 ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    t = tracker("bavay_patrimoine", slots={**where, "search_state": state}, intent="refine",
                entities=entities or [], text=text)
    messages, events = await run(ActionRefine(), t)
    return messages, slot_sets(events)


@pytest.mark.parametrize(("text", "entities"), [
    ("plus près", []),
    ("/refine{\"radius\": \"plus près\"}", ents(radius="plus près")),
    ("un peu plus proche svp", []),
], ids=["typed", "button", "proche"])
async def test_refine_nearer_halves_the_radius(text: str, entities: list[dict[str, Any]],
                                               ) -> None:
    _, slots = await first_search()
    before = slots["search_state"]["radius_km"]
    messages, slots = await refine(slots["search_state"], text, entities)
    assert voices(messages)[0] == "refined"
    state = slots["search_state"]
    assert state["radius_km"] == pytest.approx(before / 2, abs=0.05)
    items = the_payload(messages, "places")["items"]
    assert items
    assert_distances_from(items, BAVAY["latitude"], BAVAY["longitude"])
    assert all(i["distance_km"] <= state["radius_km"] for i in items)
    assert state["offset"] == len(items) and state["shown"] == [i["id"] for i in items]
    # and again: halved once more, still every card within it
    messages, slots = await refine(state, "encore plus près")
    assert slots["search_state"]["radius_km"] == pytest.approx(state["radius_km"] / 2, abs=0.05)
    assert all(i["distance_km"] <= slots["search_state"]["radius_km"]
               for i in the_payload(messages, "places")["items"])


async def test_refine_with_a_radius_in_km() -> None:
    _, slots = await first_search()
    messages, slots = await refine(slots["search_state"], "à moins de 5 km",
                                   ents(radius="à moins de 5 km"))
    assert slots["search_state"]["radius_km"] == 5.0
    assert all(i["distance_km"] <= 5.0 for i in the_payload(messages, "places")["items"])


@pytest.mark.parametrize(("text", "entities"), [
    ("pour les enfants", []),
    ("/refine{\"audience\": \"enfants\"}", ents(audience="enfants")),
    ("c'est pour les gamins", []),
], ids=["typed", "button", "gamins"])
async def test_refine_for_children_sets_the_audience(text: str,
                                                     entities: list[dict[str, Any]]) -> None:
    _, slots = await first_search()
    messages, slots = await refine(slots["search_state"], text, entities)
    assert voices(messages)[0] == "refined"
    state = slots["search_state"]
    assert state["audience"] == "enfants"
    assert "famille" in state["interests"]
    items = the_payload(messages, "places")["items"]
    assert items and state["shown"] == [i["id"] for i in items]
    # places that say they suit children come before those that say they do not
    first = poi(items[0]["id"])
    assert not first.audiences or "enfants" in first.audiences


@pytest.mark.parametrize(("text", "entities"), [
    ("accessible en fauteuil", []),
    ("/refine{\"accessibility\": \"fauteuil\"}", ents(accessibility="fauteuil")),
    ("pour une personne en fauteuil roulant", []),
    ("accessible PMR", []),
], ids=["typed", "button", "fauteuil-roulant", "pmr"])
async def test_refine_wheelchair_never_returns_a_place_known_inaccessible(
        text: str, entities: list[dict[str, Any]]) -> None:
    _, slots = await first_search()
    # without the need, the inaccessible test place is a candidate of this search
    assert INACCESSIBLE in within(BAVAY["latitude"], BAVAY["longitude"], 15.0, "patrimoine")
    assert poi(INACCESSIBLE).wheelchair is False
    messages, slots = await refine(slots["search_state"], text, entities)
    assert voices(messages)[0] == "refined"
    state = slots["search_state"]
    assert state["wheelchair"] is True
    shown: list[str] = []
    while True:  # every page of the refined search
        items = the_payload(messages, "places")["items"]
        for item in items:
            assert item["accessible"] is not False, item["id"]
            assert poi(item["id"]).wheelchair is not False, item["id"]
        shown += [i["id"] for i in items]
        messages, events = await run(ActionMore(), tracker(
            "bavay_patrimoine", slots={"search_state": state}, intent="request_more",
            entities=[], text="encore"))
        if voices(messages) == ["no_more_results"]:
            break
        state = slot_sets(events)["search_state"]
        assert state["wheelchair"] is True  # the need is kept from page to page
    assert INACCESSIBLE not in shown
    assert ACCESSIBLE in shown
    # the known-accessible place ranks before places whose access is unknown
    assert shown.index(ACCESSIBLE) < PAGE_SIZE


@pytest.mark.parametrize(("text", "entities"), [
    ("ouvert maintenant", []),
    ("/refine{\"period\": \"maintenant\"}", ents(period="maintenant")),
    ("seulement ce qui est ouvert en ce moment", []),
], ids=["typed", "button", "en-ce-moment"])
async def test_refine_open_now_returns_only_open_places(text: str,
                                                        entities: list[dict[str, Any]]) -> None:
    _, slots = await first_search()
    messages, slots = await refine(slots["search_state"], text, entities)
    assert voices(messages)[0] == "refined"
    assert slots["search_state"]["open_now"] is True
    items = the_payload(messages, "places")["items"]
    assert items and all(i["open_now"] is True for i in items)
    ids = [i["id"] for i in items]
    assert ALWAYS_OPEN in ids
    assert CLOSED_TODAY not in ids


async def test_refine_open_now_with_nothing_open_gives_a_helpful_reply() -> None:
    # No shipped place has opening hours: no restaurant is known to be open now. The
    # family says it does not know the hours, and still shows the nearest places.
    _, slots = await first_search(interests=["gastronomie"])
    messages, slots = await refine(slots["search_state"], "ouvert maintenant")
    assert voices(messages)[:2] == ["refined", "hours_unknown"]
    items = the_payload(messages, "places")["items"]
    assert items and all(i["open_now"] is None for i in items)
    assert all("maintenant" not in b["payload"] for b in messages[-1]["buttons"])


@pytest.mark.parametrize(("text", "entities"), [
    ("à vélo", []),
    ("plutôt en vtt", []),
], ids=["velo", "vtt"])
async def test_refine_by_bike(text: str, entities: list[dict[str, Any]]) -> None:
    _, slots = await first_search()
    messages, slots = await refine(slots["search_state"], text, entities)
    assert voices(messages)[0] == "refined"
    state = slots["search_state"]
    assert state["interests"] == ["velo"]
    items = the_payload(messages, "places")["items"]
    assert items and all("velo" in i["interests"] for i in items)


async def test_refine_by_bike_on_routes_changes_the_mode() -> None:
    _, events = await run(ActionFindRoutes(), tracker(
        intent="find_routes", entities=[], text="une balade"))
    state = slot_sets(events)["search_state"]
    messages, slots = await refine(state, "à vélo", where=LE_QUESNOY)
    assert slots["search_state"]["route_mode"] == "bike"
    items = the_payload(messages, "routes")["items"]
    assert items and all(i["mode"] == "bike" for i in items)


async def test_refine_events_for_wheelchairs_keeps_only_accessible_events() -> None:
    first, events = await run(ActionFindEvents(), tracker(
        "bavay_patrimoine", intent="find_events", entities=[], text="quoi de prévu ?"))
    state = slot_sets(events)["search_state"]
    assert any(not i.get("accessible") for i in the_payload(first, "events")["items"])
    messages, slots = await refine(state, "accessible en fauteuil")
    assert voices(messages)[0] == "refined" and slots["search_state"]["wheelchair"] is True
    items = the_payload(messages, "events")["items"]
    assert [i["id"] for i in items] == [ACCESSIBLE_EVENT]
    assert all(i["accessible"] is True for i in items)


async def test_refine_routes_by_what_routes_do_not_record_says_so() -> None:
    _, events = await run(ActionFindRoutes(), tracker(
        intent="find_routes", entities=[], text="une balade"))
    state = slot_sets(events)["search_state"]
    messages, slots = await refine(state, "ouvert maintenant", where=LE_QUESNOY)
    assert voices(messages) == ["refine_unsupported"]
    assert slots == {}  # the search is unchanged: "encore" continues it


@pytest.mark.parametrize("text", ["accessible en fauteuil", "avec une poussette"])
async def test_refine_routes_for_a_wheelchair_says_so_and_keeps_the_easy_short_ones(
        text: str) -> None:
    """Routes carry no accessibility data: the family says so (never silently), keeps the
    need, and shows only easy, short routes, in gentle words."""
    _, events = await run(ActionFindRoutes(), tracker(
        intent="find_routes", entities=[], text="une balade"))
    state = slot_sets(events)["search_state"]
    messages, slots = await refine(state, text, where=LE_QUESNOY)
    assert voices(messages)[:2] == ["refine_unsupported", "refined"]
    assert "routes_found" not in voices(messages)  # no "Chaussez-vous bien !"
    after = slots["search_state"]
    assert after["difficulty"] == "easy" and after["max_km"] <= 6.0
    for item in payloads(messages, "routes")[0]["items"] if payloads(messages, "routes") else []:
        assert item["difficulty"] == "easy" and item["length_km"] <= 6.0


async def test_refine_events_open_now_is_said_unsupported_and_the_rest_applies() -> None:
    _, events = await run(ActionFindEvents(), tracker(
        "bavay_patrimoine", intent="find_events", entities=[], text="quoi de prévu ?"))
    state = slot_sets(events)["search_state"]
    messages, slots = await refine(state, "plus près et ouvert maintenant")
    assert voices(messages)[:2] == ["refine_unsupported", "refined"]
    assert slots["search_state"]["open_now"] is False
    assert slots["search_state"]["radius_km"] < state["radius_km"]


async def test_refine_not_understood_and_refine_without_search() -> None:
    _, slots = await first_search()
    messages, slots_after = await refine(slots["search_state"], "bof")
    assert voices(messages) == ["refine_unclear"] and slots_after == {}
    messages, events = await run(ActionRefine(), tracker(intent="refine", text="plus près"))
    assert voices(messages) == ["nothing_to_refine"] and events == []


# =========================================================================== empty results
async def test_nothing_nearby_in_the_territory_widens_the_radius() -> None:
    hon_hergies = kb().gazetteer().lookup("Hon-Hergies")
    assert hon_hergies is not None and hon_hergies.in_territory
    lat, lon = hon_hergies.latitude, hon_hergies.longitude
    assert not within(lat, lon, 15.0, "peche")  # nothing for anglers within 15 km
    messages, slots = await first_search(position_label=hon_hergies.name, latitude=lat,
                                         longitude=lon, interests=["peche"])
    assert voices(messages) == ["radius_widened", "places_found_franck"]
    radius = slots["search_state"]["radius_km"]
    assert 15.0 < radius <= 45.0
    items = the_payload(messages, "places")["items"]
    assert items and all(15.0 < i["distance_km"] <= radius for i in items)
    assert {i["id"] for i in items} <= within(lat, lon, radius, "peche")


async def test_far_away_position_gets_no_results_with_choices() -> None:
    messages, slots = await first_search(position_label="Paris", latitude=PARIS_POINT[0],
                                         longitude=PARIS_POINT[1])
    assert voices(messages) == ["no_results"]
    assert not payloads(messages)
    assert messages[-1]["buttons"]  # other places to search from
    assert slots["search_state"]["offset"] == 0


# =========================================================================== the form
async def test_form_rejects_impossible_coordinates_politely() -> None:
    messages, events = await run(ValidateRecommendForm(), tracker("share_location_invalid"))
    assert voices(messages) == ["position_invalid"]
    assert not {"position_label", "latitude", "longitude"} & set(slot_sets(events))


@pytest.mark.parametrize(("entities", "text"), [
    (ents(place="Le-Quesnoy"), "Le-Quesnoy"),
    ([], "le quesnoy"),
    (ents(place="le quesnoy"), "je suis au quesnoy"),
], ids=["hyphen-entity", "typed-lowercase", "entity-lowercase"])
async def test_form_typed_town_sets_the_position(entities: list[dict[str, Any]],
                                                 text: str) -> None:
    messages, events = await run(ValidateRecommendForm(), tracker(
        "inform_location_le_quesnoy", entities=entities, text=text))
    slots = slot_sets(events)
    assert slots.get("position_label") == "Le Quesnoy"
    # the coordinates must come with the label: action_recommend needs all three
    assert slots.get("latitude") == pytest.approx(LE_QUESNOY["latitude"])
    assert slots.get("longitude") == pytest.approx(LE_QUESNOY["longitude"])
    assert "position_unknown" not in voices(messages)


@pytest.mark.parametrize("intent", ["nlu_fallback", "out_of_scope", "affirm"])
async def test_form_bare_answer_naming_a_place_of_the_base_sets_the_position(
        intent: str) -> None:
    """Asked "where are you?", a visitor may answer with a place rather than a town."""
    messages, events = await run(ValidateRecommendForm(), tracker(
        "inform_location_le_quesnoy", intent=intent, entities=[], text="forum antique"))
    slots = slot_sets(events)
    forum = next(p for p in all_rows(Poi) if p.name == "Forum antique de Bavay")
    assert slots.get("position_label") == "« Forum antique de Bavay »"
    assert (slots.get("latitude"), slots.get("longitude")) == (forum.latitude, forum.longitude)
    assert messages == []


async def test_form_shared_coordinates_set_the_position() -> None:
    messages, events = await run(ValidateRecommendForm(), tracker(
        "share_location_invalid", entities=ents(latitude=50.2936, longitude=3.8031),
        text='/share_location{"latitude": 50.2936, "longitude": 3.8031}'))
    slots = slot_sets(events)
    assert slots.get("position_label") == "votre position (près de Bavay)"
    assert slots.get("latitude") == 50.2936
    assert slots.get("longitude") == 3.8031


async def test_form_unknown_town() -> None:
    messages, events = await run(ValidateRecommendForm(), tracker(
        "inform_location_le_quesnoy", entities=ents(place="Trifouillis-les-Oies"),
        text="je suis à Trifouillis-les-Oies"))
    assert voices(messages) == ["position_unknown"]
    assert not {"position_label", "latitude", "longitude"} & set(slot_sets(events))


async def test_form_share_location_without_coordinates() -> None:
    messages, events = await run(ValidateRecommendForm(), tracker(
        "share_location_invalid", entities=[], text="/share_location"))
    assert voices(messages) == ["position_missing"]
    assert "position_label" not in slot_sets(events)


@pytest.mark.parametrize(("intent", "entities", "text"), [
    ("ask_place_info", None, None),  # the fixture: "horaires du forum antique ?"
    ("ask_weather", [], "il pleut à Bavay ?"),
    ("find_events", ents(place="Landrecies"), "que faire à Landrecies ce week-end"),
], ids=["place-info", "weather", "events"])
async def test_form_digression_does_not_set_the_position(
        intent: str, entities: list[dict[str, Any]] | None, text: str | None) -> None:
    messages, events = await run(ValidateRecommendForm(), tracker(
        "digression_place_info", intent=intent, entities=entities, text=text))
    assert not {"position_label", "latitude", "longitude"} & set(slot_sets(events))
    assert messages == []


async def test_form_keeps_only_known_interests() -> None:
    t = tracker("inform_location_le_quesnoy", slots={"requested_slot": "interests"},
                intent="inform_interests", entities=ents(interest=["Patrimoine", "bidule"]),
                text="du patrimoine",
                events=[{"event": "slot", "timestamp": None, "name": "interests",
                         "value": ["Patrimoine", "bidule"]}])
    _, events = await run(ValidateRecommendForm(), t)
    assert slot_sets(events)["interests"] == ["patrimoine"]
    t = tracker("inform_location_le_quesnoy", slots={"requested_slot": "interests"},
                intent="inform_interests", text="des trucs",
                events=[{"event": "slot", "timestamp": None, "name": "interests",
                         "value": ["bidule"]}])
    _, events = await run(ValidateRecommendForm(), t)
    assert slot_sets(events)["interests"] is None  # asked again


# =========================================================================== set location
async def test_set_location_reruns_the_last_search_from_the_new_position() -> None:
    messages, slots = await first_search()
    before = the_payload(messages, "places")["items"]
    t = tracker("bavay_patrimoine", slots={"search_state": slots["search_state"]},
                intent="inform_location", entities=ents(place="Landrecies"),
                text="en fait je suis à Landrecies")
    messages, events = await run(ActionSetLocation(), t)
    assert voices(messages) == ["position_set", "places_found_jeannine"]
    slots = slot_sets(events)
    assert slots["position_label"] == "Landrecies"
    assert slots["latitude"] == pytest.approx(LANDRECIES["latitude"])
    assert slots["longitude"] == pytest.approx(LANDRECIES["longitude"])
    payload = the_payload(messages, "places")
    assert payload["where"] == "Landrecies"
    after = payload["items"]
    assert_distances_from(after, LANDRECIES["latitude"], LANDRECIES["longitude"])
    assert [i["id"] for i in after] != [i["id"] for i in before]
    assert all(i["distance_km"] <= 15.0 for i in after)
    # the search starts again from its first page, with the same criteria
    state = slots["search_state"]
    assert state["interests"] == ["patrimoine"]
    assert state["offset"] == len(after) and state["shown"] == [i["id"] for i in after]


async def test_set_location_by_shared_position_far_away() -> None:
    _, slots = await first_search()
    t = tracker("bavay_patrimoine", slots={"search_state": slots["search_state"]},
                intent="share_location",
                entities=ents(latitude=PARIS_POINT[0], longitude=PARIS_POINT[1]), text="")
    messages, events = await run(ActionSetLocation(), t)
    # the family knows the Pays de Mormal: it says so, gives the entry points, and
    # measures nothing from Paris
    assert voices(messages) == ["position_outside"]
    gates = [b["title"] for b in messages[-1]["buttons"]]
    assert set(gates) == {"Le Quesnoy", "Bavay", "Landrecies"}
    assert gates[0] == "Landrecies"  # the nearest from Paris, to the south-west
    assert not payloads(messages) and events == []


async def test_set_location_reruns_an_events_search() -> None:
    _, events = await run(ActionFindEvents(), tracker(intent="find_events", entities=[],
                                                      text="quoi de prévu ?"))
    state = slot_sets(events)["search_state"]
    t = tracker(slots={"search_state": state}, intent="inform_location",
                entities=ents(place="Bavay"), text="je suis à Bavay")
    messages, events = await run(ActionSetLocation(), t)
    assert voices(messages)[:2] == ["position_set", "events_found"]
    items = the_payload(messages, "events")["items"]
    assert_distances_from(items, BAVAY["latitude"], BAVAY["longitude"])
    assert all(i["distance_km"] <= 30.0 for i in items)


async def test_set_location_without_a_search_asks_what_to_look_for() -> None:
    messages, events = await run(ActionSetLocation(), tracker(
        intent="inform_location", entities=ents(place="Bavay"), text="je suis à Bavay"))
    assert voices(messages) == ["position_set", "ask_interests"]
    assert slot_sets(events) == {**BAVAY, "position_commune": "59053",
                                 "position_source": "typed"}


async def test_set_location_with_impossible_coordinates() -> None:
    messages, events = await run(ActionSetLocation(), tracker(
        intent="share_location", entities=ents(latitude=95, longitude=3.8), text=""))
    assert voices(messages) == ["position_invalid"]
    assert events == []


# =========================================================================== place info
async def test_place_info_for_a_named_place() -> None:
    messages, events = await run(ActionPlaceInfo(), tracker("place_info_forum"))
    assert len(voices(messages)) == 1 and voices(messages)[0].startswith("place_info_")
    items = the_payload(messages, "places")["items"]
    assert [i["id"] for i in items] == ["bavay-forum-antique"]
    assert_place_item(items[0])
    assert items[0]["name"] == "Forum antique de Bavay"
    assert_distances_from(items, LE_QUESNOY["latitude"], LE_QUESNOY["longitude"])
    assert items[0]["open_now"] is None  # no hours are known: none are invented
    # the place is now in focus, for "et le numéro ?"
    assert slot_sets(events) == {"focus": {"type": "places", "ids": ["bavay-forum-antique"],
                                           "current": "bavay-forum-antique"}}


async def test_place_info_from_the_text_alone() -> None:
    messages, _ = await run(ActionPlaceInfo(), tracker(
        "place_info_forum", slots={"position_label": None, "latitude": None,
                                   "longitude": None},
        entities=[], text="horaires du forum antique de bavay"))
    assert voices(messages) == ["place_info_jeannine"]
    items = the_payload(messages, "places")["items"]
    assert [i["id"] for i in items] == ["bavay-forum-antique"]
    assert items[0]["distance_km"] is None  # no position: no distance


@pytest.mark.parametrize("place", ["château de Versailles", "la tour Eiffel",
                                   "musée du Louvre", "le zoo de Lille"], ids=slugify)
async def test_place_info_unknown_place(place: str) -> None:
    messages, _ = await run(ActionPlaceInfo(), tracker(
        "place_info_forum", entities=ents(place=place), text=f"horaires de {place}"))
    assert voices(messages) == ["place_unknown"]
    assert not payloads(messages)
    assert messages[-1]["buttons"]


async def test_place_info_about_the_last_card_shown() -> None:
    """ "C'est ouvert quand ?" right after a page: the first card of that page."""
    messages, slots = await first_search()
    last = the_payload(messages, "places")["items"][0]["id"]
    messages, _ = await run(ActionPlaceInfo(), tracker(
        "bavay_patrimoine", slots={"search_state": slots["search_state"]},
        intent="ask_place_info", entities=ents(info_type="horaires"),
        text="c'est ouvert quand ?"))
    # its hours, or that they are unknown with who to ask, about that very card
    assert voices(messages) in (["followup"], ["followup_unknown"])
    assert [i["id"] for i in the_payload(messages, "places")["items"]] == [last]
    if voices(messages) == ["followup_unknown"]:
        assert "Office de tourisme" in messages[-1]["text"] and messages[-1]["buttons"]


# =========================================================================== events
@pytest.mark.parametrize(("period", "bounds"), [
    ("ce week-end", weekend_bounds),
    ("demain", tomorrow_bounds),
    ("la semaine prochaine", next_week_bounds),
], ids=["weekend", "demain", "semaine-prochaine"])
async def test_find_events_within_the_period(period: str, bounds: Any) -> None:
    now = datetime.now(PARIS)
    start, end = bounds(now.date())
    t = tracker(slots=BAVAY, intent="find_events", entities=ents(period=period),
                text=f"que faire {period} ?")
    messages, events = await run(ActionFindEvents(), t)
    assert voices(messages)[0] == "events_found"
    state = slot_sets(events)["search_state"]
    assert state["kind"] == "events" and state["period"] == period
    seen: list[str] = []
    while True:
        payload = the_payload(messages, "events")
        assert payload["where"] == "Bavay"
        items = payload["items"]
        assert 1 <= len(items) <= PAGE_SIZE
        for item in items:
            assert_event_item(item)
            assert datetime.fromisoformat(item["start"]) < end, item
            assert datetime.fromisoformat(item["end"]) > max(start, now), item
            assert item["distance_km"] <= 30.0
        assert_distances_from(items, BAVAY["latitude"], BAVAY["longitude"])
        starts = [datetime.fromisoformat(i["start"]) for i in items]
        assert starts == sorted(starts)  # soonest first
        assert not {i["id"] for i in items} & set(seen)
        seen += [i["id"] for i in items]
        messages, events = await run(ActionMore(), tracker(
            slots={**BAVAY, "search_state": state}, intent="request_more", text="encore"))
        if voices(messages) == ["no_more_results"]:
            break
        state = slot_sets(events)["search_state"]
        assert state["offset"] == len(seen) + len(the_payload(messages, "events")["items"])
    own = {"ce week-end": WEEKEND_EVENT, "demain": TOMORROW_EVENT}.get(period)
    if own:
        assert own in seen
    # every event of the knowledge base in the period and the radius was shown
    expected = {
        e.id for e in all_rows(Event)
        if e.published and km(BAVAY["latitude"], BAVAY["longitude"], e.latitude,
                              e.longitude) <= 30.0
        and any(t.start.replace(tzinfo=ZoneInfo("UTC")) < end
                and t.end.replace(tzinfo=ZoneInfo("UTC")) > max(start, now)
                for t in e.timings)
    }
    assert set(seen) == expected


async def test_find_events_without_position_or_period() -> None:
    messages, events = await run(ActionFindEvents(), tracker(
        intent="find_events", entities=[], text="il se passe quoi ?"))
    assert voices(messages)[0] == "events_found"
    items = the_payload(messages, "events")["items"]
    now = datetime.now(PARIS)
    for item in items:
        assert_event_item(item)
        assert item["distance_km"] is None
        assert datetime.fromisoformat(item["start"]) < now + timedelta(days=15)
        assert datetime.fromisoformat(item["end"]) > now
    # example events are flagged to the visitor
    if any(i.get("is_example") for i in items):
        assert "events_examples_warning" in voices(messages)


# =========================================================================== routes
@pytest.mark.parametrize(("entities", "text", "expect"), [
    (ents(route_mode="bike"), "une balade à vélo", {"mode": "bike"}),
    (ents(route_mode="velo"), "à vélo", {"mode": "bike"}),
    (ents(difficulty="easy"), "une rando facile", {"mode": "hike", "difficulty": "easy"}),
    (ents(length="10 km"), "une boucle de 10 km", {"min": 6.0, "max": 14.0}),
    (ents(route_mode="mtb", difficulty="hard"), "du vtt difficile",
     {"mode": "mtb", "difficulty": "hard"}),
    ([], "une balade à cheval", {"mode": "horse"}),
], ids=["bike", "velo-synonym", "easy-hike", "10-km", "hard-mtb", "cheval"])
async def test_find_routes_with_criteria(entities: list[dict[str, Any]], text: str,
                                         expect: dict[str, Any]) -> None:
    messages, events = await run(ActionFindRoutes(), tracker(
        intent="find_routes", entities=entities, text=text))
    assert voices(messages)[0] == "routes_found"
    state = slot_sets(events)["search_state"]
    assert state["kind"] == "routes"
    payload = the_payload(messages, "routes")
    items = payload["items"]
    assert 1 <= len(items) <= PAGE_SIZE
    for item in items:
        assert_route_item(item)
        if "mode" in expect:
            assert item["mode"] == expect["mode"]
        if "difficulty" in expect:
            assert item["difficulty"] == expect["difficulty"]
        if "min" in expect:
            assert expect["min"] <= item["length_km"] <= expect["max"]
    assert state["route_mode"] == expect.get("mode", state["route_mode"])
    # no position: measured from the territory's centre (Le Quesnoy), nearest first
    assert_distances_from(items, LE_QUESNOY["latitude"], LE_QUESNOY["longitude"])
    assert [i["distance_km"] for i in items] == sorted(i["distance_km"] for i in items)
    matching = [r for r in all_rows(Route)
                if r.published and km(LE_QUESNOY["latitude"], LE_QUESNOY["longitude"],
                                      r.start_latitude, r.start_longitude) <= 25.0
                and r.mode == expect.get("mode", r.mode)
                and r.difficulty == expect.get("difficulty", r.difficulty)
                and expect.get("min", 0) <= (r.length_km or 0) <= expect.get("max", 1e9)]
    assert len(items) == min(PAGE_SIZE, len(matching))


async def test_find_routes_pages_and_position() -> None:
    t = tracker(slots=LANDRECIES, intent="find_routes", entities=[], text="des balades")
    messages, events = await run(ActionFindRoutes(), t)
    seen: list[str] = []
    while voices(messages)[0] == "routes_found":
        items = the_payload(messages, "routes")["items"]
        assert_distances_from(items, LANDRECIES["latitude"], LANDRECIES["longitude"])
        assert not {i["id"] for i in items} & set(seen)
        seen += [i["id"] for i in items]
        state = slot_sets(events)["search_state"]
        assert state["offset"] == len(seen)
        messages, events = await run(ActionMore(), tracker(
            slots={**LANDRECIES, "search_state": state}, intent="request_more", text="encore"))
    assert voices(messages) == ["no_more_results"]
    expected = {r.id for r in all_rows(Route) if r.published and km(
        LANDRECIES["latitude"], LANDRECIES["longitude"], r.start_latitude,
        r.start_longitude) <= 25.0}
    assert set(seen) == expected and len(seen) == len(expected)


async def test_find_routes_nothing_matching() -> None:
    messages, events = await run(ActionFindRoutes(), tracker(
        intent="find_routes", entities=ents(route_mode="horse", difficulty="hard"),
        text="une rando à cheval difficile"))
    assert voices(messages) == ["no_routes"]
    assert messages[-1]["buttons"]
    assert not payloads(messages)


# =========================================================================== practical
@pytest.mark.parametrize("text", ["quel temps fera-t-il demain ?", "météo", "il fait beau ?"])
async def test_weather_without_rain_is_honest(text: str) -> None:
    messages, events = await run(ActionWeather(), tracker(
        slots=BAVAY, intent="ask_weather", entities=[], text=text))
    assert voices(messages) == ["weather_honest"]
    assert not payloads(messages) and events == []


@pytest.mark.parametrize(("text", "entities"), [
    ("il pleut, on fait quoi ?", []),
    ('/ask_weather{"period":"pluie"}', ents(period="pluie")),
    ("et s'il y a des averses demain ?", []),
], ids=["il-pleut", "button", "averses"])
async def test_weather_with_rain_gives_indoor_ideas(text: str,
                                                    entities: list[dict[str, Any]]) -> None:
    messages, events = await run(ActionWeather(), tracker(
        slots=BAVAY, intent="ask_weather", entities=entities, text=text))
    assert voices(messages)[0] == "weather_rain"
    payload = the_payload(messages, "places")
    assert 3 <= len(payload["items"]) <= 5
    for item in payload["items"]:
        assert_place_item(item)
        assert set(item["kinds"]) & set(INDOOR_KINDS), item["id"]
    assert_distances_from(payload["items"], BAVAY["latitude"], BAVAY["longitude"])
    state = slot_sets(events)["search_state"]
    assert set(state["kinds"]) == set(INDOOR_KINDS)  # "encore" continues the indoor ideas


@pytest.mark.parametrize("where", [BAVAY, None], ids=["bavay", "no-position"])
async def test_transport_lists_stations(where: dict[str, Any] | None) -> None:
    messages, events = await run(ActionTransport(), tracker(
        slots=where or {}, intent="ask_transport", entities=[], text="il y a un train ?"))
    assert voices(messages) == ["transport"]
    items = the_payload(messages, "places")["items"]
    assert 1 <= len(items) <= 3
    for item in items:
        assert_place_item(item)
        assert {"train_station", "bus_stop"} & set(item["kinds"]), item["id"]
    anchor = where or LE_QUESNOY
    assert_distances_from(items, anchor["latitude"], anchor["longitude"])
    assert [i["distance_km"] for i in items] == sorted(i["distance_km"] for i in items)
    if where is None:
        assert items[0]["id"] == "le-quesnoy-gare"
    # Asked again in the same conversation: the list is not given a second time.
    said = [{"event": "bot", "text": m.get("text")} for m in messages]
    again, _ = await run(ActionTransport(), tracker(
        slots=where or {}, intent="ask_transport", entities=[], text="et le train ?",
        events=said))
    assert voices(again) == ["transport_again"] and not payloads(again)
    assert items[0]["name"] in again[0]["text"]
    assert events == []


async def test_contact_office() -> None:
    messages, events = await run(ActionContactOffice(), tracker(
        intent="ask_human", entities=[], text="je veux parler à quelqu'un"))
    assert voices(messages) == ["office"]
    items = the_payload(messages, "places")["items"]
    assert items and all("tourist_office" in i["kinds"] for i in items)
    assert "le-quesnoy-office-de-tourisme" in {i["id"] for i in items}
    assert events == []


# =========================================================================== feedback
async def test_feedback_with_rating_and_item_entities() -> None:
    messages, events = await run(ActionRecordFeedback(), tracker("feedback_down"))
    assert voices(messages) == ["feedback_thanks_down"]
    assert slot_sets(events) == {"feedback_rating": "down",
                                 "feedback_item": "bavay-forum-antique"}
    messages, events = await run(ActionRecordFeedback(), tracker(
        "feedback_down", entities=ents(rating="up", item="le-quesnoy-remparts"),
        text='/feedback{"rating": "up", "item": "le-quesnoy-remparts"}'))
    assert voices(messages) == ["feedback_thanks_up"]
    assert slot_sets(events) == {"feedback_rating": "up", "feedback_item": "le-quesnoy-remparts"}


async def test_feedback_without_item_is_about_the_last_card() -> None:
    messages, slots = await first_search()
    last = the_payload(messages, "places")["items"][-1]["id"]
    _, events = await run(ActionRecordFeedback(), tracker(
        "feedback_down", slots={"search_state": slots["search_state"]},
        entities=ents(rating="up"), text="👍"))
    assert slot_sets(events) == {"feedback_rating": "up", "feedback_item": last}


@pytest.mark.parametrize(("text", "rating"), [
    ("c'est vraiment super, merci", "up"),
    ("👍", "up"),
    ("c'est nul", "down"),
    ("👎", "down"),
    ("super", "up"),
    ("Merci !", "up"),
    ("bof", "down"),
    ("pas terrible", "down"),
    ("il faudrait ajouter les horaires des bus", "comment"),
], ids=lambda v: {"👍": "thumbs-up", "👎": "thumbs-down"}.get(v, slugify(v)))
async def test_feedback_rating_from_the_words(text: str, rating: str) -> None:
    messages, events = await run(ActionRecordFeedback(), tracker(
        "feedback_down", entities=[], text=text))
    assert slot_sets(events)["feedback_rating"] == rating
    assert voices(messages) == [{"up": "feedback_thanks_up", "down": "feedback_thanks_down",
                                 "comment": "feedback_thanks"}[rating]]
    assert slot_sets(events)["feedback_item"] is None
