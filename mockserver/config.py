"""Settings of a mock server, from defaults or a YAML file given to `ticketkit serve --config`."""

from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

import yaml

from mockserver.progression import ProgressionError, Progressions

LOCAL_ORIGINS = r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]+)?$"


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message says which key and why."""


@dataclass
class ZStackSettings:
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
    # Cases a domain may file a day (OSM.01010007 beyond); none: the catalog's, the vendor's 50.
    daily_case_quota: int | None = None

    def __post_init__(self) -> None:
        if self.business_errors not in ("http200", "http4xx"):
            raise ConfigError(
                f"osm.business_errors: expected http200 or http4xx, got {self.business_errors!r}"
            )
        if self.daily_case_quota is not None and self.daily_case_quota < 0:
            raise ConfigError("osm.daily_case_quota: expected 0 or more")


@dataclass
class CorsSettings:
    # Browser origins allowed to call the mock: exact ones, and those matching the pattern
    # (default: any port of localhost, 127.0.0.1 and [::1]). Preflights are answered.
    origins: list[str] = field(default_factory=list)
    origin_regex: str | None = LOCAL_ORIGINS


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
    # When jobs finish, engineers answer and COC processes start (see mockserver/progression.py).
    progression: Progressions = field(default_factory=Progressions)
    # Fault rules every new world starts with (see mockserver/faults.py).
    faults: list[dict] = field(default_factory=list)
    # Requests and responses each world keeps for GET /__admin/worlds/{world}/journal.
    journal_size: int = 200
    cors: CorsSettings = field(default_factory=CorsSettings)
    # Where all worlds are kept across restarts (null: in memory only).
    state_file: str | None = None

    def __post_init__(self) -> None:
        from mockserver.faults import FaultError, parse_rules

        try:
            parse_rules(self.faults)
        except FaultError as error:
            raise ConfigError(f"faults: {error}") from error
        if self.journal_size < 0:
            raise ConfigError("journal_size: expected 0 or more")

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
        if isinstance(default, Progressions):
            try:
                default.update(value, f"{where}.{key}")
            except ProgressionError as error:
                raise ConfigError(str(error)) from error
            values[key] = default
        elif is_dataclass(default):
            values[key] = _build(type(default), value, f"{where}.{key}")
        elif _accepts(spec.type, value):
            values[key] = value
        else:
            raise ConfigError(f"{where}.{key}: expected {_name(spec.type)}, got {value!r}")
    try:
        return kind(**values)
    except ProgressionError as error:
        raise ConfigError(str(error)) from error


def _accepts(kind: Any, value: Any) -> bool:
    if get_origin(kind) in (Union, UnionType):
        return any(_accepts(option, value) for option in get_args(kind))
    wanted = get_origin(kind) or kind
    if value is None or isinstance(value, bool):
        return wanted is type(value)
    if wanted is float:
        return isinstance(value, (int, float))
    return isinstance(value, wanted)


def _name(kind: Any) -> str:
    return " or ".join(getattr(option, "__name__", str(option)) for option in get_args(kind)) or (
        getattr(kind, "__name__", str(kind))
    )
