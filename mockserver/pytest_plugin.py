"""pytest fixtures that run the ticketkit mock for your tests, with a fresh world per test.

Installed with ticketkit (entry point ``pytest11``), so these fixtures are there in any project
that installs ticketkit:

``ticketkit``
    An HTTP client (a ``starlette.testclient.TestClient``, which is an ``httpx.Client``) bound
    to the in-process mock. Every request carries ``X-Mock-World: <the test's world>``. Extra
    attributes: ``world`` (the World object: its ``clock``, ``progression``, ``journal``...),
    ``world_name`` and ``mock``. Absolute URLs the mock hands out (a ZStack job's
    ``location``) can be requested as they are.
``ticketkit_world``
    The name of the test's own world, created before the test (from the startup scenario, or
    from the one named by ``@pytest.mark.ticketkit_scenario("demo")``) and deleted after it.
``ticketkit_url``
    For browser tests and SDK clients that need a real URL: ``.url`` (the base URL of the mock
    served over a socket), ``.world`` (the world's name), ``.headers`` (``{"X-Mock-World":
    ...}``) and ``.cookie`` (the ``ticketkit-world`` cookie, for Playwright's
    ``context.add_cookies([...])`` or Selenium's ``driver.add_cookie(...)``). It unpacks as
    ``url, world = ticketkit_url``. Same world as ``ticketkit``'s, so a test can use both.
``ticketkit_app``, ``ticketkit_server`` (session scope)
    The in-process mock (``.app``, the ASGI app; ``.mock``, the Mock) and the same app served
    by uvicorn on a free port of 127.0.0.1 in a background thread (``.url``, ``.mock``), started
    on first use and stopped at the end of the session. One of each per session, so per xdist
    worker: workers share nothing, and within one, each test has its own world.

Options: ``--ticketkit-scenario NAME`` (ini ``ticketkit_scenario``) seeds every new world from
that scenario (default: the config file's, else ``default``); ``--ticketkit-config FILE`` (ini
``ticketkit_config``) takes a YAML file as ``ticketkit serve --config`` does. A config's
``state_file`` is ignored: the fixtures always start from the scenario.
"""

import contextlib
import itertools
import os
import re
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest

WORLD_HEADER = "X-Mock-World"  # as mockserver.selection, which this module does not import
WORLD_COOKIE = "ticketkit-world"
HOST = "127.0.0.1"
SERVER_START_TIMEOUT_S = 30.0

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_worlds = itertools.count(1)
_SETTINGS = pytest.StashKey[Any]()


# -- options --------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ticketkit", "ticketkit mock server fixtures")
    group.addoption(
        "--ticketkit-scenario",
        dest="ticketkit_scenario",
        metavar="NAME",
        help="scenario that seeds each test's world (default: the config's, else 'default')",
    )
    group.addoption(
        "--ticketkit-config",
        dest="ticketkit_config",
        metavar="FILE",
        help="YAML settings of the mock, as for `ticketkit serve --config`",
    )
    parser.addini("ticketkit_scenario", "scenario that seeds each test's world")
    parser.addini("ticketkit_config", "YAML settings of the mock (relative to this ini file)")


def pytest_configure(config: pytest.Config) -> None:
    if any(
        config.getoption(name) or config.getini(name)
        for name in ("ticketkit_scenario", "ticketkit_config")
    ):
        config.stash[_SETTINGS] = _settings(config)  # a wrong option stops the run at once
    config.addinivalue_line(
        "markers",
        "ticketkit_scenario(name): seed the test's ticketkit world from this scenario",
    )
    # connexion parses a multipart form twice and leaves both copies of its temporary files
    # open; the garbage collector closes them, with a warning that is not the test's fault.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Exception ignored in. <function SpooledTemporaryFile.__del__"
        ":pytest.PytestUnraisableExceptionWarning",
    )


@contextlib.contextmanager
def _quiet_imports() -> Iterator[None]:
    """Imports connexion and starlette's test client without the deprecation warnings they
    give on import (they are about those libraries, and would fail filterwarnings=error)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        warnings.filterwarnings("ignore", message="jsonschema.RefResolver is deprecated")
        warnings.filterwarnings(
            "ignore", message="jsonschema.exceptions.RefResolutionError is deprecated"
        )
        yield


def _settings(config: pytest.Config) -> Any:
    """The mock's Config, from the options; UsageError when they cannot be used."""
    with _quiet_imports():  # mockserver.config leads to connexion
        from mockserver.config import Config, ConfigError
        from mockserver.world import ScenarioError, load_scenario

    path = config.getoption("ticketkit_config")
    if path:
        file = config.invocation_params.dir / path
    elif config.getini("ticketkit_config"):
        base = config.inipath.parent if config.inipath else config.rootpath
        file = base / config.getini("ticketkit_config")
    else:
        file = None
    try:
        settings = Config.from_file(file) if file else Config()
    except ConfigError as error:
        raise pytest.UsageError(f"ticketkit: {error}") from error
    scenario = config.getoption("ticketkit_scenario") or config.getini("ticketkit_scenario")
    if scenario:
        settings.scenario = scenario
    try:
        load_scenario(settings.scenario)
    except ScenarioError as error:
        raise pytest.UsageError(f"ticketkit: {error}") from error
    settings.state_file = None
    return settings


# -- the in-process mock --------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketkitApp:
    """The in-process mock: ``app`` is its ASGI app, ``mock`` the Mock that holds the worlds."""

    app: Any
    mock: Any


