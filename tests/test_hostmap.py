import pytest

from newsarchive.crawl.crawlsettings import parse_host_map
from newsarchive.crawl.hostmap import HostMap


def test_glob_maps_subdomains_and_keeps_path_and_query():
    hm = HostMap.from_setting({"*.haiphong.gov.vn": "127.0.0.1:8765"})
    assert (
        hm.rewrite("https://haian.haiphong.gov.vn/a/b-1?page=2#x")
        == "http://127.0.0.1:8765/a/b-1?page=2"
    )


def test_unmapped_host_is_left_alone():
    hm = HostMap.from_setting({"*.haiphong.gov.vn": "127.0.0.1:8765"})
    assert hm.rewrite("https://example.org/") is None


def test_string_form_from_command_line():
    hm = HostMap.from_setting("*.a.vn=127.0.0.1:1, b.vn=127.0.0.1:2")
    assert hm.target("x.a.vn") == "127.0.0.1:1"
    assert hm.target("b.vn") == "127.0.0.1:2"


def test_cli_map_option_rejects_malformed_values():
    with pytest.raises(ValueError, match="PATTERN=HOST:PORT"):
        parse_host_map(["*.haiphong.gov.vn"])
