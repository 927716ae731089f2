"""Scrapy settings for newsarchive.

The defaults are polite, for real government sites: robots.txt obeyed, AutoThrottle on, two
requests per host at a time, a download delay, a User-Agent that names the project.
`newsarchive crawl --fast` (see newsarchive.crawl.crawlsettings.FAST) lifts the limits for the
local replica and benchmarks only.
"""

from newsarchive import __version__

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# One spider per site of the sites file (TOML; see newsarchive/portals/sites.py), none in Python.
SPIDER_LOADER_CLASS = "newsarchive.crawl.spiderloader.SiteSpiderLoader"
# `-s NEWSARCHIVE_FAST=1`: no delays, many connections; for the local replica only.
NEWSARCHIVE_FAST = False
# Derives the fast settings and the User-Agent (from NEWSARCHIVE_CONTACT) at crawl start.
ADDONS = {"newsarchive.crawl.settingsaddon.DerivedSettings": 0}
# The sites file: None = $NEWSARCHIVE_SITES, else ./sites.toml when present, else the shipped one.
NEWSARCHIVE_SITES = None

# Who we are and how to reach us: site operators should be able to tell us to stop.
NEWSARCHIVE_CONTACT = "https://github.com/newsarchive/newsarchive"
USER_AGENT = f"newsarchive/{__version__} (+{NEWSARCHIVE_CONTACT}; web archive of public news)"

ROBOTSTXT_OBEY = True
NEWSARCHIVE_OBEY_CRAWL_DELAY = True  # robots.txt Crawl-delay, applied per host
NEWSARCHIVE_MAX_CRAWL_DELAY = 60.0  # seconds; a larger Crawl-delay is capped
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# A CDN host serving the files of many sites is one host to Scrapy: in a many-site crawl it
# gets its own concurrency (a DOWNLOAD_SLOTS entry) instead of the per-domain one.
NEWSARCHIVE_FILE_HOST_CONCURRENCY = 4
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60

# The portals stall now and then: retry 5xx, timeouts and dropped connections with backoff.
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
NEWSARCHIVE_RETRY_AFTER_MAX = 120.0  # seconds; a longer Retry-After or backoff is capped
NEWSARCHIVE_RETRY_BACKOFF = 2.0  # first wait before a retry without Retry-After; doubles
REDIRECT_MAX_TIMES = 8

# Pages over 10 MB are not articles; files may be larger. Per-request meta overrides these.
DOWNLOAD_MAXSIZE = 200 * 1024 * 1024
DOWNLOAD_WARNSIZE = 50 * 1024 * 1024
NEWSARCHIVE_PAGE_MAXSIZE = 10 * 1024 * 1024

COOKIES_ENABLED = False
# Items from one response processed in parallel (Scrapy's default, 100, starts 100 asyncio
# tasks per response even when a page yields three items; our pipeline is synchronous).
CONCURRENT_ITEMS = 8
TELNETCONSOLE_ENABLED = False
# Scrapy re-reads and re-parses a generator callback's source on every response to warn about
# `return value` in it (its cache misses bound methods): 10-20% of a --fast crawl's CPU
# (bench/bench_scale.py). tests/test_spider_callbacks.py runs that check once instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

# Mapping of host patterns to another address, e.g. {"*.haiphong.gov.vn": "127.0.0.1:8765"}
# so the same spiders crawl the local replica. URLs, WARC records and the index keep the
# public hostnames.
NEWSARCHIVE_HOST_MAP: dict[str, str] = {}
DOWNLOAD_HANDLERS = {
    # HostMapDownloadHandler, waiting first for the host's shared turn when REDIS_URL is set.
    "http": "newsarchive.crawl.sharedpace.PacedDownloadHandler",
    "https": "newsarchive.crawl.sharedpace.PacedDownloadHandler",
}

# Several workers on one Redis (REDIS_URL, as scrapy-redis names it): per-host politeness is
# kept there (newsarchive/crawl/sharedpace.py), so N workers never hit one host N times
# harder. A host's interval is the largest of its download delay (DOWNLOAD_DELAY, the
# site's, Crawl-delay, AutoThrottle's) and 1 / NEWSARCHIVE_HOST_RATE (requests/s; 0 = none).
REDIS_URL = None
NEWSARCHIVE_REDIS_POLITENESS = True  # False: each worker keeps only its own per-host delays
NEWSARCHIVE_HOST_RATE = 0.0
# File hosts shared by many sites (set by many-site crawls) have their own allowance; None =
# NEWSARCHIVE_HOST_RATE scaled by NEWSARCHIVE_FILE_HOST_CONCURRENCY / per-domain concurrency.
NEWSARCHIVE_FILE_HOST_RATE = None
NEWSARCHIVE_FILE_HOSTS: list[str] = []
NEWSARCHIVE_REDIS_PREFIX = "newsarchive"  # keys: PREFIX:host:HOSTNAME
NEWSARCHIVE_REDIS_TIMEOUT = 10.0  # seconds; a Redis slower than this counts as unreachable
# Added to each shared interval: a worker's request can leave a little after its turn
# (a busy reactor) while the next worker's leaves on time; the host must not see them closer.
NEWSARCHIVE_REDIS_GUARD = 0.05

