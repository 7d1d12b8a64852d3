"""The event bus, a step's log and log paging under chatty output (issue 11, item 1): memory bounds
and what is delivered, without a server."""

from __future__ import annotations

from orchest_jlab.engine.events import EventBus, approximate_size
from orchest_jlab.engine.steplog import MAX_EVENT_LINE, StepLog
from orchest_jlab.runs.logs import MAX_LOG_BYTES, read_log_part


def test_the_history_is_bounded_in_bytes_and_replays_only_what_it_kept():
    bus = EventBus(history=20_000, history_bytes=1024 * 1024)
    for i in range(5000):
        bus.publish("log", run_uuid="r", step_uuid="s", line=f"{i:04d}" + "x" * 996)
    assert bus._history_size <= 1024 * 1024
    assert bus._history_size == sum(approximate_size(e) for e in bus._history)
    kept = len(bus._history)
    assert 0 < kept < 5000 and bus.last_seq == 5000
    assert bus.since(1) is None  # no longer kept: the client must reload
    replay = bus.since(5000 - 10)
    assert [e["seq"] for e in replay] == list(range(4991, 5001))


def test_publish_many_makes_the_same_events_in_order_and_batches_reach_batch_subscribers():
    one, many = EventBus(), EventBus()
    seen_one, seen_many, batches = [], [], []
    one.subscribe(seen_one.append)
    many.subscribe(seen_many.append)
    many.subscribe(lambda e: None, batches.append)
    for line in ("a", "b", "c"):
        one.publish("log", run_uuid="r", step_uuid="s", line=line)
    many.publish_many("log", "line", ["a", "b", "c"], run_uuid="r", step_uuid="s")
    assert seen_many == seen_one and [e["seq"] for e in seen_one] == [1, 2, 3]
    assert batches == [seen_many] and many.last_seq == 3 and many.since(0) == seen_one


def test_a_line_without_end_is_kept_in_the_file_and_shortened_in_its_event(tmp_path):
    bus = EventBus()
    events = []
    bus.subscribe(events.append)
    log = StepLog(tmp_path / "s.log", bus, "r", "s")
    for _ in range(1000):  # a progress bar: 1,000 chunks of one line that never ends
        log.write("\r" + "#" * 999)
    log.write("\ndone\n")
    log.close()
    assert (tmp_path / "s.log").read_bytes() == (b"\r" + b"#" * 999) * 1000 + b"\ndone\n"
    assert [len(e["line"]) > MAX_EVENT_LINE for e in events] == [True, False]
    assert events[0]["line"].startswith("\r###")
    assert events[0]["line"].endswith(f"({1_000_000 - MAX_EVENT_LINE} more characters in the log file)")
    assert events[1]["line"] == "done"


def test_log_parts_start_and_end_at_lines_and_are_capped(tmp_path):
    path = tmp_path / "s.log"
    path.write_bytes(b"".join(f"line {i:07d}\n".encode() for i in range(400_000)))  # 5.2 MB
    size = path.stat().st_size
    tail = read_log_part(path)
    assert tail.end == size and tail.size == size and size - tail.start <= MAX_LOG_BYTES
    assert tail.text.startswith("line ") and tail.text.endswith("line 0399999\n")
    part = read_log_part(path, 0, 30)
    assert part.text == "line 0000000\nline 0000001\n" and (part.start, part.end) == (0, 26)
    rest = read_log_part(path, part.end, 13)
    assert rest.text == "line 0000002\n" and rest.end == 39
    assert read_log_part(path, size + 10, 100).text == ""
    assert len(read_log_part(path, 0, 10 * MAX_LOG_BYTES).text) <= MAX_LOG_BYTES
    path.write_bytes(b"x" * 100)  # one line longer than the limit: cut at the limit
    assert read_log_part(path, 0, 10).text == "x" * 10


def test_the_history_books_batches_as_single_events_would_be():
    from orchest_jlab.engine.events import EVENT_OVERHEAD, EventBus, approximate_size

    bus = EventBus(history=5, history_bytes=3 * (EVENT_OVERHEAD + 10))
    bus.publish("run", run_uuid="r", status="STARTED")  # bigger than the byte bound alone: kept, as the newest
    assert [e["type"] for e in bus.since(0)] == ["run"]
    bus.publish_many("log", "line", ["x" * 10] * 2, run_uuid="r", step_uuid="s")  # the run event no longer fits
    assert [e["seq"] for e in bus.since(0) or []] == [] and [e["seq"] for e in bus.since(1)] == [2, 3]
    bus.publish_many("log", "line", [str(i) * 10 for i in range(7)], run_uuid="r", step_uuid="s")  # > the length
    kept = bus.since(7)
    assert [e["seq"] for e in kept] == [8, 9, 10] and kept[-1]["line"] == "6" * 10
    assert bus._history_size == sum(map(approximate_size, bus._history)) == sum(bus._sizes)
    assert bus.since(10) == [] and bus.since(6) is None
