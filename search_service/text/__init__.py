"""Text analysis in plain Python: scripts, words to index terms, transliteration, alignment, near forms."""
