"""Ad hoc crawl of a site with no configuration: `newsarchive crawl --url LISTING_URL`."""

from spiders.base import PortalSpider


class AdhocSpider(PortalSpider):
    name = "adhoc"
