"""The `ticketkit` command."""

import argparse
import gc
import sys
import warnings
from pathlib import Path

# connexion 3.3 imports starlette's TestClient, which warns on every start with starlette 1.x
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

import uvicorn  # noqa: E402

from mockserver import persistence  # noqa: E402
from mockserver.app import build_mock, create_app  # noqa: E402
from mockserver.config import Config, ConfigError  # noqa: E402
from mockserver.persistence import StateFileError  # noqa: E402
from mockserver.world import ScenarioError, scenario_names  # noqa: E402


def _serve(args: argparse.Namespace) -> int:
    try:
        config = Config.from_file(Path(args.config)) if args.config else Config()
    except ConfigError as error:
        print(f"ticketkit: {error}", file=sys.stderr)
        return 2
    host = args.host or config.host
    port = args.port if args.port is not None else config.port
    if args.scenario:
        config.scenario = args.scenario
    if args.state_file:
        config.state_file = args.state_file
    try:
        mock = build_mock(config)
        if config.state_file:
            restored = persistence.restore(mock, Path(config.state_file))
            done = "restored the worlds kept in" if restored else "will keep the worlds in"
            print(f"ticketkit: {done} {config.state_file}")
        app = create_app(mock)
    except (ScenarioError, StateFileError) as error:
        print(f"ticketkit: {error}", file=sys.stderr)
        return 2
    print(f"ticketkit mock on http://{host}:{port}  (Swagger UI: http://{host}:{port}/ui/)")
    keep_collections_short()
    # One worker: the state lives in this process.
    uvicorn.run(app, host=host, port=port, log_level=args.log_level, access_log=False)
    return 0


def keep_collections_short() -> None:
    """Keeps the garbage collector's full passes from walking what is known to live on.

    A full pass walks every object the collector tracks, so its pause grows with the worlds:
    over 100 ms once they hold some ten thousand records, the slowest answers of a busy mock.
    What the app loaded at start lives as long as the server, and what survives a full pass is
    almost all records, which are plain dicts and lists freed by reference counting all the
    same (worlds, their stores and records hold no cycles). Both are moved out of the
    collector's sight (gc.freeze), so that each full pass walks only what came since the last.
    """
    gc.collect()
    gc.freeze()
    gc.callbacks.append(_freeze_survivors)


def _freeze_survivors(phase: str, info: dict) -> None:
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="ticketkit", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the mock server")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8080)")
    serve.add_argument("--config", help="YAML settings file (see README)")
    serve.add_argument(
        "--scenario",
        help=f"scenario that seeds every new world (shipped: {', '.join(scenario_names())})",
    )
    serve.add_argument(
        "--state-file", help="keep all worlds in this file across restarts (default: in memory)"
    )
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.set_defaults(run=_serve)
    from conformance.cli import add_parser

    add_parser(commands)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
