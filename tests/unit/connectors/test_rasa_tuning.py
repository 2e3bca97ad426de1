"""The Rasa process's tuning (issue 18, `connectors/rasa_tuning.py`): one pooled HTTP
session to the action server and one JSON-schema validator per schema, with Rasa 3.6's
own behaviour (headers, params, token, auth, errors, validation errors), against a local
aiohttp server; on by default, nothing installed with `RASA_TUNING=0`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import jsonschema.validators
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from connectors import rasa_tuning
from knowledge.timing import Recorder, unpatch

# Rasa's own methods, whether or not another module (connectors.tracker_store, imported by
# another test file first) installed the tuning already.
RASA_SESSION = rasa_tuning._originals.get("session", EndpointConfig.__dict__["session"])
RASA_VALIDATE = rasa_tuning._originals.get(
    "_validate_action_result", RemoteAction.__dict__["_validate_action_result"])
RASA_LOAD_MODEL = rasa_tuning._originals.get("agent_load_model", Agent.__dict__["load_model"])
RASA_GRAPH_RUN = rasa_tuning._originals.get("graph_run", DaskGraphRunner.__dict__["run"])
RASA_RESOLVE = rasa_tuning._originals.get("resolve_by_type", Event.__dict__["resolve_by_type"])


class ActionServer:
    """A local server answering `/webhook`, noting every request and every TCP connection
    it came on (the transports are kept, so that two connections never share an id)."""

    def __init__(self, status: int = 200, body: Any = None) -> None:
        self.status = status
        self.body = {"events": [], "responses": []} if body is None else body
        self.transports: list[Any] = []
        self.requests: list[dict[str, Any]] = []

    async def handle(self, request: web.Request) -> web.Response:
        if not any(t is request.transport for t in self.transports):
            self.transports.append(request.transport)
        headers = {k: v for k, v in request.headers.items() if k != "Host"}  # port varies
        self.requests.append({"headers": headers, "query": dict(request.query),
                              "json": await request.json()})
        response = web.json_response(self.body, status=self.status)
        response.set_cookie("visit", "1")  # never to come back: Rasa keeps no cookie
        return response

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhook", self.handle)
        return app


def _set_tuning(on: bool) -> None:
    if on:
        rasa_tuning.install()
    else:
        rasa_tuning.uninstall()


@pytest.fixture
def restore_tuning() -> Iterator[None]:
    """Leaves the tuning installed or not, as the test found it."""
    was_installed = bool(rasa_tuning._originals)
    yield
    _set_tuning(was_installed)


@pytest.fixture
async def tuned(restore_tuning: None) -> AsyncIterator[None]:
    rasa_tuning.install()
    yield
    await rasa_tuning.pool.close()


@pytest.fixture
def untuned(restore_tuning: None) -> None:
    rasa_tuning.uninstall()


async def _calls(server: ActionServer, n: int, endpoint: dict[str, Any] | None = None,
                 **kwargs: Any) -> list[Any]:
    async with TestServer(server.app(), host="127.0.0.1") as test_server:
        config = EndpointConfig(str(test_server.make_url("/webhook")), **(endpoint or {}))
        return [await config.request(json={"next_action": f"a{i}"}, method="post", **kwargs)
                for i in range(n)]


# ------------------------------------------------------------------------- installation


def test_on_by_default_and_nothing_installed_with_rasa_tuning_0(
        monkeypatch: pytest.MonkeyPatch, restore_tuning: None) -> None:
    rasa_tuning.uninstall()
    monkeypatch.setenv("RASA_TUNING", "0")
    assert not rasa_tuning.install_if_enabled()
    assert EndpointConfig.__dict__["session"] is RASA_SESSION
    assert RemoteAction.__dict__["_validate_action_result"] is RASA_VALIDATE
    monkeypatch.delenv("RASA_TUNING")
    assert rasa_tuning.install_if_enabled()
    assert EndpointConfig.__dict__["session"] is rasa_tuning.pooled_session
    assert RemoteAction.__dict__["_validate_action_result"] is rasa_tuning.validate_action_result
    assert rasa_tuning.install_if_enabled()  # idempotent: Rasa's originals still kept
    rasa_tuning.uninstall()
    assert EndpointConfig.__dict__["session"] is RASA_SESSION
    assert RemoteAction.__dict__["_validate_action_result"] is RASA_VALIDATE
    assert Event.__dict__["resolve_by_type"] is RASA_RESOLVE
    assert Agent.__dict__["load_model"] is RASA_LOAD_MODEL
    assert DaskGraphRunner.__dict__["run"] is RASA_GRAPH_RUN
    rasa_tuning.install()
    assert DaskGraphRunner.__dict__["run"] is rasa_tuning.run_graph_in_order
    rasa_tuning.uninstall()


# ------------------------------------------------------------- memory after the model load


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def test_freed_memory_goes_back_to_the_system() -> None:
    blocks = [bytearray(60_000) for _ in range(3000)]  # on the heap, below mmap's threshold
    blocks[:] = [bytearray(b"x" * 60_000) for _ in range(3000)]  # pages touched
    del blocks[::2]  # ~90 MB freed between live blocks: the heap cannot shrink from its top
    before = _rss_mb()
    assert rasa_tuning.release_freed_memory()  # glibc on this machine
    assert before - _rss_mb() > 40
    assert len(blocks) == 1500


def test_the_model_load_is_followed_by_the_release(
        tuned: None, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Agent.__dict__["load_model"].__wrapped__ is RASA_LOAD_MODEL
    calls: list[str] = []
    monkeypatch.setattr(rasa_tuning, "release_freed_memory", lambda: calls.append("release"))
    load = rasa_tuning.then_release(lambda agent, path: calls.append(f"load {path}") or 7)
    assert load(Agent(), "bot/models/famille.tar.gz") == 7
    assert calls == ["load bot/models/famille.tar.gz", "release"]


# ------------------------------------------------------------- event classes by type name


def _every_event_class() -> list[type]:
    from rasa.shared.utils.common import all_subclasses

    return [cls for cls in all_subclasses(Event)
            if isinstance(getattr(cls, "type_name", None), str)]


def test_tuned_event_lookup_finds_rasas_classes_and_remembers_them(tuned: None) -> None:
    names = {cls.type_name for cls in _every_event_class()}
    assert {"user", "bot", "action", "slot", "session_started"} <= names
    rasa_answers = {name: RASA_RESOLVE.__func__(name) for name in names}
    assert {name: Event.resolve_by_type(name) for name in names} == rasa_answers
    assert rasa_tuning._event_classes == rasa_answers  # each looked up once, then kept
    # Read back as Rasa reads them: the same events.
    events = [UserUttered("bonjour", {"name": "greet", "confidence": 1.0}),
              ActionExecuted("action_listen"), SlotSet("commune", "Bavay")]
    assert Event.from_parameters(events[0].as_dict()) == events[0]
    assert [Event.from_parameters(e.as_dict()) for e in events] == events


def test_tuned_event_lookup_keeps_rasas_answer_for_unknown_names(tuned: None) -> None:
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
    assert "no_such_event" not in rasa_tuning._event_classes


# ------------------------------------------------------------------------ pooled session


async def test_tuned_requests_reuse_one_connection(tuned: None) -> None:
    server = ActionServer()
    created = rasa_tuning.pool.created
    replies = await _calls(server, 5)
    assert replies == [{"events": [], "responses": []}] * 5
    assert len(server.requests) == 5 and len(server.transports) == 1
    assert rasa_tuning.pool.created == created + 1


async def test_rasa_opens_a_connection_per_request(untuned: None) -> None:
    server = ActionServer()
    assert await _calls(server, 5) == [{"events": [], "responses": []}] * 5
    assert len(server.requests) == 5 and len(server.transports) == 5


async def test_concurrent_tuned_requests_all_answered(tuned: None) -> None:
    server = ActionServer()
    async with TestServer(server.app(), host="127.0.0.1") as test_server:
        config = EndpointConfig(str(test_server.make_url("/webhook")))
        replies = await asyncio.gather(*(config.request(json={"i": i}) for i in range(20)))
        assert replies == [{"events": [], "responses": []}] * 20
        await config.request(json={"i": 20})
    assert len(server.requests) == 21 and len(server.transports) <= 20


def _what_the_server_got(monkeypatch: pytest.MonkeyPatch, on: bool) -> list[dict[str, Any]]:
    _set_tuning(on)
    server = ActionServer()
    endpoint = {"params": {"p": "1"}, "headers": {"X-Endpoint": "e"}, "token": "secret",
                "token_name": "jeton", "basic_auth": {"username": "u", "password": "pw"}}

    async def run() -> None:
        await _calls(server, 2, endpoint, params={"q": "2"}, headers={"X-Call": "c"})
        await rasa_tuning.pool.close()

    asyncio.run(run())
    return server.requests


def test_headers_params_token_and_auth_reach_the_server_as_with_rasa(
        monkeypatch: pytest.MonkeyPatch, restore_tuning: None) -> None:
    tuned = _what_the_server_got(monkeypatch, True)
    untuned = _what_the_server_got(monkeypatch, False)
    assert tuned == untuned
    first, second = tuned
    assert first["query"] == {"p": "1", "jeton": "secret", "q": "2"}
    assert first["headers"]["X-Endpoint"] == "e" and first["headers"]["X-Call"] == "c"
    assert first["headers"]["Authorization"].startswith("Basic ")
    assert first["headers"]["Content-Type"] == "application/json"
    assert "Cookie" not in second["headers"]  # the cookie set by the first reply stays out


@pytest.mark.parametrize("on", [True, False])
def test_an_error_status_raises_rasas_client_response_error(
        on: bool, restore_tuning: None) -> None:
    _set_tuning(on)

    async def run() -> ClientResponseError:
        try:
            with pytest.raises(ClientResponseError) as raised:
                await _calls(ActionServer(500, {"error": "boom"}), 1)
            return raised.value
        finally:
            await rasa_tuning.pool.close()

    error = asyncio.run(run())
    assert type(error) is ClientResponseError
    assert error.status == 500 and error.message == "Internal Server Error"
    assert error.text == b'{"error": "boom"}'


def test_a_new_event_loop_gets_a_new_session(restore_tuning: None) -> None:
    rasa_tuning.install()
    created = rasa_tuning.pool.created
    sessions: list[Any] = []

    async def run() -> None:
        await _calls(ActionServer(), 2)
        sessions.append(rasa_tuning.pool.get(EndpointConfig("http://127.0.0.1:1/webhook")))

    for _ in range(3):  # each loop closed by asyncio.run, its session left behind
        asyncio.run(run())
    assert rasa_tuning.pool.created == created + 3
    assert len(set(map(id, sessions))) == 3
    assert sessions[0].closed and sessions[1].closed  # dropped when the next loop came
    assert len(rasa_tuning.pool._loops) == 1
    rasa_tuning.pool.discard()
    assert sessions[2].closed and not rasa_tuning.pool._loops


async def test_a_closed_session_is_replaced(tuned: None) -> None:
    server = ActionServer()
    async with TestServer(server.app(), host="127.0.0.1") as test_server:
        config = EndpointConfig(str(test_server.make_url("/webhook")))
        await config.request(json={})
        first = rasa_tuning.pool.get(config)
        await first.close()
        await config.request(json={})
        assert rasa_tuning.pool.get(config) is not first
    assert len(server.requests) == 2 and len(server.transports) == 2


async def test_timing_wraps_the_tuned_request_in_either_order(
        tmp_path: Any, restore_tuning: None) -> None:
    from connectors import timing
    from connectors.tracker_store import WalSQLTrackerStore

    for tuning_first in (True, False):
        rasa_tuning.uninstall()
        if tuning_first:
            rasa_tuning.install()
        timing.install(Recorder(tmp_path, "rasa"), WalSQLTrackerStore)
        if not tuning_first:
            rasa_tuning.install()
        try:
            assert getattr(EndpointConfig.request, "__bench_timed__", False)
            server = ActionServer()
            await _calls(server, 3)
            assert len(server.requests) == 3 and len(server.transports) == 1
        finally:
            unpatch(timing._patched)
            await rasa_tuning.pool.close()


# --------------------------------------------------------- the action server's response


def _remote_action(url: str = "http://127.0.0.1:1/webhook") -> RemoteAction:
    return RemoteAction("action_test", EndpointConfig(url))


@pytest.fixture
def validator_builds(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every validator built for a schema: `jsonschema.validate` looks its class up with
    `validator_for(schema)`, no default (the lookups of `check_schema` and of the
    validation itself, `evolve`, pass one)."""
    builds: list[Any] = []
    original = jsonschema.validators.validator_for

    def counting(schema: Any, *args: Any, **kwargs: Any) -> Any:
        if not args and "default" not in kwargs:
            builds.append(schema)
        return original(schema, *args, **kwargs)

    monkeypatch.setattr(jsonschema.validators, "validator_for", counting)
    rasa_tuning._validators.clear()
    return builds


