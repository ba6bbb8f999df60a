"""Who a scenario's Huawei entries act as: IAM users, named as the scenario's `iam` part has them.

A persona is a user's name, or `<domain name>/<user name>` when the name is used in more than
one domain. Its requests run as a domain-scoped IAM token of that user would make them run.
"""

from typing import TYPE_CHECKING, Any

from mockserver.huawei.identity import Identity, Principal
from mockserver.seeding import ScenarioError

if TYPE_CHECKING:
    from mockserver.world import World


def identity(world: "World", where: str) -> Identity:
    """The world's IAM identities, which the COC and OSM seeders find their personas in."""
    found = world.backends.get("iam")
    if found is None:
        raise ScenarioError(
            f"{where}: personas are IAM users, and the world has no iam backend yet "
            "(serve the iam family, before this one)"
        )
    return found


def caller(identity: Identity, persona: Any, where: str) -> Principal:
    """The caller the IAM user named `persona` would be, with a token scoped to its domain."""
    if not isinstance(persona, str) or not persona.strip():
        raise ScenarioError(f"{where}.as: expected the name of an IAM user, got {persona!r}")
    domain_name, _, user_name = persona.rpartition("/")
    domains = {d["id"]: d["name"] for d in identity.domains.values()}
    users = [
        user
        for user in identity.users.values()
        if user["name"] == user_name and domain_name in ("", domains.get(user["domain_id"]))
    ]
    if not users:
        known = sorted(
            f"{domains.get(u['domain_id'])}/{u['name']}" for u in identity.users.values()
        )
        raise ScenarioError(
            f"{where}.as: no IAM user {persona!r}; the scenario's iam part has "
            + (", ".join(known) or "no users")
        )
    if len(users) > 1:
        raise ScenarioError(
            f"{where}.as: {persona!r} is a user of several domains; write <domain>/{user_name}"
        )
    user = users[0]
    return Principal(user["domain_id"], user["id"], user["name"], None, "token")
