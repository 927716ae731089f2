"""Discovery without configuration: pagination, article URL shapes, categories, feeds.

Pure functions of (bytes, url); the spider only routes what they find.
"""