VALID = {"events": [{"event": "slot", "name": "lieu", "value": "Bavay"}],
         "responses": [{"text": "Bonjour"}]}
INVALID = {"events": "pas une liste", "responses": []}


def test_the_schema_is_checked_once_when_tuned(
        validator_builds: list[Any], restore_tuning: None) -> None:
    rasa_tuning.install()
    action = _remote_action()
    for _ in range(3):
        assert action._validate_action_result(VALID) is True
    assert len(validator_builds) == 1
    rasa_tuning.uninstall()
    for _ in range(3):
        assert action._validate_action_result(VALID) is True
    assert len(validator_builds) == 4  # Rasa's: one per call


def _validation_error(on: bool) -> jsonschema.ValidationError:
    _set_tuning(on)
    with pytest.raises(jsonschema.ValidationError) as raised:
        _remote_action()._validate_action_result(INVALID)
    return raised.value


def test_an_invalid_response_raises_the_same_validation_error(
        validator_builds: list[Any], restore_tuning: None) -> None:
    tuned, untuned = _validation_error(True), _validation_error(False)
    assert tuned.message == untuned.message
    assert "Failed to validate Action server response" in tuned.message
    assert list(tuned.path) == list(untuned.path) == ["events"]
    assert tuned.validator == untuned.validator == "type"


