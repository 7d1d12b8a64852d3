"""Runners execute one step's file on the host: scripts as processes, notebooks through nbclient."""

from __future__ import annotations


class StepFailed(Exception):
    """The step ran and failed; the message says how (exit code, the cell's error)."""
