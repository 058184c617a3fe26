"""The ``lianfang`` command: a click group whose subcommands live one module each.

Subcommands are imported lazily, so ``lianfang hj212 decode`` does not pay for FastAPI or DuckDB.
To add one, map its name to ``module:attribute`` in :data:`COMMANDS`.
"""

from __future__ import annotations

import importlib

import click

__all__ = ["COMMANDS", "main"]

#: command name -> "module:click object" (module relative to lianfang.cli)
COMMANDS: dict[str, str] = {
    "hj212": "hj212_cmd:hj212",
    "station": "station_cmd:station",
    "observations": "observations_cmd:observations",
    "simulate": "simulate_cmd:simulate",
    "run": "run_cmd:run",
    "aqi": "calc_cmd:aqi",
    "water-class": "calc_cmd:water_class",
    "river-grade": "calc_cmd:river_grade",
    "assess": "assess_cmd:assess",
    "import": "import_cmd:import_",
    "report": "report_cmd:report",
    "token": "token_cmd:token",
    "agreement": "agreement_cmd:agreement",
    "audit": "audit_cmd:audit",
    "serve": "serve_cmd:serve",
    "store": "store_cmd:store",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(f"lianfang.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"lianfang.cli.{module_name}":
                return None  # declared but not built yet
            raise
        command = getattr(module, attr, None)
        if command is None:
            return None  # module exists, this command not built yet (several share calc_cmd)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_LazyGroup)
@click.version_option(package_name="lianfang")
def main() -> None:
    """lianfang — joint environmental monitoring across jurisdictions (联防)."""
