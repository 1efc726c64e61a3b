"""The `amicable` command: amicable's own subcommands, and every Django management command.

`amicable import accounts FILE.csv` is ours; `amicable migrate` is passed to Django unchanged.
"""

from __future__ import annotations

import os
import sys

import click

from .django_setup import setup_django


class AmicableGroup(click.Group):
    """A click group that hands any command it does not know to Django's management utility."""

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        if name in _django_commands():
            return _django_passthrough(name)
        return None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_commands(ctx, formatter)
        names = sorted(set(_django_commands()) - set(self.commands))
        if names:
            rows = [
                (name, f"Django: {app}") for name, app in sorted(_django_commands().items()) if name in names
            ]
            with formatter.section("Django management commands (passed through)"):
                formatter.write_dl(rows)


def _django_commands() -> dict[str, str]:
    try:
        setup_django()
    except click.ClickException:
        return {}
    from django.core.management import get_commands

    return {name: app.rsplit(".", 1)[-1] for name, app in get_commands().items()}


def _django_passthrough(name: str) -> click.Command:
    @click.command(
        name=name,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
        add_help_option=False,
    )
    @click.pass_context
    def passthrough(ctx: click.Context) -> None:
        from django.core.management import execute_from_command_line

        setup_django()
        args = list(ctx.args)
        if name == "runserver" and not any(not a.startswith("-") for a in args):
            from django.conf import settings

            args.insert(0, f"127.0.0.1:{settings.PORT}")  # PORT applies to Django's server too
        execute_from_command_line(["amicable", name, *args])

    passthrough.help = f"Django's {name} command; `amicable {name} --help` for its options."
    return passthrough


@click.group(cls=AmicableGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="amicable")
def main() -> None:
    """amicable: debt-recovery communication that is lawful, explained and kind.

    Configuration comes from environment variables (DATABASE_URL, SECRET_KEY, PORT, TIME_ZONE,
    DEFAULT_COUNTRY ...); see the README.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amicable.settings")


def _register() -> None:
    from .api import api
    from .bench import bench
    from .compliance import compliance
    from .creditors import creditors
    from .cycle import contacts, dispatch, explain, preview, run
    from .demo import demo
    from .importing import import_group
    from .inbound import inbound
    from .plan import plan
    from .plans import plans
    from .templates import templates

    for command in (
        api,
        bench,
        compliance,
        contacts,
        creditors,
        demo,
        dispatch,
        explain,
        import_group,
        inbound,
        plan,
        plans,
        preview,
        run,
        templates,
    ):
        main.add_command(command)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
