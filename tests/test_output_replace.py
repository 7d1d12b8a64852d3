"""Replacing a large output: the old payload is removed by a thread of its own (output() does not
wait for the file system to free it), and it is gone when the step's process has ended."""

from __future__ import annotations

import os

from .sdk_helpers import SdkProject, result_of


def test_a_replaced_large_payload_is_gone_when_the_step_ends(tmp_path):
    p = SdkProject(tmp_path)
    parent = p.step("Parent", """
        import orchest
        orchest.Config.silence_multiple_data_transfer_calls_warning = True
        orchest.output(bytearray(32 << 20), name="big")
        orchest.output(bytearray(b"x" * (32 << 20)), name="big")
    """)
    child = p.step("Child", "import orchest; report(bytes(orchest.get_inputs()['big'][:3]).decode())",
                   incoming=[parent])
    p.run(parent)
    files = sorted(os.listdir(p.data_dir))
    assert len(files) == 2 and f"{parent}.meta.json" in files  # one payload: the first one is gone
    assert result_of(p.run(child)) == "xxx"


def test_a_replaced_small_payload_is_removed_at_once(tmp_path):
    p = SdkProject(tmp_path)
    parent = p.step("Parent", """
        import orchest
        orchest.Config.silence_multiple_data_transfer_calls_warning = True
        orchest.output(b"first", name="a")
        orchest.output(b"second", name="a")
    """)
    p.run(parent)
    assert len(os.listdir(p.data_dir)) == 2
