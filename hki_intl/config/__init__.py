"""The params folder as the pipeline sees it: the strategy model, the report's words and the
settings of one report (``params/*.yaml``)."""
