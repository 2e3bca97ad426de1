"""Opt-in timing of a turn inside the Rasa process (issue 18), without forking Rasa.

With `BENCH_TIMING` set, `install` wraps Rasa 3.6's own methods (class attributes, so the
agent already loaded is timed too) and writes one line per turn (`knowledge/timing.py`):

| key | Rasa method |
|---|---|
| `turn_ms` | `Agent.handle_message`: the whole turn, waiting for the sender's lock included |
| `processor_ms` | `MessageProcessor.handle_message`: the turn once the lock is held |
| `nlu_ms` | `MessageProcessor.parse_message`: the NLU pipeline |
| `policy_ms` | `MessageProcessor._predict_next_with_tracker`: one per predicted action |
| `extract_slots_ms` | `MessageProcessor.run_action_extract_slots` |
| `store_read_ms`, `store_write_ms` | the tracker store's `retrieve` and `save` |
| `actions_ms` | `RemoteAction.run`: a custom action, from the tracker's JSON to its events |
| `action_payload_ms` | `RemoteAction._action_call_format`: the tracker serialised for it |
| `action_http_ms` | `EndpointConfig.request`: the HTTP round trip to the action server |

Each key comes with `n_<key>`, the number of calls. Off (the default), nothing is patched.
"""

from __future__ import annotations

import functools
from typing import Any

from knowledge.timing import Recorder, patch, recorded, timed, timed_async, timing_dir

_patched: list[tuple[Any, str, Any]] = []


def _sender(_agent: Any, message: Any, *_args: Any, **_kwargs: Any) -> dict[str, Any]:
    return {"sender": str(message.sender_id)}


def install(recorder: Recorder, store_class: type) -> list[tuple[Any, str, Any]]:
    """Wraps the methods above; `store_class` is the tracker store endpoints.yml names."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor
    from rasa.utils.endpoints import EndpointConfig

    patch(Agent, "handle_message",
          lambda fn: recorded(recorder, "turn_ms", fn, _sender), _patched)
    for owner, attribute, key, wrap in (
        (MessageProcessor, "handle_message", "processor_ms", timed_async),
        (MessageProcessor, "parse_message", "nlu_ms", timed_async),
        (MessageProcessor, "_predict_next_with_tracker", "policy_ms", timed),
        (MessageProcessor, "run_action_extract_slots", "extract_slots_ms", timed_async),
        (store_class, "retrieve", "store_read_ms", timed_async),
        (store_class, "save", "store_write_ms", timed_async),
        (RemoteAction, "run", "actions_ms", timed_async),
        (RemoteAction, "_action_call_format", "action_payload_ms", timed),
        (EndpointConfig, "request", "action_http_ms", timed_async),
    ):
        patch(owner, attribute, functools.partial(wrap, key), _patched)
    return _patched


def install_if_enabled(store_class: type) -> bool:
    """`install` when `BENCH_TIMING` is set; nothing otherwise (the default)."""
    directory = timing_dir()
    if directory is None:
        return False
    install(Recorder(directory, "rasa"), store_class)
    return True
