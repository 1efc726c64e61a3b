"""`amicable bench NAME`: the benchmarks in the repository's bench/ folder."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import click


def bench_dir() -> Path:
    """bench/ beside src/ in a source checkout; benchmarks are not part of an installed wheel."""
    folder = Path(__file__).resolve().parents[3] / "bench"
    if not folder.is_dir():
        raise click.ClickException(
            "benchmarks run from a source checkout of amicable (no bench/ folder here)"
        )
    return folder


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    short_help="Run a benchmark from bench/ (source checkout).",
)
@click.argument("name", required=False)
@click.pass_context
def bench(ctx: click.Context, name: str | None) -> None:
    """Run benchmark NAME from bench/ (e.g. `amicable bench import --rows 100000`); no NAME lists them."""
    folder = bench_dir()
    available = sorted(p.stem.removeprefix("bench_") for p in folder.glob("bench_*.py"))
    if name is None:
        click.echo("Benchmarks: " + ", ".join(available))
        return
    if name not in available:
        raise click.ClickException(f"no benchmark {name!r}; available: {', '.join(available)}")
    sys.argv = [f"amicable bench {name}", *ctx.args]
    sys.path.insert(0, str(folder))  # benchmarks share helpers in bench/ (memory.py)
    runpy.run_path(str(folder / f"bench_{name}.py"), run_name="__main__")
