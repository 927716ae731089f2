"""`newsarchive crawl`: run site spiders into the archive."""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path

import click

from newsarchive.cli.exitcodes import ConfigError, LockedError
from newsarchive.cli.toolopts import data_option, sites_option

logger = logging.getLogger("newsarchive.run")


def _parse_overrides(values: tuple[str, ...]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise ConfigError(f"-s expects NAME=VALUE, got {value!r}")
        overrides[key] = val
    return overrides


@click.command()
@click.argument("sites", nargs=-1)
@click.option("--all", "all_sites", is_flag=True, help="Crawl every configured site.")
@click.option("--url", help="Ad hoc crawl of a site with no configuration, from this listing URL.")
@click.option("--profile", help="Extraction profile (default: the site's, or 'generic' for --url).")
@data_option
@sites_option
@click.option("--max-pages", type=click.IntRange(min=1), help="Listing pages to walk per category.")
@click.option("--since", help="Skip articles published before this date (YYYY-MM-DD).")
@click.option(
    "--fast", is_flag=True, help="No delays, many connections: ONLY for the local replica."
)
@click.option(
    "--map",
    "host_map",
    multiple=True,
    metavar="PATTERN=HOST:PORT",
    help="Fetch hosts matching PATTERN from another address (e.g. the replica).",
)
@click.option(
    "--recheck-hours",
    type=float,
    help="Re-check known articles last checked this long ago (0 = all; -1 = never).",
)
@click.option(
    "--revisit",
    metavar="POLICY",
    help="Re-check known articles by age: AGE_DAYS:INTERVAL_DAYS tiers "
    "[7:1,365:7,*:30 = daily in the first week, weekly in the first year, monthly after].",
)
@click.option(
    "--log-json",
    type=click.Path(dir_okay=False),
    help="Append JSON-lines progress events to this file.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Live progress line (default: when stderr is a terminal).",
)
@click.option(
    "--max-error-rate",
    type=click.FloatRange(0, 1),
    help="Exit 1 when failed requests exceed this fraction [0.05].",
)
@click.option(
    "--log-dir",
    type=click.Path(file_okay=False),
    help="Folder of the per-run log files [DATA/logs].",
)
@click.option(
    "--log-keep",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="Run logs to keep (older ones are deleted; 0 = no log file).",
)
@click.option(
    "--redis",
    "redis_url",
    metavar="redis://HOST:PORT/DB",
    help="Share the frontier and duplicate filter in this Redis (scrapy-redis): run the same "
    "command on other machines to add workers.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes on this machine (with --redis).",
)
@click.option(
    "--job",
    metavar="NAME",
    help="Name of the shared crawl in Redis [derived from the sites or --url].",
)
@click.option(
    "-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Any Scrapy setting."
)
def crawl(
    sites: tuple[str, ...],
    all_sites: bool,
    url: str | None,
    profile: str | None,
    data: str | None,
    sites_file: str | None,
    max_pages: int | None,
    since: str | None,
    fast: bool,
    host_map: tuple[str, ...],
    recheck_hours: float | None,
    revisit: str | None,
    log_json: str | None,
    progress: bool | None,
    max_error_rate: float | None,
    log_dir: str | None,
    log_keep: int,
    redis_url: str | None,
    workers: int,
    job: str | None,
    overrides: tuple[str, ...],
) -> None:
    """Crawl portals: listings, articles, images and attachments into WARCs and the index.

    Politeness is the default (robots.txt, AutoThrottle, 2 requests per host, a delay).
    Re-running is incremental: known articles are skipped or re-checked with conditional
    GETs, and a killed crawl resumes without losing or duplicating anything.

    Example:

        newsarchive crawl haian --data ./data

        newsarchive crawl --all --fast --map '*.haiphong.gov.vn=127.0.0.1:8765'

        newsarchive crawl --all --redis redis://10.0.0.5:6379/0 --workers 3
    """
    from newsarchive.portals.profiles import PROFILES
    from newsarchive.portals.sites import SitesError, load_sites, sites_path
    from newsarchive.urlparts import parse_host_map

    try:
        configured = load_sites(sites_file)
    except SitesError as exc:
        raise ConfigError(str(exc)) from None
    if url and (sites or all_sites):
        raise ConfigError("give either SITE names / --all or --url, not both")
    known = ", ".join(sorted(configured)) or f"none in {sites_path(sites_file)}"
    names = sorted(configured) if all_sites else list(dict.fromkeys(sites))
    if not names and not url:
        raise ConfigError(f"name a site ({known}), --all or --url")
    unknown = [n for n in names if n not in configured]
    if unknown:
        raise ConfigError(f"unknown site {unknown[0]!r} (known: {known})")
    if profile and profile not in PROFILES:
        raise ConfigError(f"unknown profile {profile!r} (known: {', '.join(sorted(PROFILES))})")
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(f"--url must be an http(s) URL, got {url!r}")
    if since:
        try:
            date.fromisoformat(since)
        except ValueError:
            raise ConfigError(f"--since expects YYYY-MM-DD, got {since!r}") from None
    try:
        mapping = parse_host_map(host_map)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    setting_overrides = _parse_overrides(overrides)
    if revisit is not None:
        from newsarchive.crawl.revisit import RevisitPolicy

        try:
            RevisitPolicy.parse(revisit)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        setting_overrides["NEWSARCHIVE_REVISIT"] = revisit

    if workers > 1 and not redis_url:
        raise ConfigError("--workers needs --redis (the frontier the workers share)")
    if job and not redis_url:
        raise ConfigError("--job names a shared crawl: give --redis too")
    if redis_url:
        from newsarchive.crawl.redisjob import RedisUnavailable, connect

        for name in ("NEWSARCHIVE_REDIS_WORKER_TTL", "NEWSARCHIVE_REDIS_RESUME_HOURS"):
            try:
                if float(setting_overrides.get(name, 1)) <= 0:
                    raise ValueError
            except ValueError:
                raise ConfigError(f"-s {name} expects a positive number") from None

        try:
            connect(redis_url, timeout=3.0).close()
        except RedisUnavailable as exc:
            raise ConfigError(str(exc)) from None

    # Lock the data folder before anything touches it (index, WARC repair): a second run
    # exits at once. The kernel drops the lock of a killed run, so the next one takes over.
    from archive import lock
    from archive.layout import resolve_data_dir

    data_dir = resolve_data_dir(setting_overrides.get("NEWSARCHIVE_DATA") or data)
    try:
        lock.acquire(data_dir)
    except lock.DataLocked as exc:
        raise LockedError(str(exc)) from None
    handler = None
    try:
        if log_keep:
            from newsarchive.crawl.runlog import open_run_log

            _, handler = open_run_log(Path(log_dir) if log_dir else data_dir / "logs", log_keep)
        if redis_url:
            _crawl_shared(
                names,
                data_dir,
                sites_file=sites_file,
                url=url,
                profile=profile,
                settings_kwargs={
                    "data": str(data_dir),
                    "fast": fast,
                    "host_map": mapping,
                    "max_pages": max_pages,
                    "since": since,
                    "recheck_hours": recheck_hours,
                    "log_json": log_json,
                    "progress": False,  # N workers, one terminal: the summary says it all
                    "overrides": setting_overrides,
                },
                max_error_rate=max_error_rate,
                redis_url=redis_url,
                workers=workers,
                job=job,
                log_dir=log_dir,
                log_keep=log_keep,
            )
            return
        _crawl_locked(
            names,
            data_dir,
            sites_file=sites_file,
            url=url,
            profile=profile,
            fast=fast,
            mapping=mapping,
            max_pages=max_pages,
            since=since,
            recheck_hours=recheck_hours,
            log_json=log_json,
            progress=sys.stderr.isatty() if progress is None else progress,
            max_error_rate=max_error_rate,
            overrides=setting_overrides,
        )
    finally:
        if handler is not None:
            from newsarchive.crawl.runlog import close_run_log

            close_run_log(handler)
        lock.release(data_dir)


def _crawl_locked(
    names: list[str],
    data_dir: Path,
    *,
    sites_file: str | None,
    url: str | None,
    profile: str | None,
    fast: bool,
    mapping: dict[str, str],
    max_pages: int | None,
    since: str | None,
    recheck_hours: float | None,
    log_json: str | None,
    progress: bool,
    max_error_rate: float | None,
    overrides: dict[str, str],
) -> None:
    from newsarchive.crawl.crawlsettings import crawl_settings
    from newsarchive.portals.sites import sites_path

    settings = crawl_settings(
        data=str(data_dir),
        fast=fast,
        host_map=mapping,
        max_pages=max_pages,
        since=since,
        recheck_hours=recheck_hours,
        log_json=log_json,
        progress=progress,
        overrides=overrides,
    )
    settings.set("NEWSARCHIVE_SITES", str(sites_path(sites_file).resolve()), priority="cmdline")
    if max_error_rate is not None:
        settings.set("NEWSARCHIVE_ERROR_THRESHOLD", max_error_rate, priority="cmdline")

    # Open (and migrate) the index before Scrapy starts, so a damaged one is a clear error.
    from archive.index import Index
    from archive.layout import DataDir

    with Index(DataDir(data_dir).index_path):
        pass

    from newsarchive.crawl.runner import run_crawl

    result = run_crawl(settings, names, url=url, profile=profile)
    for line in result.summary_lines():
        logger.info(line)
        click.echo(line)
    if result.failed:
        logger.error("crawl failed: %s", result.failure_reason)
        raise click.ClickException(result.failure_reason)
    logger.info("crawl finished")


def _crawl_shared(
    names: list[str],
    data_dir: Path,
    *,
    sites_file: str | None,
    url: str | None,
    profile: str | None,
    settings_kwargs: dict,
    max_error_rate: float | None,
    redis_url: str,
    workers: int,
    job: str | None,
    log_dir: str | None,
    log_keep: int,
) -> None:
    """Workers on a frontier in Redis (newsarchive.crawl.workers), this process holding the
    data folder's lock for all of them."""
    from archive import lock
    from archive.index import Index
    from archive.layout import DataDir
    from newsarchive.crawl.redisjob import job_name
    from newsarchive.crawl.workers import WorkerSpec, run_worker, spawn_workers, summary_lines
    from newsarchive.portals.sites import sites_path

    with Index(DataDir(data_dir).index_path):  # migrated once, before any worker opens it
        pass
    overrides = settings_kwargs["overrides"]
    if workers > 1:
        # Several writers of one index: an open batch holds SQLite's write lock across reactor
        # turns and a sibling's reactor sleeps in busy_timeout meanwhile (py-spy: half of
        # each worker's time with 50 ms batches, the 3 workers using one core between them);
        # one commit per write holds it for that write only (bench/bench_scale.py (b)).
        overrides.setdefault("NEWSARCHIVE_INDEX_BATCH", "1")
    spec = WorkerSpec(
        names=names,
        url=url,
        profile=profile,
        data_dir=str(data_dir),
        settings=settings_kwargs,
        sites_path=str(sites_path(sites_file).resolve()),
        error_threshold=max_error_rate,
        redis_url=redis_url,
        job=job or job_name(names, url, profile),
        worker_ttl=float(overrides.get("NEWSARCHIVE_REDIS_WORKER_TTL", 30.0)),
        resume_hours=float(overrides.get("NEWSARCHIVE_REDIS_RESUME_HOURS", 6.0)),
        log_dir=log_dir,
        log_keep=log_keep,
    )
    logger.info("shared crawl %s on %s: %d workers here", spec.job, redis_url, workers)
    if workers == 1:
        outcomes = [run_worker(spec)]
    else:
        outcomes = spawn_workers(spec, workers, lock.lock_fd(data_dir))
    for line in summary_lines(outcomes):
        logger.info(line)
        click.echo(line)
    failed = [o for o in outcomes if o.failed]
    if failed:
        reason = "; ".join(o.reason for o in failed)
        logger.error("crawl failed: %s", reason)
        raise click.ClickException(reason)
    logger.info("crawl finished")
