"""The three sites of the replica family and their categories (static data)."""

from __future__ import annotations

from dataclasses import dataclass

from newsarchive.replica.textgen import slug, slug_b

CDN_HOST = "cdn.haiphong.gov.vn"
CATEGORY_NAMES = ("Tin tức - Sự kiện", "Kinh tế - Xã hội", "Văn hóa - Thể thao", "Thông báo")


@dataclass(frozen=True)
class Category:
    index: int
    name: str
    slug: str  # generation C: tin-tuc-su-kien
    slug_b: str  # generation B: Tin-tuc-Su-kien
    c_id: int  # generation C category id: /tin-tuc-su-kien-12001
    a_id: int  # generation A CategoryID


@dataclass(frozen=True)
class Site:
    key: str
    host: str
    generation: str
    name: str  # portal name as shown in headers and <title>
    district_upper: str  # generation A print header
    cdn_id: int
    folder_code: str  # /gov-hpg/SiteFolders/<code>/...
    categories: tuple[Category, ...]


def _categories(base_c: int, base_a: int) -> tuple[Category, ...]:
    return tuple(
        Category(i, name, slug(name), slug_b(name), base_c + i, base_a + i)
        for i, name in enumerate(CATEGORY_NAMES)
    )


SITES: dict[str, Site] = {
    "haian": Site(
        "haian",
        "haian.haiphong.gov.vn",
        "C",
        "Cổng thông tin điện tử quận Hải An",
        "UBND QUẬN HẢI AN",
        6847,
        "haian",
        _categories(12001, 31),
    ),
    "lechan": Site(
        "lechan",
        "lechan.haiphong.gov.vn",
        "B",
        "Cổng thông tin điện tử quận Lê Chân",
        "UBND QUẬN LÊ CHÂN",
        6874,
        "lechan",
        _categories(13001, 41),
    ),
    "vinhbao": Site(
        "vinhbao",
        "vinhbao.haiphong.gov.vn",
        "A",
        "Cổng thông tin điện tử huyện Vĩnh Bảo",
        "UBND HUYỆN VĨNH BẢO",
        6293,
        "vinhbao",
        _categories(14001, 51),
    ),
}
HOSTS: dict[str, str] = {site.host: key for key, site in SITES.items()}
BY_CDN_ID: dict[int, str] = {site.cdn_id: key for key, site in SITES.items()}


# -- generated commune sub-sites (`newsarchive replica --sites N`) --------------------------
# Commune-style names from two syllables; every generated site runs the current generation
# (C) and keeps its files on the shared CDN host, as the province's commune portals do.
_FIRST = (
    "An", "Bắc", "Bình", "Cao", "Đại", "Đông", "Hòa", "Hồng", "Hưng", "Kiến",
    "Lạc", "Minh", "Nam", "Phú", "Quang", "Tân", "Thạch", "Thuận", "Trung", "Vĩnh",
)  # fmt: skip
_SECOND = (
    "Hòa", "Lợi", "Sơn", "Thắng", "Tiến", "Thành", "Phong", "Hải", "Lâm", "Xuân",
    "Đồng", "Quý", "Bảo", "Châu", "Hà",
)  # fmt: skip
MAX_GENERATED = len(_FIRST) * len(_SECOND) * 4  # names repeat with a number past 300


def generated_key(i: int) -> str:
    base = len(_FIRST) * len(_SECOND)
    first, second = _FIRST[i % len(_FIRST)], _SECOND[(i // len(_FIRST)) % len(_SECOND)]
    key = slug(f"{first} {second}").replace("-", "")
    return key if i < base else f"{key}{i // base + 1}"


def generated_site(i: int) -> Site:
    key = generated_key(i)
    base = len(_FIRST) * len(_SECOND)
    words = f"{_FIRST[i % len(_FIRST)]} {_SECOND[(i // len(_FIRST)) % len(_SECOND)]}"
    if i >= base:
        words = f"{words} {i // base + 1}"
    return Site(
        key,
        f"{key}.haiphong.gov.vn",
        "C",
        f"Cổng thông tin điện tử xã {words}",
        f"UBND XÃ {words.upper()}",
        20000 + i,
        key,
        _categories(100000 + 10 * i, 1000 + 10 * i),
    )


def register_generated(count: int) -> list[str]:
    """The keys of the first `count` generated sites, added to the lookup tables (the same
    key always names the same site, so several replicas in one process agree)."""
    from newsarchive.replica import render_common, vocab

    if count > MAX_GENERATED:
        raise ValueError(f"at most {MAX_GENERATED} generated sites")
    keys = []
    for i in range(count):
        key = generated_key(i)
        if key not in SITES:
            site = generated_site(i)
            SITES[key] = site
            HOSTS[site.host] = key
            BY_CDN_ID[site.cdn_id] = key
            words = site.name.removeprefix("Cổng thông tin điện tử ")
            vocab.DISTRICT.setdefault(key, words)
            vocab.PLACES.setdefault(key, tuple(f"thôn {n} {words[3:]}" for n in range(1, 9)))
            render_common.PHONES.setdefault(key, f"0225.{3000 + i % 7000:04d}.{i % 1000:03d}")
        keys.append(key)
    return keys
