"""The submission page (issue 16): contributors upload their workbooks and see every problem at
once; the analyst follows every organisation, accepts a submitted version into the inputs and
builds a draft. Storage and links (:mod:`.store`, :mod:`.links`), checking and drafts, the web app."""
