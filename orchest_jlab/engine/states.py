"""Step states and run statuses (the words of the UI and the API)."""

from __future__ import annotations

from enum import Enum


class StepState(str, Enum):
    READY = "READY"  # not part of a run yet, or reset
    PENDING = "PENDING"  # queued in a run
    RUNNING = "RUNNING"
    COMPUTED = "COMPUTED"
    FAILURE = "FAILURE"
    ABORTED = "ABORTED"  # cancelled, or can no longer run because a step it depends on failed

    @property
    def finished(self) -> bool:
        return self in (StepState.COMPUTED, StepState.FAILURE, StepState.ABORTED)


class RunStatus(str, Enum):
    PENDING = "PENDING"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    ABORTED = "ABORTED"

    @property
    def finished(self) -> bool:
        return self in (RunStatus.SUCCESS, RunStatus.FAILURE, RunStatus.ABORTED)


# The end statuses of runs, as stored and sent; jobs and image builds end with the same words.
FINISHED_STATUSES = tuple(s.value for s in RunStatus if s.finished)
UNFINISHED_STATUSES = tuple(s.value for s in RunStatus if not s.finished)
