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
