"""Spider for the lechan portal: all behaviour is in PortalSpider and the site's profile."""

from spiders.base import PortalSpider


class LechanSpider(PortalSpider):
    name = "lechan"
    site_name = "lechan"
