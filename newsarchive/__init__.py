"""newsarchive: scraper and web archiver for Vietnamese district news portals."""

__version__ = "0.1.0"
