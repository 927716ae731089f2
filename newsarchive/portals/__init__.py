"""Portals as data: the configured sites and the extraction profiles."""
