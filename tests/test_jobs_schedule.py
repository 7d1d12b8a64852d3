"""The scheduler under a clock the test moves: one-off and cron jobs, pause / resume / trigger, the
overlap policy, missed fires and a server restart in the middle of a job (with the real engine)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orchest_jlab.errors import Conflict
from orchest_jlab.jobs import ManualClock
from orchest_jlab.jobs.schedule import iso

from .jobs_helpers import T0, WAIT, Jobs, grid_pipeline, until


@pytest.fixture
def jobs(jp_asyncio_loop, project):
    harness = Jobs(project.root)
    jp_asyncio_loop.run_until_complete(harness.service.startup())
    yield harness
    jp_asyncio_loop.run_until_complete(harness.close())


def fires(jobs, job_uuid):
    return [h for h in jobs.service.get(job_uuid)["history"] if h["kind"] in ("fire", "skipped", "missed", "triggered")]


async def settle(jobs, job_uuid):
    """Until the job has no run queued or running."""
    await until(lambda: not jobs.service.dispatcher.busy(job_uuid), message="runs to end")
    return jobs.service.get(job_uuid)


async def test_a_one_off_job_at_a_near_time_fires_once(jobs, project):
    grid_pipeline(project)
    at = T0 + timedelta(seconds=30)
    job = await jobs.service.create({"pipeline": "p.orchest", "schedule": {"kind": "once", "at": iso(at)},
                                     "parameters": {"pipeline_parameters": {"x": [1, 2]}}})
    job = jobs.service.start(job["uuid"])
    assert job["status"] == "PENDING" and job["next_fire"] == iso(at)
    jobs.clock.advance(seconds=29)
    await until(lambda: True)
    assert jobs.service.get(job["uuid"])["fire_count"] == 0
    jobs.clock.advance(seconds=1)
    job = await jobs.service.wait(job["uuid"])
    assert job["status"] == "SUCCESS" and job["fire_count"] == 1 and job["last_fired"] == iso(at)
    assert job["next_fire"] is None and len(job["runs"]) == 2
    jobs.clock.advance(days=2)
    await until(lambda: True)
    assert jobs.service.get(job["uuid"])["run_count"] == 2


async def test_a_cron_job_fires_on_schedule_in_its_time_zone(jobs, project):
    grid_pipeline(project)
    # 09:00 on weekdays in Amsterdam (UTC+1 in January): 08:00 UTC.
    job = await jobs.service.create({"pipeline": "p.orchest", "schedule": {
        "kind": "cron", "cron": "0 9 * * MON-FRI", "timezone": "Europe/Amsterdam"}})
    job = jobs.service.start(job["uuid"])
    first = T0.replace(day=8, hour=8, minute=0)  # T0 is Monday 12:01 UTC: next is Tuesday
    assert job["status"] == "PENDING" and job["next_fire"] == iso(first)
    for day in range(4):  # Tuesday to Friday
        jobs.clock.set(first + timedelta(days=day, seconds=1))
        await until(lambda d=day: jobs.service.get(job["uuid"])["fire_count"] == d + 1, message=f"fire {day + 1}")
        await settle(jobs, job["uuid"])
    job = jobs.service.get(job["uuid"])
    assert job["status"] == "STARTED" and job["next_fire"] == iso(first + timedelta(days=6))  # the next Monday
    assert [f["message"].split(": ")[0] for f in fires(jobs, job["uuid"])] == [
        f"Fired for {iso(first + timedelta(days=d))}" for d in range(4)]
    assert [r["fire"] for r in job["runs"]] == [0, 1, 2, 3] and job["counts"] == {"SUCCESS": 4}


async def test_pause_resume_and_trigger(jobs, project):
    grid_pipeline(project)
    job = await jobs.service.create({"pipeline": "p.orchest", "schedule": {"kind": "cron", "cron": "*/10 * * * *"}})
    uuid = job["uuid"]
    with pytest.raises(Conflict):
        jobs.service.pause(uuid)  # a draft
    jobs.service.start(uuid)
    job = jobs.service.pause(uuid)
    assert job["status"] == "PAUSED" and job["next_fire"] is None
    jobs.clock.advance(minutes=30)
    await until(lambda: True)
    assert jobs.service.get(uuid)["fire_count"] == 0
    job = jobs.service.trigger(uuid)  # by hand, even while paused; the schedule does not change
    assert job["status"] == "PAUSED" and job["fire_count"] == 1 and job["last_fired"] is None
    await settle(jobs, uuid)
    job = jobs.service.resume(uuid)
    assert job["status"] == "STARTED" and job["next_fire"] == iso(T0.replace(minute=40))
    with pytest.raises(Conflict, match="paused"):
        jobs.service.resume(uuid)
    jobs.clock.set(T0.replace(minute=40))
    await until(lambda: jobs.service.get(uuid)["fire_count"] == 2, message="the resumed fire")
    job = await settle(jobs, uuid)
    assert [h["kind"] for h in job["history"]] == [
        "created", "started", "paused", "triggered", "resumed", "fire"]
    assert job["counts"] == {"SUCCESS": 2}


@pytest.mark.parametrize("overlap", ["skip", "queue"])
async def test_overlap_policy(jobs, project, tmp_path, overlap):
    grid_pipeline(project, code=WAIT)
    release = tmp_path / "release"
    job = await jobs.service.create({"pipeline": "p.orchest", "overlap": overlap,
                                     "schedule": {"kind": "cron", "cron": "* * * * *"},
                                     "env_variables": {"RELEASE": str(release)}})
    uuid = job["uuid"]
    jobs.service.start(uuid)
    jobs.clock.set(T0.replace(minute=2))
    await until(lambda: jobs.service.get(uuid)["counts"] == {"STARTED": 1}, message="first fire")
    jobs.clock.set(T0.replace(minute=3))  # the first run still runs
    await until(lambda: len(fires(jobs, uuid)) == 2, message="second fire")
    job = jobs.service.get(uuid)
    if overlap == "skip":
        assert job["counts"] == {"STARTED": 1} and "skipped, the previous runs" in fires(jobs, uuid)[1]["message"]
        with pytest.raises(Conflict, match="overlap policy is skip"):
            jobs.service.trigger(uuid)
    else:  # queued: it waits for the first fire's run although a slot is free
        assert job["counts"] == {"STARTED": 1, "PENDING": 1}
    assert job["last_fired"] == iso(T0.replace(minute=3, second=0))
    release.touch()
    job = await settle(jobs, uuid)
    assert job["counts"] == {"SUCCESS": 1 if overlap == "skip" else 2}
    if overlap == "queue":
        first, second = job["runs"]
        assert second["started"] >= first["finished"] and second["fire"] == 1


async def test_a_restart_in_the_middle_of_a_job_restores_it_without_firing_twice(jp_asyncio_loop, project, tmp_path):
    grid_pipeline(project, code=WAIT)
    release = tmp_path / "release"
    clock = ManualClock(T0)
    first = Jobs(project.root, clock, max_concurrent_runs=2)
    await first.service.startup()
    sweep = await first.service.create({"pipeline": "p.orchest", "env_variables": {"RELEASE": str(release)},
                                        "parameters": {"pipeline_parameters": {"x": [1, 2, 3, 4]}}})
    first.service.start(sweep["uuid"])
    cron = await first.service.create({"pipeline": "p.orchest", "schedule": {"kind": "cron", "cron": "*/5 * * * *"},
                                       "env_variables": {"RELEASE": str(release)}})
    first.service.start(cron["uuid"])
    clock.set(T0.replace(minute=5))
    await until(lambda: first.service.get(cron["uuid"])["fire_count"] == 1, message="the cron job's fire")
    await until(lambda: first.service.get(sweep["uuid"])["counts"].get("STARTED") == 2, message="two runs")
    await first.close()  # the server stops: its runs are cancelled, the queued ones stay queued

    # A new server over the same database, at the same time: the cron job must not fire again.
    second = Jobs(project.root, clock, max_concurrent_runs=2)  # new stores: the database is opened anew
    release.touch()
    await second.service.startup()
    try:
        sweep_job = await second.service.wait(sweep["uuid"])
        assert sweep_job["status"] == "FAILURE"
        assert [r["status"] for r in sweep_job["runs"]] == ["ABORTED", "ABORTED", "SUCCESS", "SUCCESS"]
        assert "The server stopped" in sweep_job["runs"][0]["error"]
        assert sweep_job["history"][-2]["kind"] == "restored"
        assert "2 queued run(s) resume" in sweep_job["history"][-2]["message"]
        assert len({r["run_uuid"] for r in sweep_job["runs"]}) == 4

        cron_job = second.service.get(cron["uuid"])
        assert cron_job["fire_count"] == 1 and cron_job["last_fired"] == iso(T0.replace(minute=5))
        assert cron_job["next_fire"] == iso(T0.replace(minute=10))
        await settle(second, cron["uuid"])  # its queued 12:05 run ran after the restart
        assert second.service.get(cron["uuid"])["counts"] == {"SUCCESS": 1}
        # Another service over the same database also has the job due at 12:10: one fire only.
        other = second.make_service()
        await other.scheduler.restore()
        clock.set(T0.replace(minute=10))
        assert other.scheduler.tick() == 1  # fires before the second server's loop wakes up
        await until(lambda: second.service.get(cron["uuid"])["history"][-1]["kind"] == "fire", message="the fire")
        await until(lambda: not other.dispatcher.busy(cron["uuid"]), message="its run")
        second.service.scheduler.tick()
        await until(lambda: True)
        job = second.service.get(cron["uuid"])
        assert job["fire_count"] == 2 and len(job["runs"]) == 2 and job["counts"] == {"SUCCESS": 2}
        assert [f["message"].split(": ")[0] for f in fires(second, cron["uuid"])] == [
            f"Fired for {iso(T0.replace(minute=5))}", f"Fired for {iso(T0.replace(minute=10))}"]
        await other.shutdown()
    finally:
        await second.close()


@pytest.mark.parametrize("policy", ["skip", "run_once"])
async def test_missed_fires_while_the_server_was_down(jp_asyncio_loop, project, policy):
    grid_pipeline(project)
    clock = ManualClock(T0)
    first = Jobs(project.root, clock)
    await first.service.startup()
    cron = await first.service.create({"pipeline": "p.orchest", "missed_fires": policy,
                                       "schedule": {"kind": "cron", "cron": "0 * * * *"}})
    first.service.start(cron["uuid"])
    once = await first.service.create({"pipeline": "p.orchest", "missed_fires": policy,
                                       "schedule": {"kind": "once", "at": iso(T0 + timedelta(minutes=30))}})
    first.service.start(once["uuid"])
    await first.close()
    clock.set(T0.replace(hour=15, minute=30))  # down over 13:00, 14:00, 15:00 and the one-off time

    second = Jobs(project.root, clock)
    await second.service.startup()
    try:
        await until(lambda: second.service.scheduler.running and second.service.get(cron["uuid"])["next_fire"]
                    == iso(T0.replace(hour=16, minute=0)), message="restore")
        job = await settle(second, cron["uuid"])
        [missed] = [h for h in job["history"] if h["kind"] == "missed"]
        assert "down at 3 fire times" in missed["message"]
        one_off = second.service.get(once["uuid"])
        if policy == "skip":
            assert job["fire_count"] == 0 and job["runs"] == [] and "skipped" in missed["message"]
            assert one_off["status"] == "ABORTED" and "passed while the server was down" in one_off["error"]
        else:
            assert job["fire_count"] == 1 and len(job["runs"]) == 1 and "ran once" in missed["message"]
            assert job["last_fired"] == iso(T0.replace(hour=15, minute=0))
            one_off = await second.service.wait(once["uuid"])
            assert one_off["status"] == "SUCCESS" and one_off["fire_count"] == 1
        assert job["status"] == ("PENDING" if policy == "skip" else "STARTED")
    finally:
        await second.close()
