"""Retention and the figures against any visitor text (issue 15), on SQLite and on
PostgreSQL: before, one REST message with a 100-character `input_channel` or one widget
message `/find_events{"period": "\\u0000"}` stopped retention for good on PostgreSQL
(StringDataRightTruncation; NUL → ValueError), one unreadable conversation stopped it
everywhere, a failed run was only a log line, and `/feedback` counted any id, any number
of times."""

from __future__ import annotations

import json
import time
from pathlib import Path

import sqlalchemy as sa

from analytics.aggregates import DAILY
from analytics.reader import EVENTS, make_engine
from analytics.synthetic import create_events_table
from tests.security.conftest import Staff, event, run, user, web_app, write_events

OLD = time.time() - 40 * 86400   # older than the 30 days kept
CARD = {"type": "places", "speaker": "jeannine", "items": [
    {"id": "bavay-forum-antique", "name": "Forum antique de Bavay", "kind": "museum"}]}


def _conversations_per_channel(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(DAILY.c.channel, DAILY.c.value)
                            .where(DAILY.c.metric == "conversations")).all()
        left = conn.execute(sa.select(sa.func.count()).select_from(EVENTS)).scalar_one()
    engine.dispose()
    assert left == 0, "retention left old events"
    return {channel: value for channel, value in rows}


def test_retention_survives_a_long_channel_name_and_a_nul_entity(tracker_url: str) -> None:
    engine = make_engine(tracker_url)
    write_events(engine, [
        user("long-channel", OLD, "bonjour", "greet", "x" * 100),
        user("nul-period", OLD, '/find_events{"period": "\\u0000"}', "find_events",
             "socketio", [{"entity": "period", "value": "\x00", "start": 0, "end": 1},
                          {"entity": "interest", "value": "pat\x00rimoine" + "e" * 300}]),
        user("normal", OLD, "bonjour", "greet", "rest"),
    ])
    engine.dispose()
    done = run("-m", "analytics", "--database", tracker_url, "retention")
    assert done.returncode == 0, done.stderr
    assert "3 événements" in done.stdout
    # a channel the project does not have is counted under one label, never its name
    assert _conversations_per_channel(tracker_url) == {"inconnu": 1, "socketio": 1, "rest": 1}
    engine = make_engine(tracker_url)
    with engine.connect() as conn:
        keys = conn.execute(sa.select(DAILY.c.metric, DAILY.c.key)
                            .where(DAILY.c.metric.in_(("period", "interest")))).all()
    engine.dispose()
    # no NUL, no empty period, and no interest that is no taxonomy key (issue 17: only what
    # the bot understood counts, analytics/known.py)
    assert keys == []


def test_an_unreadable_conversation_is_skipped_and_the_others_counted(tracker_url: str,
                                                                      ) -> None:
    engine = make_engine(tracker_url)
    write_events(engine, [
        user("unreadable", OLD, "bonjour", "greet", "rest", ["pas une entité"]),
        user("normal", OLD, "bonjour", "greet", "socketio"),
    ])
    engine.dispose()
    done = run("-m", "analytics", "--database", tracker_url, "retention")
    assert done.returncode == 0, done.stderr
    assert "1 conversation illisible" in done.stdout
    assert "left out of the counts (AttributeError)" in done.stderr  # the logged reason
    assert _conversations_per_channel(tracker_url) == {"socketio": 1}


def test_feedback_counts_only_items_shown_once_each(tracker_url: str) -> None:
    engine = make_engine(tracker_url)
    now = time.time() - 60
    rows = [user("v", now, "un musée", "find_places", "socketio"),
            event("v", "bot", now + 1, text="Voici", data={"custom": CARD})]
    for n, item in enumerate(["bavay-forum-antique"] * 3 + ["autre-lieu-jamais-montre"] * 3):
        t = now + 2 + n
        rows += [user("v", t, f'/feedback{{"rating": "up", "item": "{item}"}}', "feedback",
                      "socketio"),
                 event("v", "slot", t, name="feedback_rating", value="up"),
                 event("v", "slot", t, name="feedback_item", value=item)]
    write_events(engine, rows)
    engine.dispose()
    done = run("-m", "analytics", "--database", tracker_url, "export", "summary",
               "--format", "json")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["totals"]["feedback_up"] == 1
    assert [(r["id"], r["up"]) for r in figures["feedback_places"]] == [
        ("bavay-forum-antique", 1)]


def test_a_failed_run_exits_1_and_the_console_shows_it(tmp_path: Path) -> None:
    """The database refuses the deletion (a trigger stands for any refusal): the command
    says so in French with status 1, and the console's analysts see a banner until a run
    succeeds. Over the real web app."""
    with web_app(tmp_path, accounts=(("anna", "analyst"), ("eddy", "editor"))) as app:
        url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
        engine = make_engine(url)
        create_events_table(engine)
        write_events(engine, [user("v", OLD, "bonjour", "greet", "rest")])
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TRIGGER refuse BEFORE DELETE ON events "
                                 "BEGIN SELECT RAISE(ABORT, 'refus'); END"))
        done = run("-m", "analytics", "--database", url, "retention")
        assert done.returncode == 1
        assert "Erreur : " in done.stderr
        analyst, editor = Staff(app.url), Staff(app.url)
        assert analyst.log_in("anna") == 302 and editor.log_in("eddy") == 302
        status, page, _ = analyst.request("/console/")
        assert status == 200
        assert "La suppression automatique des conversations de plus de 30 jours a échoué" \
            in page and 'role="alert"' in page
        assert "a échoué" not in editor.request("/console/")[1]  # not the editors' concern
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TRIGGER refuse"))
        engine.dispose()
        assert run("-m", "analytics", "--database", url, "retention").returncode == 0
        assert "a échoué" not in analyst.request("/console/")[1]
