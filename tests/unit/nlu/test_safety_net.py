"""The NLU safety net (bot/nlu/safety_net.py) on hand-made parses: no trained model.

Each case builds a Rasa `Message` as DIET would leave it (an intent, a confidence, a
ranking, entities) and checks what the rules make of it. The sentences are written for
these tests, from how visitors write; none comes from the blind test set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from bot.nlu.lexicon import KIND_INTEREST, default_lexicon, fold
from knowledge.taxonomy import INTERESTS, KINDS
from tests.support.safety_net import nlu_message, safety_net

if TYPE_CHECKING:
    from rasa.shared.nlu.training_data.message import Message


def parse(text: str, intent: str, confidence: float = 0.9,
          entities: list[dict[str, Any]] | None = None, strict: bool = False) -> Message:
    """What SafetyNet({}) makes of a parse (strict: SafetyNet({"overrule_confident": True}))."""
    runner_up = "out_of_scope" if intent != "out_of_scope" else "greet"
    message = nlu_message({
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence},
                           {"name": runner_up, "confidence": round(1 - confidence, 3)}],
        "entities": list(entities or []),
    })
    safety_net(overrule_confident=strict).process([message])
    return message


def place(text: str, name: str, value: str | None = None,
          confidence: float = 0.95) -> dict[str, Any]:
    start = text.index(name)
    return {"entity": "place", "value": value or name, "start": start,
            "end": start + len(name), "extractor": "DIETClassifier",
            "confidence_entity": confidence}


def intent_of(message: Message) -> str:
    return str(message.get("intent")["name"])


def entities_of(message: Message, entity: str) -> list[str]:
    return [e["value"] for e in message.get("entities") or [] if e["entity"] == entity]


# ----------------------------------------------------------------------------- intents

@pytest.mark.parametrize(("text", "wrong"), [
    ("mets-moi un réveil à 7 h demain", "find_events"),
    ("programme un minuteur de dix minutes", "find_routes"),
    ("éteins la lampe de la chambre", "ask_weather"),
    ("lance ma playlist de rando", "find_routes"),
    ("joue un podcast sur l'histoire", "inform_interests"),
    ("combien font 12 fois 8", "ask_place_info"),
    ("convertis 20 euros en dollars", "ask_place_info"),
    ("raconte une blague", "help"),
    ("envoie un mail à ma sœur pour samedi", "find_events"),
    ("ajoute des frites à ma liste de courses", "find_places"),
    ("la recette de la carbonade flamande", "find_places"),
    ("qui a gagné les élections", "find_events"),
])
def test_out_of_scope_evidence_wins_even_over_a_confident_classifier(text: str,
                                                                      wrong: str) -> None:
    message = parse(text, wrong, 0.95)
    assert intent_of(message) == "out_of_scope"
    record = message.get("safety_net")
    assert record["from"] == wrong and record["to"] == "out_of_scope"
    assert record["rule"].startswith("out of scope")


@pytest.mark.parametrize(("text", "wrong", "right"), [
    ("ya un troquet sympa pas loin ?", "ask_transport", "find_places"),
    ("on voudrait une pizzeria ce soir", "ask_weather", "find_places"),
    ("un loueur de VTT par ici ?", "ask_transport", "find_places"),
    ("une fromagerie dans le secteur ?", "find_events", "find_places"),
    ("c'est ouvert le lundi ?", "ask_weather", "ask_place_info"),
    ("ils prennent les chiens ?", "find_places", "ask_place_info"),
    ("c'est combien l'entrée ?", "ask_transport", "ask_place_info"),
    ("on peut y aller en fauteuil roulant ?", "ask_transport", "ask_place_info"),
    ("et le numéro de téléphone ?", "find_places", "ask_place_info"),
    ("il va pleuvoir cet aprem ?", "find_events", "ask_weather"),
    ("une brocante dimanche ?", "find_places", "find_events"),
    ("une boucle de 8 km à pied", "ask_transport", "find_routes"),
    ("est-ce qu'il y a un parking ?", "find_places", "ask_place_info"),
])
def test_clear_evidence_overrules_a_contradicting_classifier(text: str, wrong: str,
                                                             right: str) -> None:
    # With overrule_confident (off in config.yml), contradicting words win over 0.8 ...
    message = parse(text, wrong, 0.8, strict=True)
    assert intent_of(message) == right
    assert message.get("safety_net")["from"] == wrong
    # ... by default only over an unsure classifier.
    assert intent_of(parse(text, wrong, 0.8)) == wrong
    assert intent_of(parse(text, wrong, 0.5)) == right


@pytest.mark.parametrize(("text", "unsure", "right"), [
    ("jcherche 1 resto pa cher", "inform_interests", "find_places"),
    ("un gite pour 4 ce we", "find_events", "find_places"),
    ("bonjour, on cherche une chambre d'hôtes", "greet", "find_places"),
    ("un parking près de la mairie ?", "ask_place_info", "find_places"),
    ("on est au Quesnoy avec nos 2 enfants, qu'est-ce qu'on peut faire avec eux ?",
     "find_events", "find_places"),
])
def test_an_unsure_classifier_is_settled_by_the_words(text: str, unsure: str,
                                                      right: str) -> None:
    message = parse(text, unsure, 0.45)
    assert intent_of(message) == right
    assert "unsure" in message.get("safety_net")["rule"] or unsure == "greet"
    assert message.get("safety_net")["from"] == unsure


@pytest.mark.parametrize(("text", "intent"), [
    ("merci beaucoup", "thank"),
    ("oui volontiers", "affirm"),
    ("je suis à Bavay", "inform_location"),
    ("un restaurant à Bavay", "find_places"),
    ("horaires du musée", "ask_place_info"),
    ("quel temps demain", "ask_weather"),
    ("un concert ce soir", "find_events"),
    ("une balade en forêt", "find_routes"),
    ("c'est quoi le sens de la vie", "out_of_scope"),
])
def test_agreeing_or_silent_words_keep_the_classifier(text: str, intent: str) -> None:
    message = parse(text, intent, 0.9)
    assert intent_of(message) == intent
    assert "rule" not in (message.get("safety_net") or {})


def test_agreeing_words_confirm_an_unsure_classifier_before_the_fallback() -> None:
    """ "une brasserie" at 0.39: the FallbackClassifier (after this component) would drop
    it; the words agree, so the net settles it above the threshold and says so."""
    message = parse("une brasserie", "find_places", 0.39)
    assert intent_of(message) == "find_places"
    assert message.get("intent")["confidence"] > 0.4
    assert "confirmed" in message.get("safety_net")["rule"]


def test_how_to_get_there_is_a_question_about_the_place_shown() -> None:
    message = parse("comment j'y vais ?", "greet", 0.46)
    assert intent_of(message) == "ask_place_info"
    assert intent_of(parse("comment j'y vais ?", "greet", 0.95)) == "greet"  # confident


def test_a_confident_out_of_scope_with_tourism_words_is_kept() -> None:
    message = parse("explique-moi la bataille de Verdun pour mon exposé", "out_of_scope", 0.9)
    assert intent_of(message) == "out_of_scope"


def test_chitchat_is_only_overruled_by_a_plain_request() -> None:
    assert intent_of(parse("super merci pour le resto", "thank", 0.8)) == "thank"
    assert intent_of(parse("merci ! vous connaissez un bar sympa ?", "thank", 0.8)) \
        == "find_places"
    assert intent_of(parse("merci ! vous connaissez un bar sympa ?", "thank", 0.8,
                           strict=True)) == "find_places"


@pytest.mark.parametrize(("text", "intent"), [
    ("merci pour les infos", "thank"),                       # not the news
    ("un loto ou un concours de cartes vendredi soir ?", "find_events"),  # a village event
])
def test_everyday_tourism_words_are_not_out_of_scope(text: str, intent: str) -> None:
    assert intent_of(parse(text, intent, 0.95)) == intent


def test_walking_refused_is_not_a_walk() -> None:
    text = "Nous sommes retraités, on loge à Landrecies. Que visiter sans trop marcher ?"
    start = text.index("marcher")
    message = parse(text, "find_places", 0.5, entities=[
        {"entity": "interest", "value": "randonnee", "start": start,
         "end": start + len("marcher"), "extractor": "RegexEntityExtractor"}])
    assert intent_of(message) == "find_places"
    assert all(e["entity"] != "interest" for e in message.get("entities"))
    assert intent_of(parse("une balade pas trop longue", "find_routes", 0.5)) == "find_routes"


def test_what_to_do_on_a_date_stays_an_event_request() -> None:
    assert intent_of(parse("qu'est-ce qu'on peut faire demain soir avec les enfants ?",
                           "find_events", 0.5)) == "find_events"


def test_a_misspelt_hike_is_a_route_request() -> None:
    for text in ("une randonée facile pour les petits", "une rendonée pas trop dure",
                 "des randone autour de Jolimetz ?"):
        assert intent_of(parse(text, "find_places", 0.47)) == "find_routes", text


def test_when_a_market_is_held_is_an_event_request() -> None:
    # Markets are recurring events in the base; their place record rarely has hours.
    for text in ("le marché de Bavay c'est quel jour ?", "c'est quand le marché à Landrecies ?"):
        assert intent_of(parse(text, "ask_place_info", 0.47)) == "find_events", text
        # a confident practical question is kept: the place's answer gives the dates
        assert intent_of(parse(text, "ask_place_info", 0.8)) == "ask_place_info", text
    # Of any other kind, "quel jour" is a practical question about the place.
    assert intent_of(parse("le musée c'est ouvert quel jour ?", "find_places", 0.47)) \
        == "ask_place_info"


def test_a_wish_to_talk_to_staff_is_not_a_search() -> None:
    assert intent_of(parse("je voudrais parler à quelqu'un de l'office de tourisme",
                           "ask_human", 0.8)) == "ask_human"
    assert intent_of(parse("vos idées de resto étaient nulles", "feedback", 0.7)) \
        == "feedback"


def test_the_ranking_is_consistent_with_the_settled_intent() -> None:
    message = parse("y a une friterie dans le coin ?", "ask_weather", 0.5)
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == "find_places" == intent_of(message)
    assert ranking[0]["confidence"] == message.get("intent")["confidence"] >= 0.9
    assert [r["name"] for r in ranking].count("find_places") == 1
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])


def test_a_button_payload_is_left_alone() -> None:
    message = parse('/find_places{"interest": "gastronomie"}', "find_places", 1.0)
    assert message.get("safety_net") is None


# ----------------------------------------------------------------------------- entities

def test_missing_kind_and_interest_words_are_added() -> None:
    message = parse("on cherche une crêperie et des balades à vélo", "find_places", 0.9)
    assert "restaurant" in entities_of(message, "kind")
    assert "velo" in entities_of(message, "interest")
    added = message.get("safety_net")["added"]
    text = message.get("text")
    assert {text[a["start"]:a["end"]] for a in added} >= {"crêperie", "vélo"}


def test_no_kind_is_added_inside_another_entity() -> None:
    text = "une balade dans la forêt de Mormal"
    message = parse(text, "find_routes", 0.9, [place(text, "forêt de Mormal")])
    assert "forest" not in entities_of(message, "kind")
    assert entities_of(message, "place") == ["forêt de Mormal"]


def test_an_interest_with_a_kind_value_becomes_a_kind() -> None:
    text = "un resto"
    message = parse(text, "find_places", 0.9, [
        {"entity": "interest", "value": "restaurant", "start": 3, "end": 8}])
    assert entities_of(message, "kind") == ["restaurant"]
    assert entities_of(message, "interest") == []


@pytest.mark.parametrize(("text", "name"), [
    ("par contre c'est un peu loin", "contre"),
    ("en fait on a déjà mangé", "fait"),
    ("Contre toute attente il fait beau", "Contre"),
    ("on a marché dans la boue", "boue"),
    ("on prendra le bus", "bus"),
])
def test_everyday_words_are_never_towns(text: str, name: str) -> None:
    message = parse(text, "inform_location", 0.6, [place(text, name)])
    assert entities_of(message, "place") == []
    assert message.get("safety_net")["dropped"]


@pytest.mark.parametrize(("text", "name"), [
    ("on loge à Contre ce soir", "Contre"),
    ("un gîte près de Rue", "Rue"),
    ("je suis à Bavay", "Bavay"),
    ("des restos au Quesnoy", "Quesnoy"),
    ("un estaminet à Maroilles", "Maroilles"),
])
def test_towns_with_a_preposition_stay_towns(text: str, name: str) -> None:
    message = parse(text, "find_places", 0.9, [place(text, name)])
    assert entities_of(message, "place") == [name]


def test_a_doubtful_guess_is_dropped_a_misspelt_town_kept() -> None:
    text = "on cherche un truc sympa vers bavai ou vers Bidule"
    message = parse(text, "find_places", 0.9, [place(text, "bavai", confidence=0.5),
                                               place(text, "Bidule", confidence=0.5)])
    assert entities_of(message, "place") == ["bavai"]


def test_the_same_place_from_two_extractors_is_kept_once() -> None:
    text = "un resto à Bavay"
    regex = {**place(text, "Bavay"), "extractor": "RegexEntityExtractor"}
    message = parse(text, "find_places", 0.9, [place(text, "Bavay"), regex])
    assert entities_of(message, "place") == ["Bavay"]


def test_the_cheese_is_not_the_town() -> None:
    text = "où acheter du maroilles fermier ?"
    message = parse(text, "find_places", 0.9, [place(text, "maroilles", "Maroilles")])
    assert entities_of(message, "place") == []


def test_a_generic_word_alone_is_not_a_place() -> None:
    text = "une promenade en forêt"
    message = parse(text, "find_routes", 0.9, [place(text, "forêt")])
    assert entities_of(message, "place") == []
    assert "forest" in entities_of(message, "kind")


# ----------------------------------------------------------------------------- lexicon

def test_the_lexicon_reads_the_taxonomy_and_the_synonyms() -> None:
    lexicon = default_lexicon()
    assert set(lexicon.kinds.values()) <= set(KINDS)
    assert set(lexicon.interests.values()) <= set(INTERESTS)
    assert set(KIND_INTEREST) == set(KINDS)
    assert set(KIND_INTEREST.values()) <= set(INTERESTS)
    # Every kind has at least one word (its French label at least).
    assert set(lexicon.kinds.values()) == set(KINDS)
    assert lexicon.places, "bot/data/lookups/place.yml was not read"


def test_folding_keeps_offsets() -> None:
    text = "Où dîner près de l’Étang-du-Pont ?"
    assert len(fold(text)) == len(text)
    assert fold(text).split() == ["ou", "diner", "pres", "de", "l", "etang", "du", "pont"]


def test_accents_tell_a_market_from_a_walk() -> None:
    lexicon = default_lexicon()
    market = "le marché du samedi"
    walk = "une petite marche digestive"
    assert ("kind", "market") in {(e, v) for e, v, _, _ in lexicon.find(fold(market), market)}
    assert ("interest", "randonnee") in {(e, v) for e, v, _, _ in
                                         lexicon.find(fold(walk), walk)}
