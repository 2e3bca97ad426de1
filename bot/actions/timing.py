"""Opt-in timing of the action server's calls (issue 18), beside `connectors/timing.py`.

With `BENCH_TIMING` set, one line per action call (`knowledge/timing.py`): `action_ms`,
rasa-sdk's `ActionExecutor.run` (the tracker read from its JSON, the action, its events),
and `queries_ms`, the knowledge-base calls (`KnowledgeBase.call`: every query of an action
goes through it, in a worker thread that inherits the call's context). `bench/
conversation_turns.py` joins these lines to Rasa's turns by sender and time. Off (the
default), nothing is patched.
"""

from __future__ import annotations

from typing import Any

from knowledge.aio import KnowledgeBase
from knowledge.timing import Recorder, patch, recorded, timed, timing_dir

_patched: list[tuple[Any, str, Any]] = []


def _call(_executor: Any, action_call: Any, *_args: Any, **_kwargs: Any) -> dict[str, Any]:
    return {"sender": str(action_call["tracker"]["sender_id"]),
            "action": str(action_call.get("next_action"))}


def install(recorder: Recorder) -> list[tuple[Any, str, Any]]:
    from rasa_sdk.executor import ActionExecutor

    patch(ActionExecutor, "run", lambda fn: recorded(recorder, "action_ms", fn, _call),
          _patched)
    patch(KnowledgeBase, "call", lambda fn: timed("queries_ms", fn), _patched)
    return _patched


def install_if_enabled() -> bool:
    """`install` when `BENCH_TIMING` is set; nothing otherwise (the default)."""
    directory = timing_dir()
    if directory is None:
        return False
    install(Recorder(directory, "actions"))
    return True
