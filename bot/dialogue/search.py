"""One search for places, events and routes that keeps what the visitor asked for.

`Search` is the search state of `recommend.SearchState` plus the filters that the
knowledge base cannot always answer (price, pets, flat, short, loop) and the kind asked
for when alternatives are shown. `apply_filters` merges what a message says
(`bot.dialogue.filters`) into it, the same for the three kinds of search; `run` runs it:
kinds first and only (when nothing of that kind exists nearby, the closest kinds are
shown, labelled as alternatives), and every asked filter that the data cannot answer is
said (`filter_unknown`), never silently dropped.

Also here, what the actions need besides searches: the reply to a position outside the
territory, the named place shown first, the answer to a follow-up, and whether the
family can guess what to look for (the interest picker only when it cannot).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from bot.dialogue import followups
from bot.dialogue.filters import (
    ALTERNATIVES,
    KIND_INTEREST,
    SHORT_KM,
    WALK_KMH,
    Filters,
    parse,
    unsupported,
)
from bot.dialogue.followups import Focus
from bot.dialogue.french import join_fr
from bot.dialogue.named import named_place, named_route
from bot.dialogue.periods import resolve_period
from bot.dialogue.persona import LEA, SOPHIE, speaker_for
from bot.dialogue.plan import plan_span
from bot.dialogue.position import HERE, Position, entry_points, position_in_text
from bot.dialogue.recommend import (
    ALL_INTERESTS,
    MAX_AUTO_RADIUS_KM,
    MIN_RADIUS_KM,
    Outcome,
    Reply,
    SearchState,
    apply_refinement,
    find_events,
    find_routes,
    place_info,
    recommend_places,
    route_card,
)
from bot.dialogue.slots import ASK_HUMAN, inform_location
from knowledge.config import PARIS
from knowledge.gazetteer import Gazetteer
from knowledge.queries import PoiQuery, nearby_pois
from knowledge.taxonomy import KINDS
from knowledge.text import normalize

SEARCH_NAMES = {"places": "ces lieux", "events": "ces événements", "routes": "ces circuits"}


@dataclass
class Search(SearchState):
    """The last search (slot `search_state`), with every filter the visitor stated."""

    pets: bool = False
    flat: bool = False
    short: bool = False
    loop: bool = False
    alternative_to: str | None = None  # the kind asked for, when showing alternatives

    @classmethod
    def of(cls, value: Any) -> Search | None:
        """The search kept in the slot (older slots without the new fields too)."""
        if isinstance(value, SearchState) and not isinstance(value, Search):
            value = value.to_slot()
        found = cls.from_slot(value)
        return found if isinstance(found, Search) else None

    def filters(self) -> Filters:
        return Filters(wheelchair=self.wheelchair, pushchair=self.pushchair,
                       audience=self.audience, kinds=list(self.kinds), price=self.price,
                       open_now=self.open_now, open_when=self.open_when, pets=self.pets,
                       flat=self.flat,
                       short=self.short, loop=self.loop, difficulty=self.difficulty,
                       max_km=self.max_km, min_km=self.min_km, topics=list(self.topics))


def new_search(kind: str, previous: Search | None = None, interests: list[str] | None = None,
               ) -> Search:
    """A new search of `kind`, keeping the visitor's stated needs (wheelchair, pushchair,
    audience) from the previous one: they do not change with the topic."""
    radius = {"events": 30.0, "routes": 25.0}.get(kind, 15.0)
    state = Search(kind=kind, radius_km=radius, interests=list(interests or []))
    if previous is not None:
        state.wheelchair, state.pushchair = previous.wheelchair, previous.pushchair
        state.audience = previous.audience
    return state


def apply_filters(state: Search, f: Filters) -> list[str]:
    """Merge what a message asks into the search; French labels of what changed. A
    change restarts the search from its first page."""
    changed = []
    for name in ("wheelchair", "pushchair", "open_now", "pets", "flat", "short", "loop"):
        if name == "open_now" and state.kind != "places":
            continue  # events and routes have no opening hours: said, not kept
        if getattr(f, name) and not getattr(state, name):
            setattr(state, name, True)
            changed.append(name)
    if f.audience and f.audience != state.audience:
        state.audience = f.audience
        changed.append("audience")
    if f.audience in ("enfants", "famille") and state.kind == "places" \
            and state.interests and "famille" not in state.interests \
            and ALL_INTERESTS not in state.interests:
        state.interests = [*state.interests, "famille"]
    if f.kinds and f.kinds != state.kinds:
        state.kinds, state.alternative_to = list(f.kinds), None
        changed.append("kinds")
    if f.open_when and f.open_when != state.open_when and state.kind == "places":
        state.open_when = f.open_when
        changed.append("open_when")
    if f.topics and f.topics != state.topics and state.kind == "events":
        state.topics = list(f.topics)
        changed.append("topics")
    if f.price and f.price != state.price:
        state.price = f.price
        changed.append("price")
    if f.difficulty and f.difficulty != state.difficulty:
        state.difficulty = f.difficulty
        changed.append("difficulty")
    if f.max_km is not None:
        state.min_km, state.max_km = f.min_km, f.max_km
        changed.append("length")
    elif f.max_hours is not None:
        state.min_km = None
        state.max_km = round(f.max_hours * WALK_KMH.get(state.route_mode or "hike", 4.0), 1)
        changed.append("length")
    elif f.length_hours is not None:
        value = f.length_hours * WALK_KMH.get(state.route_mode or "hike", 4.0)
        state.min_km, state.max_km = round(value * 0.6, 1), round(value * 1.4, 1)
        changed.append("length")
    if f.radius_km is not None:
        state.radius_km = min(MAX_AUTO_RADIUS_KM, max(MIN_RADIUS_KM, f.radius_km))
        changed.append("radius")
    if state.kind == "routes":
        if (state.flat or state.wheelchair or state.pushchair) and state.difficulty is None:
            state.difficulty = "easy"
        if (state.short or state.wheelchair or state.pushchair) and state.max_km is None:
            state.max_km = SHORT_KM.get(state.route_mode or "hike", 6.0)
    if changed:
        state.offset, state.shown = 0, []
    return changed


_NUMBER_KM = re.compile(r"\d+(?:[.,]\d+)?\s*(?:km|kms|kilom[eè]tres?)\b", re.IGNORECASE)


def refine(state: Search, text: str, entities: dict[str, Any]) -> tuple[list[str], list[str]]:
    """A follow-up that changes the last search ("plus près", "pour les enfants", "un gîte
    plutôt", "5 km max"): the French labels of what changed, and of what was asked that
    this kind of search cannot honour."""
    wanted = parse(text, entities, search=state.kind)
    cannot = unsupported(wanted, state.kind)
    # "5 km max" on routes is a length (bot.dialogue.filters), not a radius
    plain = _NUMBER_KM.sub(" ", text) if state.kind == "routes" else text
    changes = apply_refinement(state, plain, entities)
    changed = apply_filters(state, wanted)
    changes += [x for x in change_labels(state, changed, wanted) if x not in changes]
    return changes, cannot


def change_labels(state: Search, changed: list[str], f: Filters) -> list[str]:
    """French words of what `apply_filters` changed, as this kind of search applies them:
    routes for a wheelchair are "les plus faciles, 6 km au plus", not "accessibles"."""
    if not changed:
        return []
    labels = f.labels()
    if state.kind == "routes" and (f.wheelchair or f.pushchair):
        labels = [x for x in labels if not x.startswith("accessible en")]
        km = f"{state.max_km:g}".replace(".", ",") if state.max_km else ""
        labels.append(f"les plus faciles, {km} km au plus" if km else "les plus faciles")
    if state.kind != "places":
        labels = [x for x in labels if not x.startswith("ouvert ")]
    return list(dict.fromkeys(labels))


# --------------------------------------------------------------------------- running
def run(session: Session, position: Position | None, state: Search, text: str = "",
        gazetteer_centre: Position | None = None, now: datetime | None = None,
        ) -> Outcome | None:
    """Run the search (a new one or its next page). None when places are asked for and
    the position is unknown."""
    now = now or datetime.now(timezone.utc)
    notes = _unknown_filters(state)
    if state.kind == "events":
        outcome = find_events(session, text, position, state, now)
    elif state.kind == "routes":
        anchor = position or gazetteer_centre
        if anchor is None:
            return None
        outcome = find_routes(session, anchor, state)
        if state.wheelchair or state.pushchair or state.flat or state.short:
            _cheer_no_walker(outcome)
    else:
        if position is None:
            return None
        outcome = _places(session, position, state, now)
    if notes:
        outcome.replies.insert(0, notes)
    return outcome


def _unknown_filters(state: Search) -> Reply | None:
    """`filter_unknown` for what was asked and this kind of search has no data for."""
    if state.offset:
        return None  # said on the first page
    labels = unsupported(state.filters(), state.kind)
    if not labels:
        return None
    return Reply("filter_unknown", {"what": SEARCH_NAMES[state.kind],
                                    "criteria": join_fr(labels)})


def _cheer_no_walker(outcome: Outcome) -> None:
    """Routes for someone who asked for an easy, short or accessible one: Franck's
    neutral words (never "Chaussez-vous bien !")."""
    for reply in outcome.replies:
        if reply.response == "routes_found":
            reply.response = "routes_found_gentle"


def _places(session: Session, position: Position, state: Search, now: datetime) -> Outcome:
    if not state.kinds:
        return recommend_places(session, position, state, now)
    asked = state.alternative_to or state.kinds[0]
    topic = KIND_INTEREST.get(asked)
    speaker = speaker_for([topic] if topic else [], default=SOPHIE if topic in (
        "gastronomie", "terroir", "hebergement") else LEA)
    saved = list(state.interests)
    state.interests = []  # the kind says what; interests would only exclude matches
    replies: list[Reply] = []
    first = state.offset == 0 and state.alternative_to is None
    radius = state.radius_km
    # The kind itself first (the search widens up to MAX_AUTO_RADIUS_KM on its own): only
    # when none exists that far are the closest kinds looked for, labelled as such.
    outcome = recommend_places(session, position, state, now)
    if first and not any(r.response.startswith("places_found_") for r in outcome.replies):
        state.radius_km, state.offset, state.shown = radius, 0, []
        alternatives = [k for k in ALTERNATIVES.get(asked, ())
                        if _exists(session, position, state, [k], now)]
        label = KINDS[asked].lower()
        if not alternatives:
            state.interests = saved
            return Outcome([Reply("kind_none_at_all",
                                  {"kind": label, "where": position.label,
                                   "speaker": speaker.signature},
                                  buttons=[{"title": "☎️ L'office de tourisme",
                                            "payload": ASK_HUMAN}])], state)
        state.kinds, state.alternative_to = alternatives, asked
        replies.append(Reply("kind_none", {"kind": label, "where": position.label,
                                           "speaker": speaker.signature}))
        outcome = recommend_places(session, position, state, now)
    while (state.offset and outcome.replies[0].response == "no_more_results"
           and state.radius_km < MAX_AUTO_RADIUS_KM):
        # "encore" after every place of that kind nearby: the same kind, farther away
        state.radius_km = min(state.radius_km * 2, MAX_AUTO_RADIUS_KM)
        outcome = recommend_places(session, position, state, now)
    state.interests = saved
    for reply in outcome.replies:
        if reply.response.startswith("places_found_"):
            reply.response = f"places_found_{speaker.key}"
            reply.variables["speaker"] = speaker.signature
            if reply.custom is not None:
                reply.custom["speaker"] = speaker.key
                if state.alternative_to:
                    reply.custom["alternative_to"] = state.alternative_to
    outcome.replies[:0] = replies
    return outcome


def _exists(session: Session, position: Position, state: Search, kinds: list[str],
            now: datetime) -> bool:
    page = nearby_pois(session, PoiQuery(
        position.latitude, position.longitude, kinds=kinds, radius_km=MAX_AUTO_RADIUS_KM,
        wheelchair=state.wheelchair, pushchair=state.pushchair, at=now), limit=1)
    return bool(page.items)


# --------------------------------------------------------------------------- the rest
def outside(position: Position, gazetteer: Gazetteer) -> Reply:
    """A position beyond the territory: say so, with the nearest entry points as buttons."""
    gates = entry_points(position, gazetteer)
    return Reply("position_outside",
                 {"place": position.label, "speaker": LEA.signature,
                  "entries": join_fr([g.name for g in gates])},
                 buttons=[{"title": g.name, "payload": inform_location(g.name)} for g in gates])


def named_place_replies(session: Session, text: str, position: Position | None,
                        now: datetime | None = None) -> tuple[list[Reply], Focus] | None:
    """The place (or route) of the base the message names, shown first; None when none
    is named."""
    route = named_route(session, text)
    if route is not None:
        return [route_card(route, position)], Focus("routes", [route.id], route.id)
    poi = named_place(session, text)
    if poi is None:
        return None
    # "c'est ouvert quand le forum antique ?", "le forum est ouvert samedi ?": its hours
    asks_hours = followups.question_of(text) == "hours"
    today = (now or datetime.now(timezone.utc)).astimezone(PARIS).date()
    replies = place_info(session, "", "horaires" if asks_hours else None, position, now,
                         poi_id=poi.id,
                         asked=followups.asked_day(text, today) if asks_hours else None)
    return replies, Focus("places", [poi.id], poi.id)


def place_not_position(session: Session, gazetteer: Gazetteer, text: str,
                       position: Position | None) -> tuple[list[Reply], Focus] | None:
    """A place of the base named alone while the visitor's position is known ("la forêt
    de Mormal"): its card, not a move of the position to the commune it sounds like
    (L'Orée de Mormal). None when the words say the visitor is there, or name a town."""
    if position is None:
        return None
    mention = position_in_text(text, gazetteer, session)
    if mention is not None and mention.role == HERE:
        return None
    if gazetteer.exact(normalize(text)) is not None:
        return None
    return named_place_replies(session, text, position)


def followup_replies(session: Session, focus: Focus, text: str, position: Position | None,
                     now: datetime | None = None) -> tuple[list[Reply], Focus] | None:
    """The answer to a question about the last thing shown; None when it is not one."""
    record = followups.pick(focus, text, followups.names_of(session, focus))
    if record is None:
        return [Reply("focus_missing")], focus
    ans = followups.answer(session, focus, record, followups.question_of(text), text,
                           position, now)
    if ans is None:
        return [Reply("focus_missing")], focus
    focus = Focus(focus.type, focus.ids, record)
    variables = {"place": ans.name, "speaker": ans.speaker.signature}
    replies = []
    if ans.lines:
        replies.append(Reply("followup", variables, custom=ans.custom, text="\n".join(ans.lines)))
    if ans.missing:
        replies.append(Reply("followup_unknown_own" if ans.own_contacts else "followup_unknown",
                             {**variables, "what": followups.missing_words(ans)},
                             buttons=[] if ans.own_contacts else [
                                 {"title": "☎️ L'office de tourisme", "payload": ASK_HUMAN}],
                             custom=None if ans.lines else ans.custom,
                             text="\n".join(ans.office)))
    return replies, focus


_WHAT_TO_DO = re.compile(r"\b(que faire|quoi faire|qu est ce qu on peut faire|on peut faire quoi|"
                         r"que visiter|quoi visiter|a voir|a faire|des idees|une idee|"
                         r"vous proposez quoi|vous conseillez quoi)\b")


# "une boucle à pied de 2 h", "un circuit vtt": a route, whatever the intent said.
_ROUTE_ASK = re.compile(r"\b(boucles?|circuits?|randos?|randonnees?|sentiers?|parcours|vtt|"
                        r"veloroutes?|voies? vertes?|(balades?|promenades?) (a pied|a velo|en "
                        r"velo|a cheval|de \d+))\b")
# "le marché du Quesnoy, c'est quel jour ?": when an event happens.
_WHEN_ASKED = re.compile(r"\b(quel jour|quels jours|c est quand|quand est ce|quand a lieu|"
                         r"a quelle date|quelle date|kel jour|c quand)\b")


def search_meant(text: str, entities: dict[str, Any], last: Search | None,
                 now: datetime | None = None) -> str | None:
    """The search a message read as something else really asks for (a question about a
    place the base does not know, a town, a refinement without a search, a fallback):
    "plan" for a day plan, "events" for a new period after events ("et en janvier ?") or
    when an event happens ("le marché du Quesnoy c'est quel jour ?"), "indoor" when it
    rains, "routes" for a walk or a ride ("une boucle à pied de 2 h"), "places" for a kind,
    an audience or "que faire" ("un zoo pour les petits ?"); None when it is none."""
    now = now or datetime.now(timezone.utc)
    if plan_span(text):
        return "plan"
    f = parse(text, entities, search="places")
    if last is not None and last.kind == "events" and not f.kinds and (
            entities.get("period") or resolve_period(text, now) is not None):
        return "events"
    if f.rain and not f.kinds:
        return "indoor"
    norm = normalize(text).replace("'", " ")
    if _WHEN_ASKED.search(norm) and parse(text, entities, search="events").topics:
        return "events"
    if not f.kinds and (_ROUTE_ASK.search(norm) or entities.get("route_mode")):
        return "routes"
    if f.kinds or f.audience or f.wheelchair or f.pushchair \
            or _WHAT_TO_DO.search(normalize(text)):
        return "places"
    return None


def guess_interests(session: Session | None, text: str, f: Filters) -> list[str]:
    """What to look for when the visitor did not pick an interest: from the kind asked,
    the audience, a named place; empty when the family cannot guess (then it asks)."""
    out = [KIND_INTEREST[k] for k in f.kinds if k in KIND_INTEREST]
    if f.audience in ("enfants", "famille"):
        out.append("famille")
    if not out and session is not None and named_place(session, text) is not None:
        out.append(ALL_INTERESTS)
    if not out and plan_span(text):  # a day plan looks at everything
        out.append(ALL_INTERESTS)
    # "Nous sommes retraités à Landrecies, que visiter ?": who comes is enough to suggest.
    if not out and (f.audience or f.wheelchair or f.pushchair or f.open_now or f.open_when
                    or f.price):
        out.append(ALL_INTERESTS)
    return list(dict.fromkeys(out))


__all__ = ["Search", "apply_filters", "change_labels", "followup_replies", "guess_interests",
           "named_place_replies", "new_search", "outside", "place_not_position", "refine", "run",
           "search_meant"]
