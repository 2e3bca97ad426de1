"""The linear second opinion on the intent (bot/nlu/linear_vote.py): trained on sentence
features, saved and loaded through Rasa's model storage, blended with DIET's ranking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix

from bot.nlu.linear_vote import LinearVote, blend

# Two made-up features: the first says "opening hours", the second "a walk".
HOURS, WALK = [1.0, 0.0], [0.0, 1.0]


def _message(features: list[float], intent: str | None = None,
             ranking: list[tuple[str, float]] | None = None) -> Message:
    data = {TEXT: "x"}
    if intent:
        data[INTENT] = intent
    message = Message(data=data)
    message.set(TOKENS_NAMES[TEXT], [])
    message.add_features(Features(csr_matrix([features]), FEATURE_TYPE_SENTENCE, TEXT,
                                  "test"))
    if ranking:
        message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking])
        message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]})
    return message


@pytest.fixture
def trained(tmp_path: Path) -> tuple[LinearVote, LocalModelStorage, Resource,
                                     ExecutionContext]:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("linear_vote")
    context = ExecutionContext(GraphSchema({}), "test")
    vote = LinearVote.create({"C": 10.0}, storage, resource, context)
    examples = [_message(HOURS, "ask_place_info") for _ in range(5)]
    examples += [_message(WALK, "find_routes") for _ in range(5)]
    vote.train(TrainingData(examples))
    return vote, storage, resource, context


def test_blend_averages_and_counts_a_missing_intent_as_zero() -> None:
    diet = [{"name": "ask_weather", "confidence": 0.6}, {"name": "ask_place_info",
                                                         "confidence": 0.3}]
    ranking = blend(diet, {"ask_place_info": 0.9, "ask_weather": 0.05, "thank": 0.05}, 0.5)
    assert [r["name"] for r in ranking] == ["ask_place_info", "ask_weather", "thank"]
    assert ranking[0]["confidence"] == pytest.approx(0.6)
    assert ranking[2]["confidence"] == pytest.approx(0.025)


def test_the_weight_is_diets_share() -> None:
    diet = [{"name": "find_places", "confidence": 1.0}]
    only_diet = blend(diet, {"find_routes": 1.0}, 1.0)
    assert only_diet[0]["name"] == "find_places"
    only_linear = blend(diet, {"find_routes": 1.0}, 0.0)
    assert only_linear[0]["name"] == "find_routes"


def test_a_confident_linear_model_overrules_an_unsure_diet(trained) -> None:  # noqa: ANN001
    vote, *_ = trained
    message = _message(HOURS, ranking=[("ask_weather", 0.5), ("ask_place_info", 0.4)])
    vote.process([message])
    assert message.get(INTENT)["name"] == "ask_place_info"
    assert message.get(INTENT_RANKING_KEY)[0]["name"] == "ask_place_info"
    opinions = message.get("linear_vote")
    assert opinions["diet"][0] == "ask_weather"
    assert opinions["linear"][0] == "ask_place_info"


def test_a_confident_diet_is_kept_when_the_linear_model_agrees(trained) -> None:  # noqa: ANN001
    vote, *_ = trained
    message = _message(WALK, ranking=[("find_routes", 0.95), ("find_places", 0.05)])
    vote.process([message])
    assert message.get(INTENT)["name"] == "find_routes"
    confidences = [r["confidence"] for r in message.get(INTENT_RANKING_KEY)]
    assert confidences == sorted(confidences, reverse=True)


def test_saved_and_loaded_through_the_model_storage(trained) -> None:  # noqa: ANN001
    vote, storage, resource, context = trained
    loaded = LinearVote.load({"C": 10.0}, storage, resource, context)
    assert loaded.model is not None
    assert list(loaded.model.classes_) == list(vote.model.classes_)
    features = np.array([HOURS])
    assert np.allclose(loaded.model.predict_proba(features),
                       vote.model.predict_proba(features))


def test_without_a_trained_model_diets_intent_is_kept(tmp_path: Path) -> None:
    context = ExecutionContext(GraphSchema({}), "test")
    vote = LinearVote.load({}, LocalModelStorage(tmp_path), Resource("none"), context)
    message = _message(HOURS, ranking=[("ask_weather", 0.5)])
    vote.process([message])
    assert message.get(INTENT)["name"] == "ask_weather"


def _rasas_combination(message: Message) -> csr_matrix:
    """The sentence features as LinearVote read them before issue 18: Rasa's combined
    sparse, then combined dense, sentence features of the text."""
    from scipy.sparse import hstack

    parts = [csr_matrix(f.features) for f in (message.get_sparse_features(TEXT)[1],
                                              message.get_dense_features(TEXT)[1])
             if f is not None]
    return hstack(parts).tocsr()


def test_the_features_are_rasas_sentence_features_combined() -> None:
    from rasa.shared.nlu.constants import FEATURE_TYPE_SEQUENCE

    rng = np.random.default_rng(3)
    message = Message(data={TEXT: "un musée à Bavay", INTENT: "find_places"})
    # As the pipeline adds them: dense (spaCy) first, then the sparse featurizers, with
    # token-level features, and features of another attribute, in between.
    for origin, sparse, width in (("spacy", False, 4), ("regex", True, 3),
                                  ("words", True, 5), ("chars", True, 7), ("more", False, 2)):
        for kind, rows in ((FEATURE_TYPE_SEQUENCE, 4), (FEATURE_TYPE_SENTENCE, 1)):
            values = rng.integers(0, 3, size=(rows, width)).astype(float)
            message.add_features(Features(csr_matrix(values) if sparse else values, kind,
                                          TEXT, origin))
        message.add_features(Features(csr_matrix(np.ones((1, 2))), FEATURE_TYPE_SENTENCE,
                                      INTENT, origin))
    ours = LinearVote._features([message, message])
    expected = _rasas_combination(message)
    assert ours.shape == (2, 3 + 5 + 7 + 4 + 2) == (2, expected.shape[1])
    assert (ours[0] != expected).nnz == 0 and (ours[1] != expected).nnz == 0