# Where the archive goes (WARCs + index); the CLI's --data and NEWSARCHIVE_DATA override it.
NEWSARCHIVE_DATA = None
NEWSARCHIVE_WARC_MAX_BYTES = 1_000_000_000
NEWSARCHIVE_WARC_PREFIX = "newsarchive"
# fsync WARC files at most this often (seconds; 0 = after every record) and at close.
NEWSARCHIVE_WARC_FSYNC_INTERVAL = 1.0
# The index commits in batches: every NEWSARCHIVE_INDEX_BATCH writes or NEWSARCHIVE_INDEX_BATCH_MS
# after a batch's first write (1 = commit every write). Keep the time short (<= 500 ms): a
# batch holds SQLite's write lock while another writer of the same index waits; after each
# batch, writes commit one by one for NEWSARCHIVE_INDEX_BATCH_GAP_MS so that writer gets the
# lock (crawl --workers N, several writers of one index, commits every write).
NEWSARCHIVE_INDEX_BATCH = 200
NEWSARCHIVE_INDEX_BATCH_MS = 250
NEWSARCHIVE_INDEX_BATCH_GAP_MS = 100
# Incremental crawling: stop paging a category after this many listing pages in a row hold
# nothing new (0 = always walk every page). Known articles are re-checked with a conditional
# GET by age (newsarchive.crawl.revisit): "AGE_DAYS:INTERVAL_DAYS" tiers, default daily in
# their first week, weekly in their first year, monthly after. NEWSARCHIVE_RECHECK_HOURS,
# when set, replaces the tiers by one interval (negative = never re-check).
NEWSARCHIVE_STOP_AFTER_PAGES_WITHOUT_NEW = 1
NEWSARCHIVE_REVISIT = "7:1,365:7,*:30"
NEWSARCHIVE_RECHECK_HOURS = None
NEWSARCHIVE_MAX_PAGES = 0  # listing pages per category; 0 = no limit
NEWSARCHIVE_SINCE = None  # ISO date; older articles are not fetched
NEWSARCHIVE_ERROR_THRESHOLD = 0.05  # fraction of failed requests that makes the exit non-zero

DOWNLOADER_MIDDLEWARES = {
    # Off-site by host AND port, start requests and redirects included (crawl/scope.py).
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "newsarchive.crawl.scope.SiteScopeMiddleware": 50,
    # Honour Retry-After on 429/503 (Scrapy's RetryMiddleware ignores it).
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsarchive.crawl.middlewares.RetryAfterMiddleware": 550,
    # Right after RobotsTxtMiddleware (100), which parses robots.txt.
    "newsarchive.crawl.middlewares.CrawlDelayMiddleware": 110,
    # Capture what the server sent, before HttpCompressionMiddleware (590) decodes it and
    # before RedirectMiddleware (600) replaces 3xx responses.
    "newsarchive.crawl.middlewares.WarcCaptureMiddleware": 610,
    # `crawl --redis` only: robots.txt fetched by one worker, shared with the others through
    # Redis. Before HttpCompressionMiddleware (590) in the response chain: it shares the
    # decoded body (the Content-Encoding header dropped), so a replayed one is not decoded twice.
    "newsarchive.crawl.sharedrobots.SharedRobotsTxtMiddleware": 580,
}
ITEM_PIPELINES = {
    "newsarchive.crawl.pipelines.ArchivePipeline": 300,
}
EXTENSIONS = {
    "newsarchive.crawl.archiving.ArchiveSession": 100,
    "newsarchive.crawl.progress.Progress": 200,
    # `crawl --redis` only (NotConfigured otherwise): the shared frontier's worker side.
    "newsarchive.crawl.frontier.Frontier": 150,
    "newsarchive.crawl.sharedpace.SharedPoliteness": 300,  # only with REDIS_URL
    "newsarchive.crawl.runlog.SkipUnloggedLevels": 900,
}
SPIDER_MIDDLEWARES = {
    # `crawl --redis` only: one worker of a run queues each start page (newsarchive.crawl.frontier).
    "newsarchive.crawl.frontier.FrontierStart": 950,
}
