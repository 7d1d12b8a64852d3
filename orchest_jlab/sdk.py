"""Where the step SDK is: the folder put first on a step's PYTHONPATH (host processes, kernels, and
mounted read-only in containers), so that steps ``import orchest``. It is never installed as a
top-level ``orchest`` package: PyPI has another distribution of that name."""

from pathlib import Path

SDK_PATH = Path(__file__).resolve().parent / "step_sdk"
