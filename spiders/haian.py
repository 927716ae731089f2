"""Spider for the haian portal: all behaviour is in PortalSpider and the site's profile."""

from spiders.base import PortalSpider


class HaianSpider(PortalSpider):
    name = "haian"
    site_name = "haian"
