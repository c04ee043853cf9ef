"""`python -m lookalike.engine.cli`: the same as the `lookalike` command."""
import sys

from .app import main

if __name__ == "__main__":  # importing this module (the house checks do) runs nothing
    sys.exit(main())
