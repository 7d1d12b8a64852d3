"""Problems found in a pipeline, and the report that collects them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


def json_pointer(*parts: str | int) -> str:
    """RFC 6901 pointer to the value at ``parts`` (``json_pointer("steps", "a/b")`` → ``/steps/a~1b``)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document, where it is."""
    pointer: str
    message: str
    severity: Severity = "error"
    step_uuid: str | None = None
    step_title: str | None = None

    def describe(self) -> str:
        """One line for a terminal: ``<pointer>: [warning: ][step "Title": ]<message>``."""
        where = self.pointer or "/"
        prefix = "warning: " if self.severity == "warning" else ""
        step = f'step "{self.step_title}": ' if self.step_title else ""
        return f"{where}: {prefix}{step}{self.message}"

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    """The problems found in a document."""
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_json(self) -> dict:
        return {
            "valid": self.valid,
            "error_count": len(self.errors),
            "warning_count": len(self.warnings),
            "problems": [p.to_json() for p in self.problems],
        }
