"""``python -m grok_theory`` runs the command-line interface."""
import sys

from grok_theory.cli import main

if __name__ == "__main__":  # importing this module (e.g. by a documentation tool) runs nothing
    sys.exit(main())
