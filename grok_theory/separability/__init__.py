"""Beck, Levi & Bar-Sinai (arXiv 2410.04489): grokking at the edge of linear separability."""
