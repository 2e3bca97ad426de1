"""Keyboard mash goes to nlu_fallback (bot/nlu/safety_net.py, bot/nlu/lexicon.py Vocabulary).

Each case builds a Rasa `Message` as DIET would leave it and checks what the safety net
makes of it; no trained model. The sentences are written for these tests, none comes from
the blind test set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.nlu.lexicon import Vocabulary, default_vocabulary, keyboard_run
from tests.support.safety_net import nlu_message, safety_net

if TYPE_CHECKING:
    from rasa.shared.nlu.training_data.message import Message


def parse(text: str, intent: str, confidence: float = 0.9,
          entities: list[dict] | None = None) -> Message:
    """What SafetyNet({}) makes of a parse."""
    message = nlu_message({
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence},
                           {"name": "out_of_scope", "confidence": round(1 - confidence, 3)}],
        "entities": list(entities or []),
    })
    safety_net().process([message])
    return message


@pytest.mark.parametrize(("text", "wrong"), [
    ("xyz", "affirm"),
    ("zorglub", "find_places"),
    ("kjhkjh", "greet"),
    ("dfgdfg sdfsdf !!", "find_events"),
    ("qsdfghjk", "out_of_scope"),      # a training example, still mash
    ("poiuytr", "ask_weather"),
    ("jjjjjjj", "thank"),
    ("wxcv", "deny"),
])
def test_keyboard_mash_becomes_fallback_and_says_so(text: str, wrong: str) -> None:
    message = parse(text, wrong, 0.93)
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("intent_ranking")[0]["name"] == "nlu_fallback"
    record = message.get("safety_net")
    assert record["rule"] == "no known word"
    assert record["from"] == wrong and record["to"] == "nlu_fallback"
    assert record["unknown"]


def test_entities_guessed_in_mash_are_cleared() -> None:
    text = "zorglub blorp"
    guess = {"entity": "place", "value": "zorglub", "start": 0, "end": 7,
             "extractor": "DIETClassifier", "confidence_entity": 0.6}
    message = parse(text, "inform_location", 0.8, [guess])
    assert message.get("entities") == []
    assert message.get("safety_net")["cleared"] == [{"entity": "place", "value": "zorglub"}]


@pytest.mark.parametrize(("text", "intent"), [
    ("restau pa cher ?", "find_places"),
    ("une rando", "find_routes"),
    ("le musé c ouvert ?", "ask_place_info"),
    ("slt", "greet"),
    ("bjr", "greet"),
    ("ya koi", "find_events"),
    ("ok", "affirm"),
    ("oui", "affirm"),
    ("non", "deny"),
    ("ouais", "affirm"),
    ("nan", "deny"),
    ("merci", "thank"),
    ("mrc", "thank"),
    ("mersi bcp", "thank"),
    ("pizeria", "find_places"),
    ("randoo", "find_routes"),
    ("bavai", "inform_location"),
    ("estaminé", "find_places"),
    ("Hon-Hergies", "inform_location"),
    ("50", "inform_location"),
    ("where can we eat", "find_places"),
    ("fietsen", "find_routes"),
])
def test_real_messages_with_typos_are_left_to_the_classifier(text: str, intent: str) -> None:
    message = parse(text, intent, 0.7)
    assert message.get("intent")["name"] == intent
    assert (message.get("safety_net") or {}).get("rule") != "no known word"


@pytest.mark.parametrize("text", ["👍", "???", "🙂🙂", ""])
def test_emoji_or_punctuation_alone_is_left_to_the_classifier(text: str) -> None:
    message = parse(text, "affirm", 0.8)
    assert message.get("intent")["name"] == "affirm"
    assert "safety_net" not in message.data


def test_a_payload_is_never_touched() -> None:
    message = parse('/zorglub{"xyz": 1}', "affirm", 0.95)
    assert message.get("intent")["name"] == "affirm"
    assert "safety_net" not in message.data


def test_one_known_word_among_mash_is_enough_to_keep_the_classifier() -> None:
    message = parse("xyz resto", "find_places", 0.5)
    assert (message.get("safety_net") or {}).get("rule") != "no known word"


def test_the_vocabulary_reads_the_data_lexicon_and_common_words() -> None:
    vocabulary = default_vocabulary()
    for word in ("estaminet", "maroilles", "quesnoy", "ducasse", "bonjour", "mrc", "le"):
        assert word in vocabulary.words, word
    assert "qsdfghjk" not in vocabulary.words  # out_of_scope example, but keyboard mash
    assert keyboard_run("azertyuiop") and keyboard_run("lkjh") and not keyboard_run("rando")


def test_short_unknown_words_are_not_guessed_as_typos() -> None:
    vocabulary = Vocabulary({"restaurant", "rando", "oui"})
    assert vocabulary.knows("restau") and vocabulary.knows("randoo")
    assert not vocabulary.knows("xyz") and not vocabulary.knows("ou")
    assert vocabulary.unknown("xyz qwx") == ["xyz", "qwx"]
    assert vocabulary.unknown("oui xyz") is None


def test_a_four_letter_word_with_one_letter_changed_is_not_a_typo() -> None:
    vocabulary = Vocabulary({"walk", "velo", "plie", "kwa"})
    assert not vocabulary.knows("kwak") and not vocabulary.knows("plif")
    assert vocabulary.unknown("kwak plif") == ["kwak", "plif"]
    assert vocabulary.knows("vello")  # a letter more is still a typo
