"""A second opinion on the intent: a linear model on the same features as DIET.

DIET (one small transformer layer, 30 epochs: what 2 cores train in minutes) and a
logistic regression on the sentence features (word and character n-gram counts, spaCy's
mean vector) make different mistakes; their averaged probabilities are right more often
than either alone (bot/evaluation/pipeline.md). The regression trains in seconds.

It sits right after DIETClassifier in config.yml and rewrites `intent` and
`intent_ranking` with the blend; the parse data keeps both opinions:

    "linear_vote": {"diet": ["ask_weather", 0.52], "linear": ["ask_place_info", 0.71]}
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.linear_model import LogisticRegression

logger = logging.getLogger(__name__)
RANKING_LENGTH = 10


def blend(diet: list[dict[str, Any]], linear: dict[str, float],
          weight: float) -> list[dict[str, Any]]:
    """DIET's ranking and the linear model's probabilities averaged, best first.

    An intent missing from DIET's (truncated) ranking counts as 0 on DIET's side.
    """
    diet_conf = {r[INTENT_NAME_KEY]: float(r[PREDICTED_CONFIDENCE_KEY]) for r in diet}
    names = set(diet_conf) | set(linear)
    scores = {n: weight * diet_conf.get(n, 0.0) + (1 - weight) * linear.get(n, 0.0)
              for n in names}
    ranking = sorted(scores.items(), key=lambda kv: -kv[1])[:RANKING_LENGTH]
    return [{INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: round(c, 6)} for n, c in ranking]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
                          is_trainable=True)
class LinearVote(IntentClassifier, GraphComponent):
    """Blends DIET's intent ranking with a logistic regression's."""

    @classmethod
    def required_components(cls) -> list[type]:
        # DIET must come before it in config.yml (its ranking is blended); Rasa checks
        # required components on the training graph too, where DIET's ranking is not.
        return [Featurizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # weight: DIET's share of the blend; C: inverse regularisation of the regression.
        return {"weight": 0.5, "C": 1.0, "max_iter": 300}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage,
                 resource: Resource, model: LogisticRegression | None = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> LinearVote:
        return cls(config, model_storage, resource)

    @staticmethod
    def _features(messages: list[Message]) -> csr_matrix:
        """One row per message: its sentence features of the text, sparse ones first, each
        kind in the order the featurizers added them — what Rasa's
        `get_sparse_features(TEXT)[1]` and `get_dense_features(TEXT)[1]` combine, without
        combining the token-level features too (issue 18: half of that call's cost)."""
        rows = []
        for message in messages:
            sentence = [f for f in message.features
                        if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
            parts = [csr_matrix(f.features) for f in sentence if f.is_sparse()]
            parts += [csr_matrix(f.features) for f in sentence if f.is_dense()]
            rows.append(hstack(parts) if parts else csr_matrix((1, 0)))
        return vstack(rows).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples
                    if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        model = LogisticRegression(C=self.config["C"], max_iter=self.config["max_iter"],
                                   class_weight="balanced", random_state=42)
        model.fit(self._features(examples), [e.get(INTENT) for e in examples])
        self.model = model
        self.persist()
        return self._resource

    def persist(self) -> None:
        import skops.io as sio

        with self._storage.write_to(self._resource) as directory:
            sio.dump(self.model, directory / "linear_vote.skops")

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearVote:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / "linear_vote.skops"
                untrusted = sio.get_untrusted_types(file=path)
                if untrusted:
                    raise ValueError(f"untrusted types in {path}: {untrusted}")
                model = sio.load(path, trusted=[])
        except ValueError:
            logger.warning("LinearVote: no trained model, DIET's intent is kept")
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None or not messages:
            return messages
        probabilities = self.model.predict_proba(self._features(messages))
        classes = [str(c) for c in self.model.classes_]
        for message, row in zip(messages, probabilities, strict=True):
            diet = message.get(INTENT_RANKING_KEY) or []
            linear = dict(zip(classes, (float(p) for p in row), strict=True))
            ranking = blend(diet, linear, float(self.config["weight"]))
            if not ranking:
                continue
            best_linear = classes[int(np.argmax(row))]
            top: dict[str, Any] = diet[0] if diet else {}
            diet_top = [top.get(INTENT_NAME_KEY),
                        round(float(top.get(PREDICTED_CONFIDENCE_KEY) or 0.0), 3)]
            message.set("linear_vote", {
                "diet": diet_top, "linear": [best_linear, round(linear[best_linear], 3)]},
                add_to_output=True)
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
