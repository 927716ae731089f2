"""Spider for the vinhbao portal: all behaviour is in PortalSpider and the site's profile."""

from spiders.base import PortalSpider


class VinhbaoSpider(PortalSpider):
    name = "vinhbao"
    site_name = "vinhbao"
