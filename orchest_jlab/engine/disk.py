"""Failed writes in the user's words: a full disk (or quota) is named as such."""

from __future__ import annotations

import errno


def disk_problem(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)  # a database error: the driver's own words
    lowered = text.lower()
    if getattr(exc, "errno", None) == errno.ENOSPC or "disk is full" in lowered or "no space left" in lowered:
        return f"the disk is full ({text})"
    if getattr(exc, "errno", None) == errno.EDQUOT or "quota" in lowered:
        return f"the disk quota is exceeded ({text})"
    return text
