"""Developer tools, not part of the pipeline: the benchmark and the byte-for-byte report comparison."""
