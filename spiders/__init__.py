"""Site spiders: one base spider (listing -> article -> files); each site is a few lines."""
