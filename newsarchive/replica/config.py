"""ReplicaConfig: every setting of a replica run, validated once."""

from __future__ import annotations

from dataclasses import dataclass

FAULT_LEVELS = ("none", "mild", "harsh")
SCHEMES = ("http", "https")
# Generation A content ids live in 100000..140000, so a site cannot hold more articles.
MAX_ARTICLES = 40000


@dataclass(frozen=True)
class ReplicaConfig:
    host: str = "127.0.0.1"
    port: int = 8765
    articles: int = 500  # per site
    seed: int = 1
    faults: str = "none"
    edit_rate: float = 0.05
    delete_rate: float = 0.02
    generation: int = 0
    scheme: str = "https"
    sites: int = 0  # generated commune sub-sites served besides the three named ones
    latency_ms: int = 0  # added before every response, to measure many-site crawls
    # JSON-lines file of every request's arrival (time, host, path): politeness is measured
    # from what the server saw, not from what the crawler says it sent.
    request_log: str | None = None

    def __post_init__(self) -> None:
        if self.faults not in FAULT_LEVELS:
            raise ValueError(f"faults must be one of {', '.join(FAULT_LEVELS)}: {self.faults!r}")
        if self.scheme not in SCHEMES:
            raise ValueError(f"scheme must be http or https: {self.scheme!r}")
        if not 1 <= self.articles <= MAX_ARTICLES:
            raise ValueError(f"articles must be within 1..{MAX_ARTICLES}: {self.articles}")
        if not (0 <= self.edit_rate <= 1 and 0 <= self.delete_rate <= 1):
            raise ValueError("edit_rate and delete_rate must be within 0..1")
        if self.edit_rate + self.delete_rate > 1:
            raise ValueError("edit_rate + delete_rate must not exceed 1")
        if self.generation < 0:
            raise ValueError(f"generation must be >= 0: {self.generation}")
        if not 0 <= self.sites <= 1200:
            raise ValueError(f"sites must be within 0..1200: {self.sites}")
        if not 0 <= self.latency_ms <= 60000:
            raise ValueError(f"latency_ms must be within 0..60000: {self.latency_ms}")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be within 0..65535: {self.port}")
