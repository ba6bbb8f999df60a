"""What every vendor API family gives the app: spec, handlers, state and error envelope."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connexion.lifecycle import ConnexionRequest, ConnexionResponse

if TYPE_CHECKING:
    from mockserver.runtime import Mock
    from mockserver.world import World


@dataclass(frozen=True)
class Failure:
    """A request the mock cannot serve, before the family puts it into its own envelope.

    `reason` is one of: bad_request (unreadable or malformed request), argument (a well-formed
    request whose parameters break the spec's constraints), unauthenticated (no credentials),
    invalid_credentials, forbidden, not_found (no such route), method_not_allowed,
    unsupported_media_type, too_large, throttled (rate limited: 429), internal.
    """

    status: int
    reason: str
    detail: str
    allow: tuple[str, ...] = ()


class ApiFamily(ABC):
    name: str
    spec_file: str
    base_path: str
    # Path prefixes whose failures this family answers, even for paths no route matches.
    prefixes: tuple[str, ...]

    @abstractmethod
    def create_backend(self, world: "World", scenario: dict[str, Any]) -> Any:
        """A fresh backend for `world`, seeded from the family's part of a scenario."""

    @abstractmethod
    def responses(self, mock: "Mock") -> Any:
        """The object whose methods connexion calls, by operationId."""

    @abstractmethod
    def error_response(
        self, mock: "Mock", request: ConnexionRequest, failure: Failure
    ) -> ConnexionResponse:
        """The vendor's answer to `failure`."""

    def api_options(self, mock: "Mock") -> dict[str, Any]:
        """Extra options for connexion's add_api (validators, security handlers)."""
        return {}

    def body_limit(self, mock: "Mock") -> int:
        """The largest request body accepted, in bytes."""
        return 1_048_576

    def persona(self, mock: "Mock", headers: Any, body: bytes | None = None) -> str | None:
        """Who makes a request, by name, from its headers (and the body of a login, when given),
        in the current world; None when unknown. Never raises."""
        return None
