"""`python -m desktop` starts the app."""
import sys

from .app import main

sys.exit(main())
