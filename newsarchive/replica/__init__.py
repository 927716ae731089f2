"""A local replica of the haiphong.gov.vn portal family: pages, files, faults, ground truth.

See docs/replica.md for the contract. The replica never imports the project's extraction,
crawl or archive code, so its truth stays independent of what it is used to test.
"""

from newsarchive.replica.config import ReplicaConfig
from newsarchive.replica.corpus import Corpus, build_corpus
from newsarchive.replica.server import ReplicaHandle, run_replica_in_thread

__all__ = ["Corpus", "ReplicaConfig", "ReplicaHandle", "build_corpus", "run_replica_in_thread"]
