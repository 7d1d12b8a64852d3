"""A process's identity read from /proc is psutil's (the identities written by older versions, and
by code that still asks psutil, must compare equal)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import psutil
import pytest

from orchest_jlab.identity import ProcessIdentity


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_start_time_is_psutils(tmp_path):
    # A command name with spaces and parentheses: fields are counted after the last ")".
    odd = tmp_path / "a) b (c"
    shutil.copy(shutil.which("sleep"), odd)
    child = subprocess.Popen([str(odd), "30"])
    try:
        assert b"(a) b (c) " in open(f"/proc/{child.pid}/stat", "rb").read()
        for pid in (os.getpid(), child.pid, 1):
            assert ProcessIdentity.of(pid).started == pytest.approx(psutil.Process(pid).create_time(), abs=1e-6)
        me = ProcessIdentity.current()
        assert me.alive()
        assert not ProcessIdentity(me.pid, me.started - 1).alive()  # another process with that pid
    finally:
        child.kill()
        child.wait()
    assert not ProcessIdentity(child.pid, psutil.Process(os.getpid()).create_time()).alive()


def test_gone_or_impossible_processes():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    with pytest.raises(ProcessLookupError):
        ProcessIdentity.of(child.pid)
    assert not ProcessIdentity(child.pid, 1.0).alive()
    assert not ProcessIdentity(0, 1.0).alive()
    assert not ProcessIdentity(-5, 1.0).alive()
