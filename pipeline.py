#!/usr/bin/env python3
"""Helsinki's annual international-activity report: ``python pipeline.py --help``."""

import sys

from hki_intl.cli import main

if __name__ == "__main__":
    sys.exit(main())
