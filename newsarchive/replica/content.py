"""Article text and media, generated on demand from the article's key (or from the seed)."""

from __future__ import annotations

import random

from newsarchive.replica import textgen, vocab
from newsarchive.replica.model import Article, Attachment, Content, Image
from newsarchive.replica.seed import SeedArticle


def seed_content(seed: SeedArticle) -> Content:
    blocks: list[tuple[str, object]] = []
    images: list[Image] = []
    for kind, text in seed.blocks:
        if kind == "img":
            blocks.append(("img", len(images)))
            images.append(Image("jpg", text, alt=text, name=f"anh-{len(images) + 1}"))
        else:
            blocks.append((kind, text))
    return Content(seed.title, seed.lead, tuple(blocks), tuple(images), (), lead_repeated=False)


def generate_content(article: Article) -> Content:
    rng = random.Random(f"{article.key}:content")
    ctx = textgen.Context(rng, article.site, article.published.year)
    lead = textgen.lead(ctx)
    n_paras = rng.randint(2, 7)
    paragraphs = [textgen.paragraph(ctx, closing=(i == n_paras - 1)) for i in range(n_paras)]
    n_images = rng.choices(range(5), weights=(15, 35, 25, 15, 10))[0]
    images = []
    for i in range(n_images):
        caption = textgen.caption(ctx) if rng.random() >= 0.1 else None
        ext = "png" if article.generation == "C" and rng.random() < 0.15 else "jpg"
        name = f"{rng.choice(vocab.IMAGE_NAMES_A)} {i + 1}"
        images.append(Image(ext, caption, alt=caption or article.title, name=name))
    n_att = rng.choices(range(4), weights=(50, 30, 15, 5))[0]
    attachments = tuple(
        Attachment(rng.choice(("pdf", "doc", "docx", "xlsx")), textgen.attachment_name(ctx))
        for _ in range(n_att)
    )

    # Interleave: images go after random paragraphs (sometimes first); spacers between some.
    # Positions sorted so image indices follow page order (the truth lists them that way).
    positions = sorted(rng.randint(-1 if i == 0 else 0, n_paras - 1) for i in range(n_images))
    slots: dict[int, list[int]] = {}
    for i, at in enumerate(positions):
        slots.setdefault(at, []).append(i)
    blocks: list[tuple[str, object]] = []

    def put_images(at: int) -> None:
        for idx in slots.get(at, []):
            if blocks and rng.random() < 0.4:
                blocks.append(("spacer", ""))
            blocks.append(("img", idx))

    put_images(-1)
    for i, para in enumerate(paragraphs):
        if blocks and blocks[-1][0] == "img" and rng.random() < 0.3:
            blocks.append(("spacer", ""))
        blocks.append(("p", para))
        put_images(i)
    if rng.random() < 0.3:
        blocks.append(("spacer", ""))
    return Content(
        article.title, lead, tuple(blocks), tuple(images), attachments, article.lead_repeated
    )


def edited_content(article: Article, base: Content, edits: tuple[tuple[int, str], ...]) -> Content:
    """Apply edits [(generation, 'title'|'lead'|'date'|'body')] in order to the version-0
    content (a date edit changes no text: see Corpus.published_now)."""
    title, lead = base.title, base.lead
    blocks = list(base.blocks)
    title_edits = 0
    for generation, kind in edits:
        if kind == "title":
            title_edits += 1
            title = f"{base.title} (cập nhật lần {title_edits})"
        elif kind == "lead":
            rng = random.Random(f"{article.key}:lead:{generation}")
            lead = textgen.lead(textgen.Context(rng, article.site, article.published.year))
        elif kind == "body":
            rng = random.Random(f"{article.key}:edit:{generation}")
            ctx = textgen.Context(rng, article.site, article.published.year)
            positions = [i for i, (k, _) in enumerate(blocks) if k == "p"]
            blocks[rng.choice(positions)] = ("p", textgen.paragraph(ctx))
    return Content(title, lead, tuple(blocks), base.images, base.attachments, base.lead_repeated)


def current_title(article: Article, edits: tuple[tuple[int, str], ...]) -> str:
    n = sum(1 for _, kind in edits if kind == "title")
    return f"{article.title} (cập nhật lần {n})" if n else article.title
