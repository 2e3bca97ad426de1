"""One search for places, events and routes that keeps what the visitor asked for
(bot.dialogue.search): filters merged alike for the three kinds, kinds exact then labelled
alternatives, what the data cannot answer said, the interest guessed, positions outside."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from bot.dialogue.filters import ALTERNATIVES, Filters, parse
from bot.dialogue.followups import Focus
from bot.dialogue.position import Position
from bot.dialogue.recommend import Outcome
from bot.dialogue.search import (
    Search,
    apply_filters,
    change_labels,
    followup_replies,
    guess_interests,
    named_place_replies,
    new_search,
    outside,
    run,
    search_meant,
)
from knowledge.gazetteer import Gazetteer
from knowledge.models import Poi

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2027, 6, 14)
NOW = datetime(2027, 6, 16, 10, 0, tzinfo=PARIS)
LE_QUESNOY = Position(50.2506593981, 3.62486177207, "Le Quesnoy", "typed", "59481")
LILLE = Position(50.6311, 3.0468, "Lille", "typed", "59350")


def test_the_slot_round_trip_and_old_slots() -> None:
    state = Search(kind="routes", price="free", flat=True, shown=["a"])
    assert Search.of(state.to_slot()) == state
    old = {"kind": "places", "interests": ["patrimoine"], "radius_km": 15.0}  # before issue 13
    found = Search.of(old)
    assert found is not None and found.flat is False and found.interests == ["patrimoine"]
    assert Search.of("nonsense") is None


def test_needs_are_kept_across_searches_topics_are_not() -> None:
    before = Search(kind="places", wheelchair=True, audience="enfants", kinds=["museum"],
                    price="free")
    after = new_search("routes", before)
    assert after.wheelchair and after.audience == "enfants"
    assert after.kinds == [] and after.price is None and after.radius_km == 25.0


@pytest.mark.parametrize("kind", ["places", "events", "routes"])
def test_filters_apply_alike_and_restart_the_search(kind: str) -> None:
    state = new_search(kind)
    state.offset, state.shown = 4, ["a", "b"]
    changed = apply_filters(state, parse("pour les enfants avec une poussette", search=kind))
    assert state.audience == "enfants" and state.pushchair
    assert set(changed) == {"audience", "pushchair"} and state.offset == 0 and state.shown == []


def test_open_now_is_not_kept_where_there_are_no_hours() -> None:
    for kind in ("events", "routes"):
        state = new_search(kind)
        assert apply_filters(state, parse("ouvert maintenant")) == []
        assert state.open_now is False


def test_a_walk_of_two_hours_at_most(db: Session) -> None:
    state = new_search("routes")
    apply_filters(state, parse("une boucle à pied de 2h max", search="routes"))
    assert (state.min_km, state.max_km) == (None, 8.0)  # 2 h at 4 km/h
    routes = _items(run(db, LE_QUESNOY, state, now=NOW))
    assert routes and all(r["length_km"] <= 8.0 for r in routes)


def test_routes_for_a_wheelchair_are_easy_and_short() -> None:
    state = new_search("routes")
    wanted = parse("accessible en fauteuil", search="routes")
    changed = apply_filters(state, wanted)
    assert state.difficulty == "easy" and state.max_km == 6.0
    assert change_labels(state, changed, wanted) == ["les plus faciles, 6 km au plus"]
    bike = new_search("routes")
    bike.route_mode = "bike"
    apply_filters(bike, parse("pas trop longue", search="routes"))
    assert bike.max_km == 20.0


def test_kinds_exact_then_alternatives(db: Session) -> None:
    state = new_search("places", interests=["gastronomie"])
    apply_filters(state, parse("un restaurant"))
    outcome = run(db, LE_QUESNOY, state, now=NOW)
    assert outcome is not None
    custom = outcome.replies[-1].custom
    assert custom is not None and all("restaurant" in i["kinds"] for i in custom["items"])
    assert outcome.replies[-1].response == "places_found_sophie"
    assert state.interests == ["gastronomie"]  # kept in the slot for later searches

    estaminet = new_search("places")
    apply_filters(estaminet, parse("un estaminet"))
    outcome = run(db, LE_QUESNOY, estaminet, now=NOW)
    assert outcome is not None
    assert [r.response for r in outcome.replies][:1] == ["kind_none"]
    custom = outcome.replies[-1].custom
    assert custom is not None and custom.get("alternative_to") == "estaminet"
    assert all(set(i["kinds"]) & set(ALTERNATIVES["estaminet"]) for i in custom["items"])
    # "encore" continues the alternatives, without announcing them again
    more = run(db, LE_QUESNOY, estaminet, now=NOW)
    assert more is not None and "kind_none" not in [r.response for r in more.replies]


def test_nothing_of_that_kind_nor_close(db: Session) -> None:
    state = new_search("places")
    apply_filters(state, Filters(kinds=["bus_stop"]))  # none in the base, no close kind
    outcome = run(db, LE_QUESNOY, state, now=NOW)
    assert outcome is not None and [r.response for r in outcome.replies] == ["kind_none_at_all"]


def test_what_the_data_cannot_answer_is_said(db: Session) -> None:
    routes = new_search("routes")
    apply_filters(routes, parse("une balade avec le chien", search="routes"))
    outcome = run(db, LE_QUESNOY, routes, now=NOW)
    assert outcome is not None and outcome.replies[0].response == "filter_unknown"
    timed = new_search("routes")
    apply_filters(timed, parse("une balade ouverte dimanche", search="routes"))
    assert timed.open_when is None  # routes have no hours: said, not kept
    assert run(db, None, new_search("places"), now=NOW) is None  # places need a position


def _items(outcome: Outcome | None) -> list[dict[str, Any]]:
    assert outcome is not None
    return [i for r in outcome.replies if r.custom for i in r.custom["items"]]


def test_free_places_are_the_known_free_ones(db: Session) -> None:
    state = new_search("places", interests=["tout"])
    apply_filters(state, parse("quelque chose de gratuit"))
    outcome = run(db, LE_QUESNOY, state, now=NOW)
    found = _items(outcome)
    assert found and all((db.get(Poi, i["id"]).prices or {}).get("free") for i in found)
    cheap = new_search("places", interests=["tout"])
    apply_filters(cheap, parse("pas cher"))
    outcome = run(db, LE_QUESNOY, cheap, now=NOW)
    assert outcome is not None and outcome.replies[0].response == "price_free_only"


def test_no_price_known_is_said_and_places_shown(db: Session) -> None:
    state = new_search("places")
    apply_filters(state, parse("un resto pas cher"))
    outcome = run(db, LE_QUESNOY, state, now=NOW)
    assert outcome is not None and outcome.replies[0].response == "price_unknown"
    found = _items(outcome)
    assert found and all("restaurant" in i["kinds"] for i in found)


def test_free_events(db: Session) -> None:
    state = new_search("events")
    apply_filters(state, parse("des sorties gratuites"))
    outcome = run(db, LE_QUESNOY, state, "la semaine prochaine", now=NOW)
    found = _items(outcome)
    assert found and all(i["price"] and i["price"].get("free") for i in found)


def test_open_at_a_time_uses_the_hours_known(db: Session) -> None:
    museum = db.get(Poi, "bavay-forum-antique")
    assert museum is not None
    museum.opening_hours = {"specs": [{"days": ["tu"], "opens": "09:00", "closes": "12:00"}]}
    museum.has_hours = True
    db.flush()
    bavay = Position(museum.latitude, museum.longitude, "Bavay", "typed", "59053")
    state = new_search("places", interests=["culture"])
    apply_filters(state, parse("un musée ouvert mardi matin"))
    assert state.open_when == "mardi matin"
    found = _items(run(db, bavay, state, now=NOW))
    assert [i["id"] for i in found] == ["bavay-forum-antique"]
    sunday = new_search("places", interests=["culture"])
    apply_filters(sunday, parse("un musée ouvert dimanche"))
    outcome = run(db, bavay, sunday, now=NOW)  # none known open: said, museums shown
    assert outcome is not None and outcome.replies[0].response == "hours_unknown"
    assert "bavay-forum-antique" in [i["id"] for i in _items(outcome)]


def test_guess_interests(db: Session) -> None:
    assert guess_interests(db, "un gîte", parse("un gîte")) == ["hebergement"]
    assert guess_interests(db, "pour les enfants", parse("pour les enfants")) == ["famille"]
    assert guess_interests(db, "le forum", parse("le forum")) == ["tout"]
    assert guess_interests(db, "que faire ?", parse("que faire ?")) == []  # then it asks
    seniors = "nous sommes retraités, que visiter ?"
    assert guess_interests(db, seniors, parse(seniors, {"audience": "seniors"})) == ["tout"]


def test_a_300_word_message_naming_places_is_answered_normally(db: Session) -> None:
    """Issue 15: a 260-word message made the name lookup fail on SQLite ("Expression
    tree is too large"); the route lookup also queried the communes once per word."""
    words = " ".join(f"mot{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(300))
    for said in (f"le circuit des sabotiers {words}", f"la tombe de Wilfred Owen {words}",
                 f"{words} le musée de Bavay au Quesnoy"):
        found = named_place_replies(db, said, LE_QUESNOY, NOW)
        assert found is None or found[1].type in ("places", "routes"), said


def test_outside_named_and_followups(db: Session) -> None:
    gazetteer = Gazetteer.from_session(db)
    reply = outside(LILLE, gazetteer)
    assert reply.response == "position_outside"
    assert [b["title"] for b in reply.buttons] == ["Le Quesnoy", "Bavay", "Landrecies"]
    named = named_place_replies(db, "la tombe de Wilfred Owen", None, NOW)
    assert named is not None and named[1].current == "ors-tombe-wilfred-owen"
    assert named_place_replies(db, "un restaurant au Quesnoy", None, NOW) is None
    for said, poi_id in [("le musée de la libération au Quesnoy, ouvert le dimanche ?",
                          "le-quesnoy-musee-liberation-nz"),
                         ("Dites, la tombe de Wilfred Owen, c'est où une fois ?",
                          "ors-tombe-wilfred-owen"),
                         ("la forêt de Mormal", "foret-de-mormal")]:
        found = named_place_replies(db, said, None, NOW)
        assert found is not None and found[1].current == poi_id, said
    route = named_place_replies(db, "le circuit des sabotiers", LE_QUESNOY, NOW)
    assert route is not None and route[1].type == "routes"
    assert route[0][0].custom is not None
    assert route[0][0].custom["items"][0]["id"] == "route-circuit-des-sabotiers-mecquignies"
    for category in ("une balade au Quesnoy", "une balade en forêt de Mormal",
                     "les remparts du Quesnoy"):
        found = named_place_replies(db, category, None, NOW)
        assert found is None or found[1].type == "places", category
    waymarked = followup_replies(db, route[1], "c'est balisé ?", LE_QUESNOY, NOW)
    assert waymarked is not None and waymarked[1].current == route[1].current
    focus = Focus("places", ["le-quesnoy-remparts", "bavay-forum-antique"], "le-quesnoy-remparts")
    replies, after = followup_replies(db, focus, "et le deuxième, le numéro ?", LE_QUESNOY,
                                      NOW) or ([], focus)
    forum = db.get(Poi, "bavay-forum-antique")
    assert forum is not None and replies[0].response == "followup"
    assert forum.phone in (replies[0].text or "") and after.current == "bavay-forum-antique"
    missing = followup_replies(db, Focus("places", ["x"], "x"), "c'est loin ?", None, NOW)
    assert missing is not None and missing[0][0].response == "focus_missing"


def test_stations_are_said_au_quesnoy(db: Session) -> None:
    from bot.dialogue.recommend import transport

    reply = transport(db, LE_QUESNOY, Gazetteer.from_session(db))
    assert "à Le " not in (reply.text or "") and "de Le " not in (reply.text or "")
    assert "Gare du Quesnoy — 1,5 km" in (reply.text or "")  # SNCF's point (issue 16)
    # A station known only by its commune is said by the commune, with its article.
    db.get(Poi, "le-quesnoy-gare").coord_precision = "commune"
    db.flush()
    reply = transport(db, LE_QUESNOY, Gazetteer.from_session(db))
    assert "Gare du Quesnoy — au Quesnoy" in (reply.text or "")


def test_places_outside_the_territory_come_after_and_say_so(db: Session) -> None:
    """Issue 16: Valenciennes's museum was offered in Le Quesnoy as if local."""
    state = new_search("places", interests=["culture"])
    state.radius_km = 25.0
    items, text = [], ""
    for _ in range(2):  # two pages
        outcome = run(db, LE_QUESNOY, state, now=NOW)
        assert outcome is not None and outcome.replies[-1].custom is not None
        items += outcome.replies[-1].custom["items"]
        text += (outcome.replies[-1].text or "") + "\n"
    local = [i["in_territory"] for i in items]
    assert local[0] and False in local and local == sorted(local, reverse=True)
    for item in items:
        line = next(x for x in text.splitlines() if x.split(". ", 1)[1].startswith(item["name"]))
        assert ("hors du Pays de Mormal" in line) is not item["in_territory"], line
    assert "Musée des Beaux-Arts de Valenciennes (à 13,5 km, hors du Pays de Mormal" in text


def test_from_a_town_outside_the_territory_its_own_places_come_first(db: Session) -> None:
    """Arriving at Ors (not one of the 52 communes), its heritage is what is asked for."""
    ors = Position(50.1050821, 3.6311054, "Ors", "typed", "59450")
    outcome = run(db, ors, new_search("places", interests=["patrimoine"]), now=NOW)
    assert outcome is not None and outcome.replies[-1].custom is not None
    first = outcome.replies[-1].custom["items"][0]
    assert first["commune"] == "Ors" and first["in_territory"] is False, first
    from bot.dialogue.recommend import transport

    stations = transport(db, ors, Gazetteer.from_session(db)).text or ""
    assert stations.startswith("1. Gare d'Ors — "), stations


def test_more_of_a_kind_looks_farther(db: Session) -> None:
    state = new_search("places", interests=["culture"])
    apply_filters(state, parse("un musée"))
    first = run(db, LE_QUESNOY, state, now=NOW)
    assert first is not None and first.replies[-1].custom is not None
    shown = [i["id"] for i in first.replies[-1].custom["items"]]
    more = run(db, LE_QUESNOY, state, now=NOW)
    assert more is not None and more.replies[-1].custom is not None, more.replies
    again = [i["id"] for i in more.replies[-1].custom["items"]]
    assert again and not set(again) & set(shown)
    assert all("museum" in i["kinds"] for i in more.replies[-1].custom["items"])


@pytest.mark.parametrize(("text", "last", "meant"), [
    ("et en janvier ?", "events", "events"),
    ("et en janvier ?", "places", None),
    ("un zoo pour les petits ?", None, "places"),
    ("on est au Quesnoy avec nos enfants, qu'est-ce qu'on peut faire ?", None, "places"),
    ("le Truc Machin c'est ouvert ?", None, None),
])
def test_the_search_a_misread_question_asks_for(text: str, last: str | None,
                                                meant: str | None) -> None:
    state = new_search(last) if last else None
    assert search_meant(text, {}, state, NOW) == meant


def test_accessibility_not_known_is_said(db: Session) -> None:
    state = new_search("places", interests=["culture"])
    apply_filters(state, parse("un musée accessible en fauteuil"))
    outcome = run(db, LE_QUESNOY, state, now=NOW)
    assert outcome is not None
    found = _items(outcome)
    assert found and all(i["accessible"] is not False for i in found)
    unknown = [i["name"] for i in found if i["accessible"] is None]
    notes = [r for r in outcome.replies if r.response == "access_unknown"]
    assert bool(notes) == bool(unknown)
    if notes:
        assert all(name in notes[0].variables["names"] for name in unknown)


def test_what_an_event_is_is_looked_for_in_titles(db: Session) -> None:
    state = new_search("events")
    apply_filters(state, parse("y a-t-il un marché de Noël ?", search="events"))
    assert state.topics == ["noel", "marche"]
    outcome = run(db, LE_QUESNOY, state, "en décembre", now=NOW)
    assert outcome is not None and outcome.replies[0].response == "events_found"
    titles = [i["title"] for i in _items(outcome)]
    assert titles and all("Marché de Noël" in t for t in titles), titles
    none = new_search("events")
    apply_filters(none, parse("une braderie", search="events"))
    outcome = run(db, LE_QUESNOY, none, "en décembre", now=NOW)
    assert outcome is not None and outcome.replies[0].response == "events_topic_none"


def test_encore_only_when_there_is_more(db: Session) -> None:
    def more_button(outcome: Outcome | None) -> bool:
        assert outcome is not None
        return any(b["payload"] == "/request_more" for r in outcome.replies for b in r.buttons)

    many = new_search("routes")
    many.radius_km = 45.0
    assert more_button(run(db, LE_QUESNOY, many, now=NOW))  # 17 routes, 4 a page
    few = new_search("routes")
    apply_filters(few, parse("une boucle de 2h max", search="routes"))
    first = run(db, LE_QUESNOY, few, now=NOW)
    assert len(_items(first)) < 4 and not more_button(first)
