"""Eager article metadata for every site: ids, dates, titles, categories, flags.

Cheap enough for 20,000 articles per site in a few seconds: one sequential random stream per
site, no text beyond the title. Bodies are generated later, per article, on demand.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from newsarchive.replica import textgen, vocab
from newsarchive.replica.model import Article
from newsarchive.replica.seed import ICT, SeedArticle
from newsarchive.replica.sites import SITES

FIRST_DAY = date(2015, 1, 1)
LAST_DAY = date(2025, 6, 30)
# Days whose day-of-month is <= 12, so day/month order is ambiguous to a naive parser.
AMBIGUOUS_DAYS: tuple[date, ...] = tuple(
    FIRST_DAY + timedelta(days=i)
    for i in range((LAST_DAY - FIRST_DAY).days + 1)
    if (FIRST_DAY + timedelta(days=i)).day <= 12
)
ID_RANGES = {"C": (640000, None), "B": (20000, 120000), "A": (100000, 140000)}
A_DATE_FORMS = ("weekday", "ngay", "thang", "capnhat")


def _random_datetime(rng: random.Random) -> datetime:
    day = rng.choice(AMBIGUOUS_DAYS)
    hour, minute = (0, 0) if rng.random() < 0.08 else (rng.randint(6, 21), rng.randint(0, 59))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ICT)


def _unique_title(ctx: textgen.Context, seen: set[str]) -> str:
    for _ in range(30):
        title = textgen.title(ctx)
        if title not in seen:
            seen.add(title)
            return title
    n = 2
    while f"{title} (đợt {n})" in seen:
        n += 1
    title = f"{title} (đợt {n})"
    seen.add(title)
    return title


def build_site_articles(
    site_key: str, count: int, seed: int, seen_titles: set[str], seed_article: SeedArticle | None
) -> list[Article]:
    site = SITES[site_key]
    gen = site.generation
    rng = random.Random(f"{seed}:{site_key}:meta")
    n_random = count - (1 if seed_article else 0)

    # Dates and date-line forms first: generation A forms without a time mean 00:00.
    drafts: list[tuple[datetime, str, bool]] = []
    for _ in range(n_random):
        when = _random_datetime(rng)
        form = "weekday"
        shows_date = True
        if gen == "A":
            form = rng.choices(A_DATE_FORMS, weights=(40, 25, 15, 20))[0]
            if form in ("ngay", "thang"):
                when = when.replace(hour=0, minute=0)
            shows_date = rng.random() >= 0.01
        drafts.append((when, form, shows_date))
    if seed_article is not None:
        drafts.append((seed_article.published, "seed", True))
    drafts.sort(key=lambda d: (d[0], d[1] == "seed"))

    lo, hi = ID_RANGES[gen]
    hi = hi if hi is not None else lo + max(10 * count, 100000)
    ids = sorted(rng.sample(range(lo, hi), count))
    legacy_pool = iter(rng.sample(range(20000, 120000), count)) if gen == "C" else None

    articles: list[Article] = []
    for seq, ((when, form, shows_date), article_id) in enumerate(zip(drafts, ids, strict=True)):
        is_seed = form == "seed"
        if is_seed:
            assert seed_article is not None
            title, category, tags = seed_article.title, 0, ()
        else:
            title = _unique_title(textgen.Context(rng, site_key, when.year), seen_titles)
            category = rng.choices(range(4), weights=(40, 25, 20, 15))[0]
            tags = tuple(
                rng.sample(vocab.TAGS, rng.choices(range(5), weights=(35, 25, 20, 12, 8))[0])
            )
        legacy_id = None
        if legacy_pool is not None and rng.random() < 0.2:
            legacy_id = next(legacy_pool)
        articles.append(
            Article(
                site=site_key,
                seq=seq,
                id=article_id,
                generation=gen,
                category=category,
                published=when,
                shows_date=shows_date,
                date_form="weekday" if is_seed else form,
                title=title,
                tags=tags,
                nfd=(not is_seed) and rng.random() < 0.05,
                lead_repeated=(not is_seed) and rng.random() < 0.3,
                meta_published=rng.random() < 0.5,
                views=rng.randint(40, 9000),
                legacy_id=legacy_id,
                is_seed=is_seed,
                key=f"{seed}:{site_key}:{article_id}",
            )
        )
    return articles
