"""The run: stages keyed by content hashes and reused when nothing they read changed, worker
processes that run the notebooks, the output folder and its manifest, and the progress display."""
