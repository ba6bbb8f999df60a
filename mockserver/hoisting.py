"""Connexion's per-request set-up of handlers and security checks, done once instead.

Connexion 3.3 (the version pinned) re-decorates an operation's handler on every request (a new
StarletteDecorator, a new parameter and response decorator, and `inspect.signature` of the
handler), and inspects the signature of a security check twice per request. The handler, its
decoration and its signature do not change while the app runs, so here they are done on first
use and kept. What the decorators do with each request (arguments, body, response) is untouched.
"""

import functools
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from connexion import AsyncApp
from connexion.apps.asynchronous import AsyncApi, AsyncASGIApp, AsyncOperation
from connexion.context import receive, scope
from connexion.decorators import StarletteDecorator
from connexion.security import ApiKeySecurityHandler
from connexion.utils import inspect_function_arguments


class _DecoratedOnce(StarletteDecorator):
    """connexion's decorator, less the decoration and URI parser it builds on each call."""

    def __call__(self, function: Callable) -> Callable:
        decorated = self.decorate(function)
        parser = None  # built from the operation of the first request (always the same one)

        @functools.wraps(function)
        async def wrapper(*args, **kwargs):
            nonlocal parser
            if parser is None:
                parser = self.uri_parser
            request = self.framework.get_request(uri_parser=parser, scope=scope, receive=receive)
            return await decorated(request)

        return wrapper


class _Operation(AsyncOperation):
    @functools.cached_property
    def fn(self) -> Callable:
        decorator = _DecoratedOnce(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)
        return decorator(self._fn)


class _Api(AsyncApi):
    def make_operation(self, operation: Any) -> _Operation:
        return _Operation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )


class _ASGIApp(AsyncASGIApp):
    api_cls = _Api


class App(AsyncApp):
    """connexion's AsyncApp, whose operations decorate their handlers once."""

    def __init__(self, import_name: str, **kwargs: Any) -> None:
        super().__init__(import_name, **kwargs)
        # No API is registered yet: swap the innermost app before any is.
        self._middleware_app = _ASGIApp()
        self.middleware.app = self._middleware_app


# -- security checks ----------------------------------------------------------------------------

_signatures: "WeakKeyDictionary[Callable, tuple[list[str], bool]]" = WeakKeyDictionary()


class ApiKeyCheck(ApiKeySecurityHandler):
    """connexion's apiKey handler, inspecting the signature of each check function once."""

    @staticmethod
    def _accepts_kwarg(func: Callable, keyword: str) -> bool:
        signature = _signatures.get(func)
        if signature is None:
            signature = _signatures[func] = inspect_function_arguments(func)
        arguments, has_kwargs = signature
        return has_kwargs or keyword in arguments
