"""`dangan users …` and `dangan audit`: accounts and the 查阅登记 from a terminal."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from indexer.config import load_settings
from indexer.errors import DanganError
from indexer.fields import SECURITY_LEVELS

from .accounts import ADMIN, READER, ROLES, Accounts
from .audit import AuditLog, to_csv

config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
    help="config file (default: $DANGAN_CONFIG, then ./config.toml)")
password_option = click.option(
    "--password", prompt=True, hide_input=True, confirmation_prompt=True,
    help="the password (asked for when not given; prefer the prompt)")


def _accounts(config_path: Path | None) -> Accounts:
    return Accounts(load_settings(config_path).data_dir)


def _run(action):
    try:
        action()
    except DanganError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(e.exit_code)


@click.group()
def users() -> None:
    """Manage accounts: who may read, up to which 密级."""


@users.command("add")
@click.argument("name")
@config_option
@click.option("--role", type=click.Choice(ROLES), default=READER, show_default=True)
@click.option("--clearance", type=click.Choice(SECURITY_LEVELS), default=SECURITY_LEVELS[0],
              show_default=True, help="highest 密级 the user may read")
@password_option
def add(name, config_path, role, clearance, password) -> None:
    """Create a user (an administrator: --role 管理员 --clearance 绝密)."""
    def go():
        user = _accounts(config_path).add(name, password, role, clearance)
        click.echo(f"added {user.name}: {user.role}, clearance {user.clearance}")
    _run(go)


@users.command("list")
@config_option
def list_users(config_path) -> None:
    """List users, their roles and clearances."""
    for u in _accounts(config_path).list():
        state = "" if u.active else "  (disabled)"
        click.echo(f"{u.name}\t{u.role}\t{u.clearance}{state}")


@users.command("set-clearance")
@click.argument("name")
@click.argument("clearance", type=click.Choice(SECURITY_LEVELS))
@config_option
def set_clearance(name, clearance, config_path) -> None:
    """Change the highest 密级 a user may read (ends the user's sessions)."""
    _run(lambda: click.echo(f"{name}: clearance "
                            f"{_accounts(config_path).set_clearance(name, clearance).clearance}"))


@users.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@config_option
def set_role(name, role, config_path) -> None:
    """Make a user an administrator (管理员) or a reader (查阅人)."""
    _run(lambda: click.echo(f"{name}: role {_accounts(config_path).set_role(name, role).role}"))


@users.command("disable")
@click.argument("name")
@config_option
def disable(name, config_path) -> None:
    """Stop a user from logging in (ends the user's sessions; the audit register keeps them)."""
    _run(lambda: (_accounts(config_path).disable(name), click.echo(f"{name}: disabled")))


@users.command("enable")
@click.argument("name")
@config_option
def enable(name, config_path) -> None:
    """Let a disabled user log in again."""
    _run(lambda: (_accounts(config_path).enable(name), click.echo(f"{name}: enabled")))


@users.command("reset-password")
@click.argument("name")
@config_option
@password_option
def reset_password(name, config_path, password) -> None:
    """Give a user a new password (ends the user's sessions)."""
    _run(lambda: (_accounts(config_path).reset_password(name, password),
                  click.echo(f"{name}: password changed")))


@click.command()
@config_option
@click.option("--user", default="", help="only this user's reads ('' = everyone)")
@click.option("--record", default="", help="only reads of this record id")
@click.option("--action", default="", help="search, record, page, download, similar, login …")
@click.option("--from", "date_from", default="", help="from this day, YYYY-MM-DD")
@click.option("--to", "date_to", default="", help="to this day, YYYY-MM-DD")
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
@click.option("--csv", "as_csv", is_flag=True, help="print CSV (for a spreadsheet)")
def audit(config_path, user, record, action, date_from, date_to, limit, as_csv) -> None:
    """Print the 查阅登记 (who read what, when, from where), newest first."""
    log = AuditLog(load_settings(config_path).data_dir)
    try:
        reads = log.find(user, record, action, date_from, date_to, limit)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    if as_csv:
        click.echo(to_csv(reads), nl=False)
        return
    for r in reads:
        what = r.record or r.query
        click.echo(f"{r.when}\t{r.user or '（匿名）'}\t{r.address}\t{r.action}\t{what}\t{r.detail}")


FIRST_ADMIN_HINT = (f"no administrator yet: create one with\n"
                    f"  .venv/bin/dangan users add NAME --role {ADMIN} --clearance 绝密\n"
                    f"then log in at /login and add the other users on /admin/users")
