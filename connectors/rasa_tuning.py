"""Less CPU per turn in the Rasa process (issue 18), without forking Rasa 3.6.

On by default, off with `RASA_TUNING=0` (to compare before/after in the bench). `install`
replaces two pieces of Rasa's own classes, keeping what they do:

- `EndpointConfig.session`: Rasa's `EndpointConfig.request` opens `async with
  self.session()` around every call, a new `aiohttp.ClientSession`, connector and TCP
  connection to the action server each time. Tuned, `session()` hands out one pooled
  session per event loop (and per endpoint headers/auth), kept open when the
  `async with` block ends: the connections to the action server are kept alive and
  reused. `request` itself stays Rasa's code (headers, params and token, `cafile`/ssl,
  `compress`, `ClientResponseError` for a status >= 400, JSON or None), and so does the
  opt-in timing's wrapper of it (`connectors/timing.py`), installed in either order.
  (Rasa's only other caller of `session()`, the model server pull of `rasa.core.agent`,
  also uses `async with` and gets the pooled session too; this project has none.)
- `RemoteAction._validate_action_result`: `jsonschema.validate` checked the response
  schema against its metaschema and built a validator at every action call. Tuned, one
  validator per schema, built (and checked) once; the same best-matching
  `ValidationError`, with Rasa's message appended, is raised.

- `SpacyNLP.load_model`: Rasa loads the spaCy pipeline without its parser but with its
  named-entity recogniser, which nothing in this pipeline reads (no SpacyEntityExtractor;
  the tokenizer takes lemmas, the featurizer the shared tok2vec's vectors). Tuned, `ner` is
  disabled too: the same lemmas and vectors, about half of spaCy's time per message.

- `Event.resolve_by_type`: every event read back from the tracker store (each turn reads
  the whole conversation session) looked its class up by walking the tree of every
  `Event` subclass, recursively, and comparing type names. Tuned, the class found for a
  type name is remembered: the same class, found once.

- `Agent.load_model`: loading the model (unpacking, TensorFlow restoring DIET's
  checkpoint) leaves about 100 MB of freed memory that glibc's allocator keeps in the
  process. Tuned, it is handed back to the system once the model is loaded
  (`malloc_trim`; nothing on a C library without it).

- `DaskGraphRunner.run`: each NLU parse and each policy prediction (three or four per
  turn) ran the model's graph through dask, which rebuilt the minimal graph schema
  (recursively, copying it), the dask graph and dask's task ordering every time. Tuned,
  the order of the nodes needed for a set of targets is worked out once, and the nodes
  are called in that order with their inputs, as dask's synchronous scheduler calls them:
  the same calls, values and errors.

Loaded from `connectors/tracker_store.py` (the module endpoints.yml makes Rasa load), so
it runs in the Rasa process only. Idempotent.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

import aiohttp

from knowledge.config import setting

# A connection kept alive at most this long idle: below the action server's keep-alive
# (Sanic's KEEP_ALIVE_TIMEOUT, 5 s): Rasa drops an idle connection before the server does,
# rather than sending a request on one the server is closing at that moment.
KEEPALIVE_S = 3.0
# Simultaneous connections of one pooled session: aiohttp's default, what each of Rasa's
# per-call sessions allowed; far above what one action server needs, so no turn queues.
CONNECTION_LIMIT = 100

_originals: dict[str, Any] = {}


def enabled() -> bool:
    """On unless `RASA_TUNING` is `0` (or `false`, `off`, `no`)."""
    return setting("RASA_TUNING").lower() not in ("0", "false", "off", "no")


# ------------------------------------------------------------------ pooled HTTP session


class SessionPool:
    """The pooled `ClientSession`s, per event loop and, within a loop, per endpoint
    headers/auth (the session-level settings of Rasa's `EndpointConfig.session`)."""

    def __init__(self) -> None:
        self._loops: dict[asyncio.AbstractEventLoop, dict[tuple[Any, ...], Any]] = {}
        self.created = 0  # sessions opened so far (tests)

    def get(self, endpoint: Any) -> aiohttp.ClientSession:
        """The open pooled session for `endpoint` on the running loop, created if none
        (first call on this loop, or the session closed)."""
        loop = asyncio.get_running_loop()
        sessions = self._loops.get(loop)
        if sessions is None:
            for old in [old for old in self._loops if old.is_closed()]:
                _discard(self._loops.pop(old).values())
            sessions = self._loops[loop] = {}
        key = _session_key(endpoint)
        session = sessions.get(key)
        if session is None or session.closed:
            session = sessions[key] = _new_session(endpoint)
            self.created += 1
        return session

    async def close(self) -> None:
        """Closes the sessions of the running loop (tests, shutdown)."""
        for session in self._loops.pop(asyncio.get_running_loop(), {}).values():
            await session.close()

    def discard(self) -> None:
        """Forgets every session, closing its connections without awaiting (at exit)."""
        loops, self._loops = self._loops, {}
        for sessions in loops.values():
            _discard(sessions.values())


def _discard(sessions: Iterable[aiohttp.ClientSession]) -> None:
    """Closes the sessions' connections at once, their loop being closed or stopped; the
    sessions then read as closed and warn of nothing when collected."""
    for session in sessions:
        connector = session.connector
        if connector is not None and not connector.closed:
            connector._close()  # aiohttp 3.9: `close()` without the await, safe on a closed loop


def _session_key(endpoint: Any) -> tuple[Any, ...]:
    headers = tuple(sorted((str(k), str(v)) for k, v in (endpoint.headers or {}).items()))
    auth = endpoint.basic_auth or {}
    return headers, auth.get("username"), auth.get("password")


def _new_session(endpoint: Any) -> aiohttp.ClientSession:
    """Rasa's `EndpointConfig.session()`, with a keep-alive connector and no cookie jar
    (Rasa's sessions lived for one call: no cookie ever went from one call to the next)."""
    import rasa.utils.endpoints as endpoints

    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"],
                                 endpoint.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=endpoints.DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(limit=CONNECTION_LIMIT, keepalive_timeout=KEEPALIVE_S),
        cookie_jar=aiohttp.DummyCookieJar(),
    )


