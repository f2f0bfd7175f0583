"""`python -m kcrm.cli ...` runs the command line."""

from kcrm.cli.main import app

app()