@pytest.mark.parametrize(("status", "body", "raised"), [
    (200, VALID, None),
    (200, INVALID, jsonschema.ValidationError),
    (500, {"error": "boom"}, RasaException),
])
async def test_a_remote_action_runs_as_with_rasa(
        tuned: None, status: int, body: dict[str, Any], raised: type[Exception] | None) -> None:
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    server = ActionServer(status, body)
    async with TestServer(server.app(), host="127.0.0.1") as test_server:
        action = _remote_action(str(test_server.make_url("/webhook")))
        domain = Domain.empty()
        tracker = DialogueStateTracker("visiteur", [])
        run = action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}),
                         tracker, domain)
        if raised is None:
            events = await run
            assert [e.as_dict()["event"] for e in events] == ["bot", "slot"]
        else:
            with pytest.raises(raised):
                await run


# ------------------------------------------------------------------- spaCy without NER


def test_spacy_without_ner_gives_the_same_lemmas_and_vectors(restore_tuning: None) -> None:
    import numpy as np
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    text = "je voudrais visiter un musée près de Bavay avec les enfants"
    rasa_tuning.uninstall()
    plain = SpacyNLP.load_model("fr_core_news_sm").model
    rasa_tuning.install()
    tuned = SpacyNLP.load_model("fr_core_news_sm").model
    assert "ner" in plain.pipe_names and "ner" not in tuned.pipe_names
    assert "parser" not in plain.pipe_names  # Rasa's own choice, kept
    a, b = plain(text), tuned(text)
    assert [t.lemma_ for t in a] == [t.lemma_ for t in b]
    assert np.allclose(a.tensor, b.tensor)
    assert not b.ents  # nothing recognised: the pipe does not run