pool = SessionPool()
atexit.register(pool.discard)


class _Borrowed:
    """What tuned `EndpointConfig.session()` returns: `async with` gives the pooled
    session, and leaving the block leaves it open (Rasa's callers only use `async with`)."""

    def __init__(self, endpoint: Any) -> None:
        self._endpoint = endpoint

    async def __aenter__(self) -> aiohttp.ClientSession:
        return pool.get(self._endpoint)

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        return None


def pooled_session(self: Any) -> _Borrowed:
    """Replaces `EndpointConfig.session`."""
    return _Borrowed(self)


# ---------------------------------------------------------- action response validation

_validators: dict[Callable[[], Any], Any] = {}


def _validator(spec: Callable[[], Any]) -> Any:
    """The validator of the schema `spec()` returns, built once, as `jsonschema.validate`
    builds it (the class the schema asks for, the schema checked against its metaschema)."""
    validator = _validators.get(spec)
    if validator is None:
        from jsonschema import validators

        schema = spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        validator = _validators[spec] = cls(schema)
    return validator


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """Replaces `RemoteAction._validate_action_result`: Rasa's method, with the validator
    built once per schema instead of at every call."""
    from jsonschema import ValidationError, exceptions
    from rasa.shared.constants import DOCS_BASE_URL

    # Keyed by the (static) function that returns the schema: a subclass of RemoteAction
    # with a schema of its own gets a validator of its own.
    spec = type(self).action_response_format_spec
    try:
        error = exceptions.best_match(_validator(spec).iter_errors(result))
        if error is not None:
            raise error
        return True
    except ValidationError as e:
        e.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise e


# ------------------------------------------------------------------- spaCy without NER

# Components of the spaCy pipeline that no part of config.yml's pipeline reads.
UNUSED_SPACY_PIPES = ("ner",)


def load_spacy_model(spacy_model_name: str) -> Any:
    """Replaces `SpacyNLP.load_model`: Rasa's loader, then the unused pipes disabled."""
    model = _originals["load_model"].__func__(spacy_model_name)
    for name in UNUSED_SPACY_PIPES:
        if name in model.model.pipe_names:
            model.model.disable_pipe(name)
    return model


# ------------------------------------------------------------- event classes by name

_event_classes: dict[str, type] = {}


def resolve_event_type(type_name: str, default: type | None = None) -> type | None:
    """Replaces `Event.resolve_by_type`: Rasa's lookup, its answer for a type name
    remembered when it found a class of that name (a default or an unknown name is never
    remembered: Rasa's own answer, or its error, every time)."""
    cls = _event_classes.get(type_name)
    if cls is None:
        cls = _originals["resolve_by_type"].__func__(type_name, default)
        if cls is not None and getattr(cls, "type_name", None) == type_name:
            _event_classes[type_name] = cls
    return cls


