"""`python -m lookalike.desktop` starts the app."""
import sys

from .app import main

sys.exit(main())
