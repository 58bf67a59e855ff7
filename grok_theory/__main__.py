"""``python -m grok_theory`` runs the command-line interface."""
import sys

from grok_theory.cli import main

sys.exit(main())
