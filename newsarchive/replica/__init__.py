"""A local replica of the haiphong.gov.vn portal family: pages, files, faults, ground truth.

See docs/replica.md for the contract. The replica never imports the project's extraction,
crawl or archive code, so its truth stays independent of what it is used to test.
"""

from typing import Any

from newsarchive.replica.config import ReplicaConfig
from newsarchive.replica.corpus import Corpus, build_corpus


def __getattr__(name: str) -> Any:
    # The server needs aiohttp, an optional extra ([replica]): import it only when used, so
    # the corpus and the CLI's help work without it.
    if name in ("ReplicaHandle", "run_replica_in_thread"):
        from newsarchive.replica import server

        return getattr(server, name)
    raise AttributeError(name)


__all__ = ["Corpus", "ReplicaConfig", "ReplicaHandle", "build_corpus", "run_replica_in_thread"]
