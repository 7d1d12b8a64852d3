"""Two servers on one project: the server driving a cron job dies, the other takes the job over (its
lease lapsed) and fires it, never twice for one time."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest

from orchest_jlab.identity import ProcessIdentity
from orchest_jlab.jobs.schedule import iso
from orchest_jlab.store.jobs import lease_lapsed

from .conftest import ProjectBuilder
from .jobs_helpers import T0, Jobs, grid_pipeline
from .jobs_helpers import until as until_true
from .reliability_helpers import api, until

LEASE = 3.0  # seconds: renewed every second, so a dead owner's jobs are taken over within seconds

# The other server: the jobs service of the composition root over the same root (and so the same
# project database), as a server builds it; it makes and starts a cron job, says its uuid, and lives
# until it is killed.
OWNER = """
import asyncio, sys
from pathlib import Path
from orchest_jlab.services import Services
from orchest_jlab.settings import OrchestSettings

async def main():
    settings = OrchestSettings(backend="local", job_lease_seconds={lease})
    services = Services(settings, Path(sys.argv[1]))
    await services.start()
    job = await services.jobs.create({{"pipeline": "p.orchest", "schedule": {{"kind": "cron", "cron": "* * * * *"}}}})
    services.jobs.start(job["uuid"])
    print(job["uuid"], flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


@pytest.fixture
def jp_server_config(jp_server_config):
    return {**jp_server_config, "OrchestApp": {**jp_server_config["OrchestApp"], "job_lease_seconds": LEASE}}


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


def fired_for(job: dict) -> list[str]:
    return [h["message"].split(": ")[0] for h in job["history"] if h["kind"] in ("fire", "missed", "skipped")]


async def test_the_other_server_takes_over_a_dead_servers_cron_job_and_never_fires_it_twice(jp_fetch, root, tmp_path):
    grid_pipeline(root, pipeline_params={}, step_params={})
    await api(jp_fetch, "GET", "jobs")  # this server runs before the other one starts
    script = tmp_path / "owner.py"
    script.write_text(OWNER.format(lease=LEASE))
    owner = await asyncio.create_subprocess_exec(sys.executable, str(script), str(root.root),
                                                 stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    try:
        job_uuid = (await asyncio.wait_for(owner.stdout.readline(), 120)).decode().strip()
        assert job_uuid, "the other server did not make its job"
        async def seen():  # this server finds the project's new database on its own, and sees the job
            return [j for j in (await api(jp_fetch, "GET", "jobs"))["jobs"] if j["uuid"] == job_uuid]

        await until(seen, "this server to see the other server's job")
        job = await api(jp_fetch, "GET", "jobs", job_uuid)  # but does not drive it
        assert job["status"] in ("PENDING", "STARTED") and not [h for h in job["history"] if h["kind"] == "taken-over"]
        owner.send_signal(signal.SIGKILL)
        await owner.wait()

        async def taken_over():
            job = await api(jp_fetch, "GET", "jobs", job_uuid)
            return [h for h in job["history"] if h["kind"] == "taken-over"]

        [note] = await until(taken_over, "this server to take the dead server's job over")
        assert f"process {owner.pid}, which drove it, is gone" in note["message"]

        # The next minute's fire comes from this server (within a minute and a bit: a generous deadline).
        async def fired_and_done():
            job = await api(jp_fetch, "GET", "jobs", job_uuid)
            return job if job["fire_count"] >= 1 and set(job["counts"]) == {"SUCCESS"} else None

        job = await until(fired_and_done, "the job's next fire and its run", deadline=150)
        fires = fired_for(job)
        assert len(fires) == len(set(fires)) == job["fire_count"]  # one fire per scheduled time
        assert len(job["runs"]) == job["fire_count"] and len({r["run_uuid"] for r in job["runs"]}) == len(job["runs"])
    finally:
        if owner.returncode is None:
            owner.kill()
            await owner.wait()


async def test_a_lapsed_lease_is_taken_over_once_and_its_old_owner_stops_firing(jp_asyncio_loop, project):
    """Another machine's server (not judged by pid): only its lease says; and the owner that comes
    back after losing its lease no longer fires the job."""
    grid_pipeline(project)
    survivor = Jobs(project.root, max_concurrent_runs=2)
    survivor.service.scheduler.lease_seconds = 60.0
    await survivor.service.startup()
    try:
        job = await survivor.service.create({"pipeline": "p.orchest", "missed_fires": "run_once",
                                             "schedule": {"kind": "cron", "cron": "*/5 * * * *"}})
        survivor.service.start(job["uuid"])
        [store] = survivor.service.jobs.opened()
        elsewhere = ProcessIdentity(4_000_000, 1.0)  # a pid no process here has: as a remote server
        with store.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE jobs SET owner_pid = ?, owner_started = ?, owner_host = ?, lease_until = ?",
                                       (elsewhere.pid, elsewhere.started, "elsewhere", 4102444800.0))
        assert not lease_lapsed(store.get_job(job["uuid"]))  # alive as far as its lease says
        survivor.clock.set(T0.replace(minute=5))
        assert survivor.service.scheduler.tick() == 1  # due here, but driven elsewhere now: dropped, not fired
        assert survivor.service.get(job["uuid"])["fire_count"] == 0
        assert await survivor.service.scheduler.keep_leases() == []  # its lease holds: left alone

        with store.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE jobs SET lease_until = 1.0")  # it stopped renewing
        assert await survivor.service.scheduler.keep_leases() == [job["uuid"]]
        assert await survivor.service.scheduler.keep_leases() == []  # once
        taken = survivor.service.get(job["uuid"])
        assert taken["history"][-1]["kind"] in ("missed", "fire") and any(
            h["kind"] == "taken-over" for h in taken["history"])
        await until_true(lambda: not survivor.service.dispatcher.busy(job["uuid"]), message="its run")
        assert survivor.service.get(job["uuid"])["fire_count"] == 1  # 12:05, missed while nobody drove it: once
        survivor.clock.set(T0.replace(minute=10))
        await until_true(lambda: survivor.service.get(job["uuid"])["fire_count"] == 2, message="the 12:10 fire")
        job = survivor.service.get(job["uuid"])
        assert job["last_fired"] == iso(T0.replace(minute=10)) and len(set(fired_for(job))) == 2
    finally:
        await survivor.close()
