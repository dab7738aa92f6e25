"""`python -m bot`: the same as the `ptobot` command."""

import sys

from bot.cli import main

sys.exit(main())
