"""Replica variants: portals of other CMS families and pagination schemes (issue 9).

Written from what is known of the real portals (docs/replica.md "Variants"), not from the
crawler: each variant site has a home page with several categories, its own listing
pagination, its own article URL shape and article markup. Small by design (tests crawl
every article). The ground truth is served at /__truth__ like the main replica's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from newsarchive.replica import textgen, vocab

ICT = timezone(timedelta(hours=7))
FILE_HOST = "tailieu.vidu.gov.vn"
SIBLING_HOST = "khac.vidu.gov.vn"  # another site of the same family: never crawled
OFF_SITE = "https://baochinhphu.vn/tin-tuc-noi-bat-102250101.htm"
CATEGORY_NAMES = ("Tin tức - Sự kiện", "Kinh tế - Xã hội", "Thông báo")


@dataclass(frozen=True)
class VariantSite:
    key: str
    host: str
    name: str
    family: str  # liferay | webforms | joomla | wordpress
    pagination: str  # what `probe` must name (scheme as the discovery code spells it)
    article_shape: str  # the article URL shape `probe` must name
    per_page: int
    vocab_site: str  # which district vocabulary the text generator uses
    sitemap: bool = False
    feed: bool = False


SITES: dict[str, VariantSite] = {
    s.key: s
    for s in (
        VariantSite(
            "lienhoa", "lienhoa.vidu.gov.vn", "Cổng thông tin điện tử xã Liên Hòa",
            "liferay", "?_101_INSTANCE_{inst}_cur=N",
            "/{seg}/{seg}/{seg}/-/asset_publisher/{seg}/content/{slug}", 3, "haian",
        ),
        VariantSite(
            "tanphong", "tanphong.vidu.gov.vn", "Cổng thông tin điện tử phường Tân Phong",
            "webforms", "postback N", "/Pages/ChiTiet.aspx?CatID={id}&ItemID={id}", 3, "lechan",
        ),
        VariantSite(
            "thuanan", "thuanan.vidu.gov.vn", "Cổng thông tin điện tử xã Thuận An",
            "joomla", "?start=N", "/index.php?catid={id}&id={id}&option&view", 3, "vinhbao",
            feed=True,
        ),
        VariantSite(
            "binhminh", "binhminh.vidu.gov.vn", "Cổng thông tin điện tử thị trấn Bình Minh",
            "wordpress", "/page/N", "/{id}/{id}/{seg}", 3, "haian", sitemap=True,
        ),
    )
}  # fmt: skip
HOSTS = {s.host: k for k, s in SITES.items()}


@dataclass(frozen=True)
class VImage:
    name: str
    caption: str | None


@dataclass(frozen=True)
class VAttachment:
    name: str
    ext: str
    slug: str


@dataclass
class VArticle:
    site: str
    id: int
    category: int
    published: datetime
    title: str
    lead: str
    paragraphs: list[str]
    images: list[VImage]  # images[i] goes after paragraph image_after[i]
    image_after: list[int]
    attachments: list[VAttachment]
    slug: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def inst_id(site: VariantSite, category: int) -> str:
    """Liferay asset publisher instance id of a category page."""
    return f"{'AbCdEfGh'[category : category + 4]}{category}x{site.key[:2]}"


def build_site(site: VariantSite, articles: int, seed: int) -> list[VArticle]:
    """The site's articles, newest first; text from the replica's Vietnamese generator."""
    rng = random.Random(f"variant:{seed}:{site.key}")
    out: list[VArticle] = []
    titles: set[str] = set()
    start = datetime(2019, 1, 1, tzinfo=ICT)
    for n in range(articles):
        published = start + timedelta(
            days=int(n * 2200 / max(articles, 1)) + rng.randint(0, 1),
            hours=rng.randint(6, 18),
            minutes=rng.choice((0, 5, 15, 30, 45, rng.randint(0, 59))),
        )
        ctx = textgen.Context(rng, site.vocab_site, published.year)
        title = textgen.title(ctx)
        while title in titles:
            title = textgen.title(ctx)
        titles.add(title)
        n_paras = rng.randint(3, 6)
        paragraphs = [textgen.paragraph(ctx, closing=i == n_paras - 1) for i in range(n_paras)]
        n_img = rng.choice((0, 1, 1, 2, 3))
        images = [
            VImage(
                f"{textgen.slug(rng.choice(vocab.IMAGE_NAMES_A))}-{n}-{i + 1}",
                textgen.caption(ctx) if rng.random() > 0.15 else None,
            )
            for i in range(n_img)
        ]
        after = sorted(rng.randint(0, n_paras - 2) for _ in images)
        attachments = []
        for i in range(rng.choice((0, 0, 1, 2))):
            name = textgen.attachment_name(ctx)
            ext = rng.choice(("pdf", "docx", "xlsx", "doc"))
            attachments.append(VAttachment(name, ext, f"{textgen.slug(name)[:50]}-{n}{i}"))
        out.append(
            VArticle(
                site.key, 5000 + 7 * n + rng.randint(0, 6), n % len(CATEGORY_NAMES), published,
                title, textgen.lead(ctx), paragraphs, images, after, attachments,
                slug=textgen.slug(title)[:80],
            )
        )  # fmt: skip
    out.sort(key=lambda a: a.published, reverse=True)
    return out


class VariantCorpus:
    def __init__(self, articles: int = 24, seed: int = 1, scheme: str = "https") -> None:
        self.scheme = scheme
        self.by_site = {k: build_site(s, articles, seed) for k, s in SITES.items()}
        self.by_id = {(a.site, a.id): a for arts in self.by_site.values() for a in arts}

    def category_articles(self, site_key: str, category: int) -> list[VArticle]:
        return [a for a in self.by_site[site_key] if a.category == category]
