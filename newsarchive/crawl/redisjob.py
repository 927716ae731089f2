"""The shared crawl in Redis: key layout, generations, workers, in-flight requests.

No Scrapy here: the scheduler and extension in newsarchive.crawl.frontier use it, and so can
tools that only look. Every key of one crawl starts with `newsarchive:<job>:` (the job is
named after what is crawled, so the same command on another machine joins the same crawl
and a different crawl never mixes with it):

    newsarchive:<job>:gen                   counter: the current generation (one per run)
    newsarchive:<job>:alive:<worker>        heartbeat, expires after the worker TTL
    newsarchive:<job>:g<N>:workers          set: workers that joined generation N
    newsarchive:<job>:g<N>:requests         sorted set: the frontier (scrapy-redis queue)
    newsarchive:<job>:g<N>:requests:<folder> sorted set: images and attachments, for the
                                            workers of the data folder whose index holds
                                            their article (<folder>: host + path digest)
    newsarchive:<job>:g<N>:folders          set: the <folder>s of this generation
    newsarchive:<job>:g<N>:beat             set by every heartbeat, expires after the
                                            resume window (-s NEWSARCHIVE_REDIS_RESUME_HOURS)
    newsarchive:<job>:g<N>:dupefilter       set: request fingerprints (scrapy-redis)
    newsarchive:<job>:g<N>:starts           set: start requests already seeded this run
    newsarchive:<job>:g<N>:robots           hash: robots.txt URL -> the response (status,
                                            headers, body) one worker fetched, for the
                                            others (crawl/sharedrobots.py); expires a day
                                            after its last write
    newsarchive:<job>:g<N>:robots:claim:<url> the worker fetching that robots.txt now
                                            (expires after 30 s)
    newsarchive:<job>:g<N>:inflight:<worker> hash: token -> "score|queue|request" popped by the
                                            worker and not yet fully handled ("__start__"
                                            while its start requests are being read)

A worker joins the current generation when a worker of it is alive, or when it stopped with
work left less than the resume window ago (every worker killed, restarted soon: the run goes
on where it was, nothing fetched twice). Otherwise a new generation starts with an empty
frontier and duplicate filter: the last worker out of a finished run deletes them, and a run
abandoned longer ago is dropped, so an old filter never blocks the next night's run. What a
run archived is in each data folder's index: a new run is incremental as any re-run is.
The scripts use dynamic key names: a standalone Redis (or one shard), not Redis Cluster.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import Any

START_MARK = "__start__"

# Join the live (or recently stopped) generation, or start a new one, dropping the keys of a
# done or long abandoned one. ARGV: prefix, worker, TTL ms, folder, resume window ms.
_JOIN = """
local p, me, ttl, folder, resume = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local gen = redis.call('GET', p .. ':gen')
if gen then
  local base = p .. ':g' .. gen
  local live = false
  for _, w in ipairs(redis.call('SMEMBERS', base .. ':workers')) do
    if redis.call('EXISTS', p .. ':alive:' .. w) == 1 then live = true break end
  end
  if not live and redis.call('EXISTS', base .. ':beat') == 0 then
    for _, w in ipairs(redis.call('SMEMBERS', base .. ':workers')) do
      redis.call('DEL', base .. ':inflight:' .. w)
    end
    for _, f in ipairs(redis.call('SMEMBERS', base .. ':folders')) do
      redis.call('DEL', base .. ':requests:' .. f)
    end
    redis.call('DEL', base .. ':workers', base .. ':requests', base .. ':dupefilter',
               base .. ':starts', base .. ':folders', base .. ':beat', base .. ':robots')
    gen = nil
  end
end
local fresh = 0
if not gen then
  gen = redis.call('INCR', p .. ':gen')
  fresh = 1
