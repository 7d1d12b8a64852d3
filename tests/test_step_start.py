"""Shortcuts on every step's start and every recorded event (docs/benchmarks.md): they must give
what the plain way gives."""

from __future__ import annotations

import os

from orchest_jlab.engine.context import environ_copy
from orchest_jlab.store.text import storable


def test_a_steps_environment_follows_every_change_of_this_processs(monkeypatch):
    assert environ_copy() == dict(os.environ)
    monkeypatch.setenv("ORCHEST_JLAB_TEST_VARIABLE", "one")
    assert environ_copy()["ORCHEST_JLAB_TEST_VARIABLE"] == "one"
    monkeypatch.setenv("ORCHEST_JLAB_TEST_VARIABLE", "two")  # the same number of variables, one changed
    assert environ_copy()["ORCHEST_JLAB_TEST_VARIABLE"] == "two"
    copy = environ_copy()
    copy["ORCHEST_JLAB_TEST_VARIABLE"] = "changed by a step's start"  # each start gets a copy of its own
    assert environ_copy()["ORCHEST_JLAB_TEST_VARIABLE"] == "two"
    monkeypatch.delenv("ORCHEST_JLAB_TEST_VARIABLE")
    assert "ORCHEST_JLAB_TEST_VARIABLE" not in environ_copy()
    assert environ_copy() == dict(os.environ)


def test_storable_keeps_an_encodable_event_and_replaces_lone_surrogates_anywhere():
    event = {"type": "step", "error": "é ✓", "attempts": 1, "finished": None, "warnings": ["a"]}
    assert storable(event) is event
    bad = {"type": "run", "error": "x\ud800", "steps": {"k\udfff": [{"title": "\ud800"}]}, "n": 1.5}
    assert storable(bad) == {"type": "run", "error": "x\ufffd", "steps": {"k\ufffd": [{"title": "\ufffd"}]}, "n": 1.5}
    assert storable(bad)["error"] != bad["error"]  # a copy: the event itself is left as it is
    assert bad["error"] == "x\ud800"
