"""Archive storage: WARC writing/reading, the SQLite index, export.

This package never imports Scrapy, so an archivist's script can use it alone.
"""