@pytest.fixture(scope="session")
def ticketkit_app(pytestconfig: pytest.Config) -> TicketkitApp:
    """The mock, in this process, for the whole session."""
    settings = pytestconfig.stash.get(_SETTINGS, None) or _settings(pytestconfig)
    with _quiet_imports():
        from mockserver.app import build_mock, create_app

    mock = build_mock(settings)
    return TicketkitApp(app=create_app(mock), mock=mock)


def world_name(nodeid: str) -> str:
    """A world name for the test `nodeid`, unique in this process: the test's module, class,
    name and parameters, then a counter (and the xdist worker), e.g.
    ``test_screens-test_new_case-2`` for ``tests/test_screens.py::test_new_case``."""
    path, _, rest = nodeid.partition("::")
    module = path.rsplit("/", 1)[-1].removesuffix(".py")
    stem = _UNSAFE.sub("-", f"{module}-{rest}" if rest else module)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    suffix = f"-{worker}-{next(_worlds)}" if worker else f"-{next(_worlds)}"
    stem = stem.strip("-._")[: 64 - len(suffix)].rstrip("-._")
    return (stem or "test") + suffix


def _marked_scenario(node: pytest.Item) -> str | None:
    marker = node.get_closest_marker("ticketkit_scenario")
    if marker is None:
        return None
    name = marker.args[0] if marker.args else marker.kwargs.get("name")
    if not isinstance(name, str) or not name:
        pytest.fail('use @pytest.mark.ticketkit_scenario("<scenario name>")', pytrace=False)
    return name


@pytest.fixture
def ticketkit_world(request: pytest.FixtureRequest, ticketkit_app: TicketkitApp) -> Iterator[str]:
    """The name of this test's own world, seeded before the test and deleted after it."""
    from mockserver.world import ScenarioError

    mock = ticketkit_app.mock
    scenario = _marked_scenario(request.node)
    name = world_name(request.node.nodeid)
    world = mock.world(name)
    if scenario:
        try:
            world.reset(scenario)
            problem = None
        except ScenarioError as error:
            problem = f"ticketkit_scenario: {error}"
        if problem:
            mock.forget(name)
            pytest.fail(problem, pytrace=False)
    request.node.user_properties.append(("ticketkit_world", name))
    try:
        yield name
    finally:
        mock.forget(name)


_client_type: type | None = None


def _client_class() -> type:
    """TicketkitClient, defined on first use so that merely loading this plugin imports
    neither starlette nor httpx."""
    global _client_type
    if _client_type is None:
        with _quiet_imports():
            from starlette.testclient import TestClient

        class TicketkitClient(TestClient):
            """A TestClient of the mock whose requests all go to one world."""

            __test__ = False

            def __init__(self, app: Any, mock: Any, world_name: str) -> None:
                super().__init__(app, headers={WORLD_HEADER: world_name})
                self.mock = mock
                self.world_name = world_name

            @property
            def world(self) -> Any:
                """The World object the requests are served from."""
                return self.mock.world(self.world_name)

        _client_type = TicketkitClient
    return _client_type


@pytest.fixture
def ticketkit(ticketkit_app: TicketkitApp, ticketkit_world: str) -> Iterator[Any]:
    """An httpx client of the in-process mock, in this test's world."""
    with _client_class()(ticketkit_app.app, ticketkit_app.mock, ticketkit_world) as client:
        yield client


# -- the mock over a socket -----------------------------------------------------------------------


@dataclass(frozen=True)
class TicketkitServer:
    """The mock served over a socket: ``url`` is its base URL, ``mock`` the Mock."""

    url: str
    mock: Any


class TicketkitUrl(NamedTuple):
    """Where a browser or an SDK finds the mock, and the test's world there."""

    url: str
    world: str

    @property
    def headers(self) -> dict[str, str]:
        """The header that sends a request to the test's world."""
        return {WORLD_HEADER: self.world}

    @property
    def cookie(self) -> dict[str, str]:
        """The cookie that sends a browser's requests to the test's world."""
        return {"name": WORLD_COOKIE, "value": self.world, "domain": HOST, "path": "/"}


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serves the ASGI `app` with uvicorn on a free port of 127.0.0.1 in a background thread;
    yields its base URL and stops it (and the thread) on the way out."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_config=None,  # leave logging alone: the server's errors reach pytest's log capture
        log_level="warning",
        access_log=False,
        ws="none",
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    config.load()  # here, so that anything it imports does so in this thread
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="ticketkit-server", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("ticketkit: the mock server did not start")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"ticketkit: the mock server did not start in {SERVER_START_TIMEOUT_S} s"
                )
            time.sleep(0.01)
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        if thread.is_alive():
            server.force_exit = True
            thread.join(5)
        sock.close()


@pytest.fixture(scope="session")
def ticketkit_server(ticketkit_app: TicketkitApp) -> Iterator[TicketkitServer]:
    """The session's mock (the one ``ticketkit`` talks to) served over a real socket."""
    with serving(ticketkit_app.app) as url:
        yield TicketkitServer(url=url, mock=ticketkit_app.mock)


@pytest.fixture
def ticketkit_url(ticketkit_server: TicketkitServer, ticketkit_world: str) -> TicketkitUrl:
    """The served mock's base URL and this test's world."""
    return TicketkitUrl(ticketkit_server.url, ticketkit_world)
