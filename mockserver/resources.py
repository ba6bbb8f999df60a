"""Where the specs and fixtures are: inside the installed package, or at the repository's top."""

from pathlib import Path

_PACKAGED = Path(__file__).parent / "_data"
_REPOSITORY = Path(__file__).parent.parent


def _data_dir(name: str) -> Path:
    packaged = _PACKAGED / name
    return packaged if packaged.is_dir() else _REPOSITORY / name


def specs_dir() -> Path:
    return _data_dir("specs")


def fixtures_dir() -> Path:
    return _data_dir("fixtures")
