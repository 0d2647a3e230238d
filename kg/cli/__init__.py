"""The ``kg`` command line: a thin layer over the library.

Exit codes: 0 success; 1 some input was rejected or a check failed; 2 usage error.
Errors are one line on stderr, never a traceback (``--debug`` shows it): a :class:`KgError`
raised anywhere under a command reaches click, in the group's :meth:`KgGroup.invoke`, as a
click exception that prints its one line and exits with its status.
"""

from __future__ import annotations

import sys
from typing import IO, Any

import click

from kg import __version__
from kg.cli import build, export, network, query, serve
from kg.errors import KgError

__all__ = ["KgGroup", "cli", "main"]


class _Failed(click.ClickException):
    """A :class:`KgError` on its way out through click: its one line, its exit status."""

    def __init__(self, error: KgError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code  # type: ignore[misc]  # click reads it per instance

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"kg: error: {self.message}", file=file, err=True)


class KgGroup(click.Group):
    """The ``kg`` group: what its commands (their options' callbacks included) raise as a
    :class:`KgError` becomes a click exception, in this one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KgError as exc:
            raise _Failed(exc) from exc


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="kg")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """migkg: a knowledge graph of actors, places and events built from migration news.

    \b
    Start with:
      kg build data/news/          # read news, extract, load into .kg/store
      kg update --every 15m        # follow the feeds and pages of sources.toml
      kg stats                     # what the store holds
      kg sparql 'SELECT ...'       # ask anything in SPARQL
      kg export --out out/kg.trig  # publish
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


for command in (
    build.build,
    build.update,
    build.load,
    query.sparql,
    query.query_command,
    query.queries_command,
    query.vocab,
    export.export,
    export.stats,
    export.eval_command,
    export.validate,
    network.network,
    serve.serve,
):
    cli.add_command(command)


def main() -> None:
    debug = "--debug" in sys.argv
    try:
        cli(standalone_mode=True)
    except Exception as exc:
        if debug:
            raise
        click.echo(f"kg: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        sys.exit(1)
