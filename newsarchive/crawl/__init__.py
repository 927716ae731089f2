"""Crawl machinery: archiving session, middlewares, pipelines, host map, progress, runner, crawl settings."""
