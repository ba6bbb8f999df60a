"""The specs' routes as one table: which operation a method and path reach, which methods a
path allows. Used where connexion's own routing has not run or does not say enough."""

import functools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import yaml

from mockserver.resources import specs_dir

METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    operations: dict[str, str]  # method (upper case) -> operationId


class Routes:
    def __init__(self, specs: dict[str, dict]) -> None:
        """`specs` maps base paths to specs whose paths come literal-first, in routing order."""
        self._table: list[Route] = []
        # (METHOD, base path + path template) -> operationId
        self.templates: dict[tuple[str, str], str] = {}
        for base_path, spec in specs.items():
            for path, item in spec.get("paths", {}).items():
                pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(base_path + path))
                operations = {
                    method.upper(): item[method].get("operationId", "")
                    for method in METHODS
                    if method in item
                }
                self._table.append(Route(re.compile(pattern + "$"), operations))
                for method, operation_id in operations.items():
                    self.templates[(method, base_path + path)] = operation_id
        # Every route in one pattern, in table order: the first alternative that matches is the
        # first route that matches, found in one pass instead of one match per route.
        self._any = re.compile(
            "|".join(f"(?P<r{n}>{route.pattern.pattern})" for n, route in enumerate(self._table))
        )

    def _route(self, path: str) -> Route | None:
        found = self._any.match(path) if self._table else None
        return self._table[int(found.lastgroup[1:])] if found else None

    def methods(self, path: str) -> tuple[str, ...]:
        """Every method the specs declare on the route of `path` (connexion's 405 names only
        those of the first matching route)."""
        route = self._route(path)
        return tuple(sorted(route.operations)) if route else ()

    def operation(self, method: str, path: str) -> str | None:
        """The operationId that `method path` reaches, if any."""
        route = self._route(path)
        return route.operations.get(method.upper()) if route else None


@functools.cache
def vendor_routes() -> Routes:
    """The routes of every vendor spec under its servers' base path (read once per process),
    for what is checked before an app exists, such as the operations fault rules name."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    specs = {}
    for path in sorted(specs_dir().glob("*.yaml")):
        if path.name == "admin.yaml":
            continue
        spec = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        servers = spec.get("servers") or [{}]
        specs[urlsplit(servers[0].get("url", "")).path.rstrip("/")] = spec
    return Routes(specs)