end
local base = p .. ':g' .. gen
redis.call('SADD', base .. ':workers', me)
redis.call('SADD', base .. ':folders', folder)
redis.call('SET', p .. ':alive:' .. me, '1', 'PX', ttl)
redis.call('SET', base .. ':beat', '1', 'PX', resume)
redis.call('HSET', base .. ':inflight:' .. me, '__start__', '')
return {tonumber(gen), fresh}
"""

# Pop up to `count` of the best requests (this folder's own queue first) and record each as in
# flight for this worker, under tokens first, first + 1, ..., with the queue it came from,
# atomically. ARGV: folder queue, shared queue, in-flight hash, first token, count.
_POP = """
local out = {}
local n = tonumber(ARGV[5])
local token = tonumber(ARGV[4])
for q = 1, 2 do
  local key = ARGV[q]
  if #out < n then
    local r = redis.call('ZPOPMIN', key, n - #out)
    for i = 1, #r, 2 do
      redis.call('HSET', ARGV[3], tostring(token), r[i + 1] .. '|' .. key .. '|' .. r[i])
      token = token + 1
      out[#out + 1] = r[i]
    end
  end
end
return out
"""

# Queue a request unless its fingerprint is already in the set: the duplicate filter for a
# new link, the seeded start requests for a start request. One round trip, one step: a
# worker killed in between cannot leave it marked as queued when it is not.
# ARGV: set, fingerprint, queue, score, request.
_ADD_NEW = """
if redis.call('SADD', ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', ARGV[3], ARGV[4], ARGV[5])
return 1
"""

# _ADD_NEW for many requests at once: ARGV holds (set, fingerprint, queue, score, request)
# five by five; the answer is one 1 (queued) or 0 (already seen) for each.
_ADD_MANY = """
local out = {}
for i = 1, #ARGV, 5 do
  if redis.call('SADD', ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('ZADD', ARGV[i + 2], ARGV[i + 3], ARGV[i + 4])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
"""

# Requeue what workers whose heartbeat expired had in flight; then count the work left.
# ARGV: prefix, gen, me, requeue_me ('1': this worker leaves without finishing its requests),
# this folder's queue. The work left is the shared queue, this folder's queue and what live
# workers hold (another folder's own queue is its workers' business).
_SWEEP = """
local p, gen, me, requeue_me, mine = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local base = p .. ':g' .. gen
local queue = base .. ':requests'
local moved, busy, live = 0, 0, 0
for _, w in ipairs(redis.call('SMEMBERS', base .. ':workers')) do
  local key = base .. ':inflight:' .. w
  local dead = redis.call('EXISTS', p .. ':alive:' .. w) == 0
  if (w == me and requeue_me == '1') or (w ~= me and dead) then
    local h = redis.call('HGETALL', key)
    for i = 1, #h, 2 do
      if h[i] ~= '__start__' then
        local v = h[i + 1]
        local a = string.find(v, '|', 1, true)
        local b = string.find(v, '|', a + 1, true)
        redis.call('ZADD', string.sub(v, a + 1, b - 1), tonumber(string.sub(v, 1, a - 1)),
                   string.sub(v, b + 1))
        moved = moved + 1
      end
    end
    redis.call('DEL', key)
    if w ~= me then redis.call('SREM', base .. ':workers', w) end
  elseif w ~= me then
    busy = busy + redis.call('HLEN', key)
    live = live + 1
  end
end
return {moved, redis.call('ZCARD', queue) + redis.call('ZCARD', mine), busy, live}
"""

# Leave the generation; the last worker out of a finished run (no queue holds anything:
# another folder's workers may have died with theirs) drops its frontier.
_LEAVE = """
local p, gen, me = ARGV[1], ARGV[2], ARGV[3]
local base = p .. ':g' .. gen
redis.call('DEL', base .. ':inflight:' .. me, p .. ':alive:' .. me)
redis.call('SREM', base .. ':workers', me)
if redis.call('SCARD', base .. ':workers') > 0 then return 0 end
local queues = {base .. ':requests'}
for _, f in ipairs(redis.call('SMEMBERS', base .. ':folders')) do
  table.insert(queues, base .. ':requests:' .. f)
end
for _, q in ipairs(queues) do
  if redis.call('ZCARD', q) > 0 then return 0 end
end
redis.call('DEL', base .. ':dupefilter', base .. ':starts', base .. ':workers',
           base .. ':folders', base .. ':beat', base .. ':robots', unpack(queues))
return 1
"""


class RedisUnavailable(Exception):
    """The --redis URL is malformed or the server does not answer (message: one line)."""


def connect(url: str, timeout: float = 5.0) -> Any:
    """A client for `url` that answered PING; RedisUnavailable otherwise."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    except ValueError as exc:
        raise RedisUnavailable(f"--redis {url!r}: {exc}") from None
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        client.close()
        raise RedisUnavailable(f"--redis {url}: cannot reach Redis ({exc})") from None
    return client


def job_name(site_names: list[str], url: str | None, profile: str | None) -> str:
    """The crawl's name in Redis, from what it crawls: equal commands share one frontier."""
    what = f"url={url} profile={profile or ''}" if url else "sites=" + ",".join(sorted(site_names))
    digest = hashlib.sha1(what.encode("utf-8")).hexdigest()[:12]
    if url:
        return f"url-{digest}"
    label = site_names[0] if len(site_names) == 1 else f"{len(site_names)}sites"
    return f"{safe_part(label)}-{digest}"


def safe_part(text: str) -> str:
    """Letters, digits, dot, dash and underscore only: keys stay readable, never a `%`."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:80] or "_"


def new_worker_id() -> str:
    host = safe_part(socket.gethostname() or "localhost")
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Generation:
    """One worker's place in one run of a shared crawl."""

    prefix: str  # newsarchive:<job>
    gen: int
    worker: str
    fresh: bool  # this worker started the generation
    folder: str  # the data folder's name in Redis (folder_id)

    @property
    def base(self) -> str:
        return f"{self.prefix}:g{self.gen}"

    @property
    def queue_key(self) -> str:
        return f"{self.base}:requests"

    @property
    def folder_queue_key(self) -> str:
        return f"{self.base}:requests:{self.folder}"

    @property
    def dupefilter_key(self) -> str:
        return f"{self.base}:dupefilter"

    @property
    def starts_key(self) -> str:
        return f"{self.base}:starts"

    @property
    def inflight_key(self) -> str:
        return f"{self.base}:inflight:{self.worker}"

    @property
    def alive_key(self) -> str:
        return f"{self.prefix}:alive:{self.worker}"

    @property
    def workers_key(self) -> str:
        return f"{self.base}:workers"


def folder_id(data_dir: str | os.PathLike[str]) -> str:
    """The data folder's name in Redis: its host and a digest of its path."""
    path = os.path.realpath(data_dir)
    digest = hashlib.sha1(path.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return f"{safe_part(socket.gethostname() or 'localhost')}-{digest}"


def join(
    client: Any, job: str, worker: str, ttl: float, folder: str, resume: float = 6 * 3600
) -> Generation:
    """Register `worker` (writing into data folder `folder`) in the live generation of `job`
    (or one stopped less than `resume` seconds ago), or start a new one."""
    prefix = f"newsarchive:{safe_part(job)}"
    gen, fresh = client.register_script(_JOIN)(
        args=[prefix, worker, int(ttl * 1000), folder, int(resume * 1000)]
    )
    return Generation(prefix, int(gen), worker, bool(fresh), folder)


@dataclass
class Sweep:
    requeued: int  # requests of dead workers put back in the queue
    queued: int  # requests waiting in the frontier
    busy: int  # requests other live workers hold (start markers included)
    others: int  # other live workers

    @property
    def work_left(self) -> bool:
        return bool(self.queued or self.busy)


class Scripts:
    """The Lua scripts, registered once per client."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.pop = client.register_script(_POP)
        self._add_new = client.register_script(_ADD_NEW)
        self._add_many = client.register_script(_ADD_MANY)
        self._sweep = client.register_script(_SWEEP)
        self._leave = client.register_script(_LEAVE)

    def sweep(self, g: Generation, *, requeue_mine: bool = False) -> Sweep:
        moved, queued, busy, others = self._sweep(
            args=[g.prefix, g.gen, g.worker, "1" if requeue_mine else "0", g.folder_queue_key]
        )
        return Sweep(int(moved), int(queued), int(busy), int(others))

    def seed(self, g: Generation, fingerprint: str, score: float, data: bytes) -> bool:
        """Queue a start request once per run; False when another worker queued it."""
        return self.add_new(g.starts_key, fingerprint, g.queue_key, score, data)

    def add_new(self, seen: str, fingerprint: str, queue: str, score: float, data: bytes) -> bool:
        """Queue `data` in `queue` unless `fingerprint` is in the set `seen` (it is then)."""
        return bool(self._add_new(args=[seen, fingerprint, queue, score, data]))

    def add_many(self, adds: list[tuple[str, str, str, float, bytes]]) -> list[bool]:
        """add_new for each (seen, fingerprint, queue, score, data), in one round trip."""
        if not adds:
            return []
        return [bool(r) for r in self._add_many(args=[v for add in adds for v in add])]

    def leave(self, g: Generation) -> bool:
        """Unregister; True when this was the last worker of a finished generation."""
        return bool(self._leave(args=[g.prefix, g.gen, g.worker]))

    def heartbeat(self, g: Generation, ttl: float, resume: float) -> None:
        pipe = self.client.pipeline(transaction=False)
        pipe.set(g.alive_key, b"1", px=int(ttl * 1000))
        pipe.set(f"{g.base}:beat", b"1", px=int(resume * 1000))
        pipe.sadd(g.workers_key, g.worker)  # back in, were it swept while stalled
        pipe.execute()


_early: list[EarlyHeartbeat] = []


class EarlyHeartbeat:
    """Heartbeats from a thread between joining and the crawl's own heartbeat (opening the
    index and repairing WARCs can take longer than the TTL): stopped by the Frontier
    extension once the reactor beats, so a stuck reactor still looks dead."""

    def __init__(self, client: Any, g: Generation, ttl: float, resume: float) -> None:
        self.scripts = Scripts(client)
        self.g, self.ttl, self.resume = g, ttl, resume
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="redis-heartbeat", daemon=True)
        self.thread.start()
        _early.append(self)

    def _run(self) -> None:
        while not self.stopped.wait(min(1.0, self.ttl / 4)):
            # The crawl's own heartbeat reports Redis trouble.
            with contextlib.suppress(Exception):
                self.scripts.heartbeat(self.g, self.ttl, self.resume)

    def stop(self) -> None:
        self.stopped.set()
        if self in _early:
            _early.remove(self)


def stop_early_heartbeats() -> None:
    for beat in list(_early):
        beat.stop()
