"""The model's graph run in a cached order (issue 18, `connectors/rasa_tuning.py`): the
same outputs, the same errors and the same calls as Rasa's dask runner, on a small graph
of real Rasa graph components."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from connectors import rasa_tuning

CALLS: list[str] = []


class Step(GraphComponent):
    """Joins its inputs into one string, tagged with its node's `tag`; `fail` raises."""

    def __init__(self, tag: str, fail: bool) -> None:
        self.tag, self.fail = tag, fail

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> Step:
        return cls(config["tag"], config.get("fail", False))

    def run(self, **inputs: Any) -> str:
        CALLS.append(self.tag)
        if self.fail:
            raise ValueError(f"{self.tag} failed")
        return f"{self.tag}(" + ",".join(f"{k}={inputs[k]}" for k in sorted(inputs)) + ")"


def _node(tag: str, needs: dict[str, str], fail: bool = False) -> SchemaNode:
    return SchemaNode(needs=needs, uses=Step, constructor_name="create", fn="run",
                      config={"tag": tag, "fail": fail})


SCHEMA = GraphSchema({
    "tokens": _node("tokens", {"text": "message"}),
    "features": _node("features", {"tokens": "tokens", "text": "message"}),
    "words": _node("words", {"tokens": "tokens"}),
    "intent": _node("intent", {"features": "features", "words": "words"}),
    "unused": _node("unused", {"intent": "intent"}),
    "broken": _node("broken", {"tokens": "tokens"}, fail=True),
    "default": _node("default", {"absent": "placeholder"}),
})


@pytest.fixture
def runner(tmp_path: Path) -> DaskGraphRunner:
    storage = LocalModelStorage(tmp_path)
    return DaskGraphRunner(SCHEMA, storage, ExecutionContext(SCHEMA, "test"))


def _both(runner: DaskGraphRunner, inputs: dict[str, Any] | None,
          targets: list[str] | None) -> list[tuple[Any, list[str]]]:
    """(outputs, node calls) of Rasa's dask run, then of the run in order."""
    results = []
    for run in (rasa_tuning._originals.get("graph_run", DaskGraphRunner.run),
                rasa_tuning.run_graph_in_order):
        CALLS.clear()
        results.append((run(runner, inputs, targets), list(CALLS)))
    return results


@pytest.mark.parametrize("targets", [["intent"], ["words", "features"]])
def test_the_same_outputs_and_calls_as_dasks(runner: DaskGraphRunner,
                                             targets: list[str]) -> None:
    dask, in_order = _both(runner, {"message": "Bavay"}, targets)
    assert in_order[0] == dask[0]
    assert set(in_order[0]) == set(targets)
    assert sorted(in_order[1]) == sorted(dask[1])  # each needed node once, no other
    assert "unused" not in in_order[1] and "broken" not in in_order[1]
    assert in_order[1][0] == "tokens"  # what the others need, first


def test_the_plan_is_worked_out_once_per_set_of_targets(runner: DaskGraphRunner) -> None:
    rasa_tuning.run_graph_in_order(runner, {"message": "a"}, ["intent"])
    plan = runner.__dict__["_famille_plans"][("intent",)]
    assert [name for name, _ in plan] == ["tokens", "features", "words", "intent"]
    rasa_tuning.run_graph_in_order(runner, {"message": "b"}, ["intent"])
    assert runner.__dict__["_famille_plans"][("intent",)] is plan


def test_the_same_errors_as_dasks(runner: DaskGraphRunner) -> None:
    for run in (rasa_tuning._originals.get("graph_run", DaskGraphRunner.run),
                rasa_tuning.run_graph_in_order):
        with pytest.raises(Exception, match="graph component for node broken") as failed:
            run(runner, {"message": "x"}, ["broken"])
        assert type(failed.value).__name__ == "GraphComponentException"
        assert str(failed.value.__cause__) == "broken failed"
        with pytest.raises(GraphRunError, match="Expected input 'placeholder'"):
            run(runner, {"message": "x"}, ["default"])  # a need that is no node nor input
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            run(runner, {"message": "tokens"}, ["intent"])
