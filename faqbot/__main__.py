"""`python -m faqbot ...` is the `faqbot` command."""

import sys

from faqbot.cli import main

sys.exit(main())
