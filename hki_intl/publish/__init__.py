"""From executed notebooks to what leadership reads: one self-contained HTML page per language,
and its PDF edition."""
