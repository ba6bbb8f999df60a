"""Settings of a mock server, from defaults or a YAML file given to `ticketkit serve --config`."""

from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

import yaml


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message says which key and why."""


@dataclass
class ZStackSettings:
    # Polls that still answer 202 {} before a job reports its result (0: done at the first poll).
    job_running_polls: int = 0
    # The apiTimeout, in milliseconds, announced with every job.
    api_timeout_ms: int = 1_800_000
    # Lifetime of a login session, in seconds (ZStack's default session timeout).
    session_timeout_s: int = 7200
    # Largest request body accepted, in bytes; larger ones get 413.
    max_body_bytes: int = 1_048_576
    # Attempts and spacing of X-Web-Hook deliveries that get no 2xx answer.
    webhook_attempts: int = 15
    webhook_interval_s: float = 2.0


@dataclass
class HuaweiSettings:
    # How far an AK/SK request's X-Sdk-Date may be from the mock's clock, in seconds.
    signature_skew_s: int = 900
    # Lifetime of an IAM token, in seconds (Huawei's is 24 hours).
    token_lifetime_s: int = 86_400


@dataclass
class OsmSettings:
    # How OSM answers business errors (OSM.0101xxxx): "http200" as the vendor's current error
    # table says, or "http4xx" as its older pages did (400, 403 or 404 by error).
    business_errors: str = "http200"
    # Seconds after which the support engineer answers a case waiting on them, by itself
    # (0: never; drive the engineer through POST /__admin/osm/cases/{case_id}/engineer).
    engineer_auto_reply_s: int = 0

    def __post_init__(self) -> None:
        if self.business_errors not in ("http200", "http4xx"):
            raise ConfigError(
                f"osm.business_errors: expected http200 or http4xx, got {self.business_errors!r}"
            )
        if self.engineer_auto_reply_s < 0:
            raise ConfigError("osm.engineer_auto_reply_s: expected 0 or more seconds")


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    # Check every answer against the spec before sending it (catches mock drift; costs speed).
    validate_responses: bool = True
    # Scenario file under fixtures/scenarios/ that seeds every new world.
    scenario: str = "default"
    # Seed of the id generator; null gives random ids.
    seed: int | None = None
    zstack: ZStackSettings = field(default_factory=ZStackSettings)
    huawei: HuaweiSettings = field(default_factory=HuaweiSettings)
    osm: OsmSettings = field(default_factory=OsmSettings)

    @classmethod
    def from_file(cls, path: Path) -> "Config":
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise ConfigError(f"{path}: {error}") from error
        return _build(cls, data, str(path))


def _build(kind: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(data).__name__}")
    known = {f.name: f for f in fields(kind)}
    values = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r}; known keys: {', '.join(known)}")
        spec = known[key]
        default = spec.default_factory() if callable(spec.default_factory) else spec.default
        if is_dataclass(default):
            values[key] = _build(type(default), value, f"{where}.{key}")
            continue
        wanted = (int, float) if type(default) is float else type(default)
        if default is None:
            wanted = (int, type(None))
        if not isinstance(value, wanted) or (type(default) is int and isinstance(value, bool)):
            raise ConfigError(f"{where}.{key}: expected {type(default).__name__}, got {value!r}")
        values[key] = value
    return kind(**values)
