"""Where things live inside a data directory: WARC files and the index."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "NEWSARCHIVE_DATA"
DEFAULT_DIR = "data"


class DataDir:
    """A data directory: `warc/` holds the WARC files, `index.db` the SQLite index."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @property
    def warc_dir(self) -> Path:
        return self.root / "warc"

    @property
    def index_path(self) -> Path:
        return self.root / "index.db"

    def __repr__(self) -> str:
        return f"DataDir({str(self.root)!r})"


def resolve_data_dir(option: str | os.PathLike[str] | None) -> Path:
    """The data directory: the option if given, else $NEWSARCHIVE_DATA, else ./data."""
    if option:
        return Path(option)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return Path(DEFAULT_DIR)
