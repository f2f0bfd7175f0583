"""The `kcrm` command line: JSON on stdout with --json, progress and logs on stderr.

Each command group lives in its own module and is registered here; command modules
import only `kcrm.cli.common` and the domain, never this module.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated

import typer

from kcrm.cli import admin, assist, crm, doctor, helpdesk, knowledge, marketing, recommend, serve

app = typer.Typer(
    name="kcrm",
    help="kcrm: a knowledge-based CRM (agent assist, self-service search, next-best offers).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log debug output")] = False,
) -> None:
    """Configure logging; settings come from KCRM_* variables (see README)."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


evaluate_app = typer.Typer(help="Measure quality offline.", no_args_is_help=True)
train_app = typer.Typer(help="Train or refresh models.", no_args_is_help=True)
report_app = typer.Typer(help="Reports: knowledge gaps, outcomes, service.", no_args_is_help=True)

admin.register(app)
knowledge.register(app, report_app)
crm.register(app)
helpdesk.register(app, report_app)
serve.register(app)
doctor.register(app)
recommend.register(app, evaluate_app, train_app)
marketing.register(app, evaluate_app)
assist.register(app, evaluate_app, train_app)
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(train_app, name="train")
app.add_typer(report_app, name="report")


def _plain_help(group: typer.Typer) -> None:
    """Plain help for every group: Typer's rich help marks each flag `<bool>` as if it took one."""
    group.rich_markup_mode = None
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _plain_help(sub.typer_instance)


_plain_help(app)

if __name__ == "__main__":  # pragma: no cover
    app()
