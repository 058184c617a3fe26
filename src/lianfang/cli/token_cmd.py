"""``lianfang token create|list|revoke``: API tokens of agencies (shown once, stored hashed)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from lianfang.cli.common import data_option, open_data_store
from lianfang.model import BEIJING
from lianfang.share.caller import Role
from lianfang.share.terms import parse_instant
from lianfang.share.tokens import issue_token, parse_role, token_status

__all__ = ["token"]

# DuckDB lets one process hold the store: while a server runs, its admins manage tokens over HTTP
_SERVER_HINT = " (while the server runs, an admin manages tokens through /api/v1/tokens)"


def _when(instant: datetime | None) -> str:
    return instant.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if instant else "-"


@click.group()
def token() -> None:
    """API tokens: one per person or system, bound to an agency and a role."""


@token.command("create")
@data_option
@click.option("--agency", required=True, help="Agency = jurisdiction code, e.g. SC.")
@click.option("--role", "role_name", required=True, help=f"One of {', '.join(r.value for r in Role)}.")
@click.option("--name", default="", help="Who holds the token (person or system).")
@click.option(
    "--expires", default=None, help="Expiry date or date-time (Beijing time); a date includes that day."
)
def create(data: Path, agency: str, role_name: str, name: str, expires: str | None) -> None:
    """Create a token; the token itself is printed once, as the last line."""
    with open_data_store(data, locked_hint=_SERVER_HINT) as store:
        now = datetime.now(UTC)
        record, secret = issue_token(
            store,
            agency=agency.strip().upper(),
            role=parse_role(role_name),
            known_agencies=[j.code for j in store.jurisdictions()],
            now=now,
            name=name,
            expires_at=parse_instant(expires, end_of_day=True) if expires else None,
        )
    click.echo(
        f"token {record.id} for {record.agency} ({record.role}) '{record.name}', "
        f"expires {_when(record.expires_at) if record.expires_at else 'never'}; "
        "keep it now, it is not shown again:",
        err=False,
    )
    click.echo(secret)


@token.command("list")
@data_option
@click.option("--agency", default=None, help="Only this agency's tokens.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def list_(data: Path, agency: str | None, fmt: str) -> None:
    """List tokens (never their secrets)."""
    with open_data_store(data, locked_hint=_SERVER_HINT) as store:
        found = store.tokens(agency=agency.upper() if agency else None)
    now = datetime.now(UTC)
    if fmt == "json":
        rows = [
            {
                "id": t.id,
                "agency": t.agency,
                "role": t.role,
                "name": t.name,
                "created_at": t.created_at.isoformat() if t.created_at else None,
                "expires_at": t.expires_at.isoformat() if t.expires_at else None,
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
                "status": token_status(t, now),
            }
            for t in found
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("id", "agency", "role", "name", "created", "expires", "status")
    for t in found:
        table.add_row(
            t.id, t.agency, t.role, t.name, _when(t.created_at), _when(t.expires_at), token_status(t, now)
        )
    Console(width=None if sys.stdout.isatty() else 200).print(table)  # pipes: no truncation


@token.command("revoke")
@data_option
@click.argument("token_id")
def revoke(data: Path, token_id: str) -> None:
    """Revoke a token by its id (takes effect on the next request)."""
    with open_data_store(data, locked_hint=_SERVER_HINT) as store:
        record = store.revoke_token(token_id, datetime.now(UTC))
    click.echo(f"token {record.id} ({record.agency}, {record.name}) revoked at {_when(record.revoked_at)}")
