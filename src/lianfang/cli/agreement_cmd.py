"""``lianfang agreement add|list|revoke``: what one agency shares with another, and until when."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from lianfang.cli.common import data_option, fail, open_data_store
from lianfang.model import BEIJING, StationKind
from lianfang.share.agreements import (
    agreement_record,
    create_agreement,
    is_in_force,
    review_agreement,
    revoke_agreement,
)
from lianfang.share.terms import format_duration, parse_duration, parse_instant, parse_resolution
from lianfang.store.base import Agreement

__all__ = ["agreement"]

_SERVER_HINT = " (while the server runs, an admin manages agreements through /api/v1/agreements)"


def _csv(text: str | None) -> list[str] | None:
    if text is None:
        return None
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        fail(f"empty list {text!r}")
    return items


def _when(instant: datetime | None) -> str:
    return instant.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if instant else "-"


def _selector(a: Agreement) -> str:
    if a.stations is not None:
        return "stations " + ",".join(a.stations)
    if a.river is not None:
        return f"river {a.river}"
    if a.station_kind is not None:
        return f"all {a.station_kind.value} stations"
    return "all stations"


def _status(a: Agreement, now: datetime) -> str:
    if a.revoked_at is not None:
        return "revoked"
    if is_in_force(a, now):
        return "in force"
    return "not yet valid" if now < a.valid_from else "expired"


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant else None


def _as_json(a: Agreement, now: datetime) -> dict[str, object]:
    return {**agreement_record(a, _iso), "status": _status(a, now)}


@click.group()
def agreement() -> None:
    """Sharing agreements between agencies (versioned; revoking stops access at once)."""


@agreement.command("add")
@data_option
@click.option("--owner", required=True, help="Agency whose stations are shared, e.g. SC.")
@click.option("--grantee", required=True, help="Agency granted access, e.g. CQ.")
@click.option("--stations", default=None, help="Explicit station MNs, comma-separated.")
@click.option("--river", default=None, help="Every station of the owner on this river.")
@click.option(
    "--kind", type=click.Choice([k.value for k in StationKind]), default=None, help="Every station of a kind."
)
@click.option("--params", default=None, help="Parameter codes, comma-separated (default: all).")
@click.option(
    "--resolution", default="rtd", show_default=True, help="Finest kind granted: rtd, min, hour, day."
)
@click.option("--delay", default="0", show_default=True, help="Embargo, e.g. 2h, 1d, PT30M.")
@click.option("--from", "valid_from", default=None, help="Start of validity (default: now).")
@click.option("--until", default=None, help="End of validity (a date includes that day).")
@click.option("--purpose", default="", help="What the data may be used for.")
@click.option("--by", "created_by", default="cli", show_default=True, help="Who enters the agreement.")
def add(
    data: Path,
    owner: str,
    grantee: str,
    stations: str | None,
    river: str | None,
    kind: str | None,
    params: str | None,
    resolution: str,
    delay: str,
    valid_from: str | None,
    until: str | None,
    purpose: str,
    created_by: str,
) -> None:
    """Add an agreement; its id is printed as the last line."""
    if sum(x is not None for x in (stations, river, kind)) > 1:
        fail("choose at most one of --stations, --river, --kind")
    with open_data_store(data, locked_hint=_SERVER_HINT) as store:
        stored = create_agreement(
            store,
            owner=owner.strip().upper(),
            grantee=grantee.strip().upper(),
            known_agencies=[j.code for j in store.jurisdictions()],
            now=datetime.now(UTC),
            stations=_csv(stations),
            river=river,
            station_kind=StationKind(kind) if kind else None,
            params=_csv(params),
            resolution=parse_resolution(resolution),
            delay=parse_duration(delay),
            valid_from=parse_instant(valid_from) if valid_from else None,
            until=parse_instant(until, end_of_day=True) if until else None,
            purpose=purpose,
            created_by=created_by,
        )
        review = review_agreement(store, stored)
    for warning in review.warnings:
        click.echo(f"Warning: {warning}", err=True)
    params_text = ",".join(stored.params) if stored.params else "all"
    click.echo(
        f"agreement {stored.id}: {stored.owner} → {stored.grantee}, {_selector(stored)} "
        f"({len(review.stations)} station(s) now), params {params_text}, "
        f"resolution {stored.resolution.value}, delay {format_duration(stored.delay)}, "
        f"until {_when(stored.until) if stored.until else 'revoked'}"
    )
    click.echo(str(stored.id))


@agreement.command("list")
@data_option
@click.option("--agency", default=None, help="Only agreements this agency owns or is granted.")
@click.option("--history", is_flag=True, help="Every version, not only the current ones.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def list_(data: Path, agency: str | None, history: bool, fmt: str) -> None:
    """List agreements with their status (in force, expired, revoked, not yet valid)."""
    with open_data_store(data, locked_hint=_SERVER_HINT) as store:
        found = store.agreements(history=history)
    if agency:
        code = agency.strip().upper()
        found = [a for a in found if code in {a.owner, a.grantee}]
    now = datetime.now(UTC)
    if fmt == "json":
        click.echo(json.dumps([_as_json(a, now) for a in found], ensure_ascii=False, indent=2))
        return
    table = Table(
        "id", "v", "owner", "grantee", "stations", "params", "res.", "delay", "until", "status", "purpose"
    )
    for a in found:
        table.add_row(
            str(a.id),
            str(a.version),
            a.owner,
            a.grantee,
            _selector(a),
            ",".join(a.params) if a.params else "all",
            a.resolution.value,
            format_duration(a.delay),
            _when(a.until),
            _status(a, now),
            a.purpose,
        )
    Console(width=None if sys.stdout.isatty() else 200).print(table)  # pipes: no truncation


@agreement.command("revoke")
@data_option
@click.argument("agreement_id", type=int)
@click.option("--by", "revoked_by", default="cli", show_default=True)
def revoke(data: Path, agreement_id: int, revoked_by: str) -> None:
    """Revoke an agreement (a new version; the grantee loses access on its next request)."""
    with open_data_store(data, locked_hint=_SERVER_HINT) as store:
        revoked = revoke_agreement(store, agreement_id, now=datetime.now(UTC), by=revoked_by)
    click.echo(f"agreement {revoked.id} revoked (version {revoked.version}) at {_when(revoked.revoked_at)}")
