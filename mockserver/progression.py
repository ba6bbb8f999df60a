"""When the things that change by themselves are done, in the spirit of moto's state_manager.

A progression is `immediate`, `manual` (only when driven through the admin API), after N polls
(`{after_polls: N}`: the first N looks still see the old state) or after N virtual seconds
(`{after_seconds: N}` on the world's clock).
"""

from dataclasses import dataclass, field, fields
from typing import Any


class ProgressionError(ValueError):
    """A progression that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Progression:
    mode: str = "immediate"  # immediate | manual | polls | seconds
    value: float = 0

    @classmethod
    def parse(cls, value: Any, where: str) -> "Progression":
        if value in ("immediate", "manual"):
            return cls(value)
        if isinstance(value, dict) and len(value) == 1:
            (key, amount), = value.items()
            number = isinstance(amount, (int, float)) and not isinstance(amount, bool)
            if key == "after_polls" and number and amount >= 0 and int(amount) == amount:
                return cls("polls", int(amount))
            if key == "after_seconds" and number and amount >= 0:
                return cls("seconds", amount)
        raise ProgressionError(
            f"{where}: expected immediate, manual, {{after_polls: N}} or {{after_seconds: N}},"
            f" got {value!r}"
        )

    def export(self) -> Any:
        if self.mode in ("immediate", "manual"):
            return self.mode
        return {f"after_{self.mode}": self.value}


@dataclass
class Progressions:
    # A ZStack job's result: at the first poll, or only after polls / virtual seconds.
    zstack_jobs: Progression = field(default_factory=Progression)
    # The support engineer's reply to a case waiting on them (manual: only the admin call).
    osm_engineer: Progression = field(default_factory=lambda: Progression("manual"))
    # A COC ticket created with is_start_process: when its process has started.
    coc_process_start: Progression = field(default_factory=Progression)

    def export(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name).export() for f in fields(self)}

    def update(self, data: dict[str, Any], where: str = "progression") -> None:
        """Sets the progressions named in `data`; all or nothing."""
        if not isinstance(data, dict):
            raise ProgressionError(f"{where}: expected a mapping")
        known = {f.name for f in fields(self)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ProgressionError(
                f"{where}: unknown {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        parsed = {name: Progression.parse(value, f"{where}.{name}") for name, value in data.items()}
        for name, progression in parsed.items():
            if progression.mode == "manual" and name != "osm_engineer":
                raise ProgressionError(f"{where}.{name}: manual is for osm_engineer only")
        for name, progression in parsed.items():
            setattr(self, name, progression)
