"""The report's content, as the notebooks build it: figures from the consolidated tables
(analysis), the goals' chapters and the shared ones, blocks, charts, number formats and the
scraps the notebooks hand on."""
