"""An unconfigured portal's files on a sibling host (cdn.<registered domain>) are in scope for
the request filter too, not only for the spider's own file check: both must agree."""

from __future__ import annotations

from newsarchive.crawl.scope import scope_of
from spiders.adhoc import AdhocSpider


def test_sibling_cdn_files_pass_the_request_scope() -> None:
    spider = AdhocSpider(url="https://lechan.haiphong.gov.vn/")
    scope = scope_of(spider.file_hosts, spider.site.start_urls)
    url = "https://cdn.haiphong.gov.vn/gov-hpg/SiteFolders/lechan/quyet-dinh.pdf"
    assert spider._file_allowed(url)
    assert scope.allows("cdn.haiphong.gov.vn", 443)


def test_other_domains_stay_out_of_scope() -> None:
    spider = AdhocSpider(url="https://lechan.haiphong.gov.vn/")
    scope = scope_of(spider.file_hosts, spider.site.start_urls)
    assert not spider._file_allowed("https://cdn.example.vn/a.pdf")
    assert not scope.allows("cdn.example.vn", 443)
    assert not scope.allows("haiphong.gov.vn.evil.vn", 443)
