"""``sohoa review``: the web pages of the library — the review queue and search."""