# ------------------------------------------------------- memory freed after the load


def release_freed_memory() -> bool:
    """Hands the heap's free pages back to the system (glibc's `malloc_trim(0)`); False
    where the C library has no such function."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return False
    trim(0)
    return True


def then_release(load_model: Callable[..., Any]) -> Callable[..., Any]:
    """`Agent.load_model` replaced: Rasa's (`load_model`), then the memory it freed given
    back."""

    @functools.wraps(load_model)
    def load_model_then_release(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = load_model(self, *args, **kwargs)
        release_freed_memory()
        return result

    return load_model_then_release


# --------------------------------------------------------- the graph run in order

_Plan = list[tuple[str, tuple[str, ...]]]


def _plan(runner: Any, targets: tuple[str, ...]) -> _Plan:
    """The nodes the targets need, each after the nodes it needs (depth first, as the
    schema lists its needs), with the names of its inputs; cached on the runner."""
    plans: dict[tuple[str, ...], _Plan] = runner.__dict__.setdefault("_famille_plans", {})
    cached = plans.get(targets)
    if cached is None:
        nodes = runner._graph_schema.nodes
        plan: _Plan = []
        seen: set[str] = set()

        def visit(name: str) -> None:
            if name in seen or name not in nodes:  # done, or an input placeholder
                return
            seen.add(name)
            needs = tuple(nodes[name].needs.values())
            for need in needs:
                visit(need)
            plan.append((name, needs))

        for target in targets:
            visit(target)
        cached = plans[targets] = plan
    return cached


def run_graph_in_order(self: Any, inputs: dict[str, Any] | None = None,
                       targets: list[str] | None = None) -> dict[str, Any]:
    """Replaces `DaskGraphRunner.run`: the nodes of the cached plan called one after the
    other. As in Rasa's dask graph, an input's value is `(name, value)`, a node gets the
    values of its needs in order and returns `(name, output)`, a need that is neither an
    input nor a node is passed as its own name, and a `RuntimeError` is a
    `GraphRunError`."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = targets if targets else self._graph_schema.target_names
    values: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in self._graph_schema.nodes:
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure "
                f"that none of the input names passed to the `run` method are the "
                f"same as node names in the graph schema.")
        values[name] = (name, value)
    try:
        for name, needs in _plan(self, tuple(run_targets)):
            node = self._instantiated_nodes[name]
            values[name] = node(*(values.get(need, need) for need in needs))
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    return dict(values[target] for target in run_targets)


# -------------------------------------------------------------------------- install


def install() -> bool:
    """Puts the replacements in place (once: a second call changes nothing)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    if _originals:
        return True
    _originals["graph_run"] = DaskGraphRunner.__dict__["run"]
    DaskGraphRunner.run = run_graph_in_order
    _originals["agent_load_model"] = Agent.__dict__["load_model"]
    Agent.load_model = then_release(_originals["agent_load_model"])
    _originals["resolve_by_type"] = Event.__dict__["resolve_by_type"]
    Event.resolve_by_type = staticmethod(resolve_event_type)
    _originals["session"] = EndpointConfig.__dict__["session"]
    _originals["_validate_action_result"] = RemoteAction.__dict__["_validate_action_result"]
    _originals["load_model"] = SpacyNLP.__dict__["load_model"]
    EndpointConfig.session = pooled_session
    RemoteAction._validate_action_result = validate_action_result
    SpacyNLP.load_model = staticmethod(load_spacy_model)
    return True


def uninstall() -> None:
    """Puts Rasa's methods back (tests). The pooled sessions are left to `pool.close`."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    if not _originals:
        return
    DaskGraphRunner.run = _originals.pop("graph_run")
    Agent.load_model = _originals.pop("agent_load_model")
    Event.resolve_by_type = _originals.pop("resolve_by_type")
    _event_classes.clear()
    EndpointConfig.session = _originals.pop("session")
    RemoteAction._validate_action_result = _originals.pop("_validate_action_result")
    SpacyNLP.load_model = _originals.pop("load_model")
    _validators.clear()


def install_if_enabled() -> bool:
    """`install`, unless `RASA_TUNING=0`."""
    return install() if enabled() else False
