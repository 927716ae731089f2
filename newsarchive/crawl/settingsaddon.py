"""Settings derived from other settings, for every way a crawl starts (`newsarchive crawl`,
`scrapy crawl`, Scrapyd). A Scrapy add-on, so it runs once every setting source is known;
a setting given explicitly on the command line always wins.

- `-s NEWSARCHIVE_FAST=1`: the replica's fast settings (crawlsettings.FAST); `scrapy crawl`
  and Scrapyd have no `--fast` option.
- `-s NEWSARCHIVE_CONTACT=...`: your contact in the User-Agent, so site operators can reach
  you (settings.py builds the default User-Agent from the default contact only).
"""

from __future__ import annotations

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from newsarchive import __version__
from newsarchive.crawl.crawlsettings import FAST

CMDLINE = SETTINGS_PRIORITIES["cmdline"]


def user_agent(contact: str) -> str:
    return f"newsarchive/{__version__} (+{contact}; web archive of public news)"


class DerivedSettings:
    def update_settings(self, settings: BaseSettings) -> None:
        if settings.getbool("NEWSARCHIVE_FAST"):
            for name, value in FAST.items():
                if (settings.getpriority(name) or 0) < CMDLINE:
                    settings.set(name, value, priority="cmdline")
        contact = settings.get("NEWSARCHIVE_CONTACT")
        if contact and (settings.getpriority("USER_AGENT") or 0) < CMDLINE:
            settings.set("USER_AGENT", user_agent(contact), priority="cmdline")
