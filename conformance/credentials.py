"""Who the kit logs in as: from environment variables, a YAML file, or the mock's own scenario.

Environment variables win over the file. ZStack takes a session, an account, or an IAM2
virtual ID; Huawei takes AK/SK, an IAM token, or a user's password (the kit asks IAM for a
token). Every secret is listed in `secrets()` so that reports can mask it.
"""

import os
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from mockserver.world import load_scenario


class CredentialsError(ValueError):
    """Credentials that cannot be used; the message says which and why."""


@dataclass
class ZStackCredentials:
    account: str | None = None
    virtual_id: str | None = None
    password: str | None = None
    session: str | None = None

    def check(self) -> None:
        if self.session:
            return
        if not (self.account or self.virtual_id) or not self.password:
            raise CredentialsError(
                "zstack: give a session, or an account or virtual_id with its password "
                "(TICKETKIT_ZSTACK_SESSION, TICKETKIT_ZSTACK_ACCOUNT / _VIRTUAL_ID, _PASSWORD)"
            )


@dataclass
class HuaweiCredentials:
    ak: str | None = None
    sk: str | None = None
    token: str | None = None
    user: str | None = None
    password: str | None = None
    domain: str | None = None
    # Where to ask for a token when logging in with a password (default: the target).
    iam_url: str | None = None
    # Sent as X-Domain-Id with AK/SK requests of global services, when given.
    domain_id: str | None = None

    def check(self) -> None:
        if (self.ak and self.sk) or self.token:
            return
        if not (self.user and self.password and self.domain):
            raise CredentialsError(
                "huawei: give ak and sk, a token, or user, password and domain "
                "(TICKETKIT_HUAWEI_AK / _SK, _TOKEN, or _USER / _PASSWORD / _DOMAIN)"
            )


@dataclass
class Credentials:
    zstack: ZStackCredentials
    huawei: HuaweiCredentials

    def secrets(self) -> list[str]:
        """Every secret value, longest first, for masking."""
        values = [
            self.zstack.password,
            self.zstack.session,
            self.huawei.sk,
            self.huawei.token,
            self.huawei.password,
        ]
        return sorted({v for v in values if v}, key=len, reverse=True)


def from_sources(path: Path | None = None, environ: dict[str, str] | None = None) -> Credentials:
    """Credentials from a YAML file (sections `zstack:` and `huawei:`) overlaid with
    TICKETKIT_ZSTACK_* and TICKETKIT_HUAWEI_* environment variables."""
    data: dict = {}
    if path is not None:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise CredentialsError(f"{path}: {error}") from error
        if not isinstance(data, dict):
            raise CredentialsError(f"{path}: expected a mapping with zstack: and huawei:")
    environ = os.environ if environ is None else environ
    return Credentials(
        zstack=_section(ZStackCredentials, "zstack", data, environ),
        huawei=_section(HuaweiCredentials, "huawei", data, environ),
    )


def _section(kind: type, name: str, data: dict, environ: dict[str, str]):
    given = data.get(name) or {}
    if not isinstance(given, dict):
        raise CredentialsError(f"{name}: expected a mapping")
    known = {f.name for f in fields(kind)}
    unknown = sorted(set(given) - known)
    if unknown:
        raise CredentialsError(f"{name}: unknown keys {unknown}; known: {sorted(known)}")
    values = {key: str(value) for key, value in given.items() if value is not None}
    for key in known:
        variable = f"TICKETKIT_{name.upper()}_{key.upper()}"
        if environ.get(variable):
            values[key] = environ[variable]
    return kind(**values)


def for_mock(scenario: str = "default") -> Credentials:
    """The mock's built-in identities, as its scenario seeds them: ZStack's admin account and
    the IAM user with its access key."""
    seeded = load_scenario(scenario)
    admin = next(a for a in seeded["zstack"]["accounts"] if a.get("admin"))
    iam = seeded["iam"]
    user = iam["users"][0]
    key = next(k for k in iam["access_keys"] if k["user_id"] == user["id"])
    domain = next(d for d in iam["domains"] if d["id"] == user["domain_id"])
    return Credentials(
        zstack=ZStackCredentials(account=admin["name"], password=admin["password"]),
        huawei=HuaweiCredentials(
            ak=key["access"],
            sk=key["secret"],
            user=user["name"],
            password=user["password"],
            domain=domain["name"],
            domain_id=domain["id"],
        ),
    )
