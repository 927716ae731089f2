"""`newsarchive replica`: serve the local replica of the portal family in the foreground."""

from __future__ import annotations

import time

import click

from newsarchive.replica.config import FAULT_LEVELS, MAX_ARTICLES, SCHEMES


@click.command("replica")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--articles",
    type=click.IntRange(1, MAX_ARTICLES),
    default=500,
    show_default=True,
    help="Articles per site.",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="Seed of all generated content."
)
@click.option(
    "--faults",
    type=click.Choice(FAULT_LEVELS),
    default="none",
    show_default=True,
    help="Fault injection level.",
)
@click.option(
    "--edit-rate",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    help="Chance that an article is edited at each generation >= 1.",
)
@click.option(
    "--delete-rate",
    type=click.FloatRange(0, 1),
    default=0.02,
    show_default=True,
    help="Chance that an article is deleted at each generation >= 1.",
)
@click.option(
    "--generation",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Initial state: 0 = pristine; each step edits and deletes some articles.",
)
@click.option(
    "--scheme",
    type=click.Choice(SCHEMES),
    default="https",
    show_default=True,
    help="Scheme of the public URLs pages link to.",
)
@click.option(
    "--sites",
    "generated",
    type=click.IntRange(0, 1200),
    default=0,
    show_default=True,
    help="Generated commune sub-sites (generation C, files on the shared CDN) served "
    "besides haian, lechan and vinhbao.",
)
@click.option(
    "--latency-ms",
    type=click.IntRange(0, 60000),
    default=0,
    show_default=True,
    help="Delay added before every response (ms).",
)
@click.option(
    "--request-log",
    type=click.Path(dir_okay=False),
    help="Append every request's arrival (JSON lines: time, host, method, path) to this file.",
)
@click.option(
    "--write-sites",
    type=click.Path(dir_okay=False),
    help="Write a newsarchive sites file (TOML) of the generated sub-sites here.",
)
def replica(
    host: str,
    port: int,
    articles: int,
    seed: int,
    faults: str,
    edit_rate: float,
    delete_rate: float,
    generation: int,
    scheme: str,
    generated: int,
    latency_ms: int,
    request_log: str | None,
    write_sites: str | None,
) -> None:
    """Serve a deterministic replica of the *.haiphong.gov.vn news portals on loopback.

    Routes by the Host header (haian, lechan, vinhbao, cdn .haiphong.gov.vn) and accepts
    absolute-form requests, so a crawler maps the public hosts to this address or uses it as
    an HTTP proxy. Ground truth is at /__truth__; POST /__control__?generation=G changes the
    state; /__faults__ counts injected faults.

    Example:

        newsarchive replica --port 8765 --articles 500 --faults mild

        newsarchive replica --sites 300 --articles 20 --latency-ms 30 --write-sites s.toml

        curl -H 'Host: haian.haiphong.gov.vn' http://127.0.0.1:8765/
    """
    try:
        from newsarchive.replica import ReplicaConfig, run_replica_in_thread
    except ImportError as exc:
        raise click.ClickException(
            f"the replica needs the [replica] extra ({exc.name} is missing): "
            "pip install 'newsarchive[replica]'"
        ) from None

    if edit_rate + delete_rate > 1:
        raise click.BadParameter(
            "--edit-rate + --delete-rate must not exceed 1", param_hint="--edit-rate"
        )
    config = ReplicaConfig(
        host=host,
        port=port,
        articles=articles,
        seed=seed,
        faults=faults,
        edit_rate=edit_rate,
        delete_rate=delete_rate,
        generation=generation,
        scheme=scheme,
        sites=generated,
        latency_ms=latency_ms,
        request_log=request_log,
    )
    try:
        handle = run_replica_in_thread(config)
    except (OSError, RuntimeError) as exc:
        raise click.ClickException(f"cannot start the replica on {host}:{port}: {exc}") from exc
    if write_sites:
        from pathlib import Path

        Path(write_sites).write_text(handle.corpus.sites_toml(), encoding="utf-8")
        click.echo(f"wrote the {generated} generated sub-sites to {write_sites}")
    click.echo(
        f"replica serving {articles} articles/site at {handle.base} "
        f"(faults={faults}, generation={generation}); Ctrl-C stops it"
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()
