"""Text in plain Python: scripts and languages, word forms (morphology), the analysis chain from
words to index terms, transliteration, passage alignment, keyboard layouts, near forms."""
