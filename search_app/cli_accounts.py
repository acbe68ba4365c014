"""`dangan users …`, `dangan tokens …` and `dangan audit`: accounts, API tokens and the 查阅登记
from a terminal."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from indexer.config import load_settings
from indexer.errors import DanganError
from indexer.fields import SECURITY_LEVELS

from .accounts import ADMIN, READER, ROLES, Accounts
from .audit import ACTIONS, AuditLog, to_csv
from .register import ACTION_LABELS, action_label, describe
from .tokens import MAX_DAYS, Tokens

config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
    help="config file (default: $DANGAN_CONFIG, then ./config.toml)")
password_option = click.option(
    "--password", prompt=True, hide_input=True, confirmation_prompt=True,
    help="the password (asked for when not given; prefer the prompt)")


def _accounts(config_path: Path | None) -> Accounts:
    settings = load_settings(config_path)
    return Accounts(settings.data_dir, settings.database.url)


def _run(action):
    try:
        action()
    except DanganError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(e.exit_code)


def _changed(config_path: Path | None, name: str, op: str, value: str, change) -> None:
    """Run an account change, print what it did and register it (never a password)."""
    def go():
        click.echo(change(_accounts(config_path)))
        _registered(config_path, op, name, **({"value": value} if value else {}))
    _run(go)


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
        _registered(config_path, "add", user.name, role=user.role, level=user.clearance,
                    clearance=user.clearance)
        click.echo(f"added {user.name}: {user.role}, clearance {user.clearance}")
    _run(go)


@users.command("list")
@config_option
def list_users(config_path) -> None:
    """List users, their roles and clearances."""
    def go():
        for u in _accounts(config_path).list():
            state = "" if u.active else "  (disabled)"
            click.echo(f"{u.name}\t{u.role}\t{u.clearance}{state}")
    _run(go)


@users.command("set-clearance")
@click.argument("name")
@click.argument("clearance", type=click.Choice(SECURITY_LEVELS))
@config_option
def set_clearance(name, clearance, config_path) -> None:
    """Change the highest 密级 a user may read (ends the user's sessions)."""
    _changed(config_path, name, "clearance", clearance,
             lambda a: f"{name}: clearance {a.set_clearance(name, clearance).clearance}")


@users.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@config_option
def set_role(name, role, config_path) -> None:
    """Make a user an administrator (管理员), an editor who corrects records (编辑) or a reader
    (查阅人)."""
    _changed(config_path, name, "role", role,
             lambda a: f"{name}: role {a.set_role(name, role).role}")


@users.command("disable")
@click.argument("name")
@config_option
def disable(name, config_path) -> None:
    """Stop a user from logging in (ends the user's sessions; the audit register keeps them)."""
    _changed(config_path, name, "disable", "", lambda a: (a.disable(name), f"{name}: disabled")[1])


@users.command("enable")
@click.argument("name")
@config_option
def enable(name, config_path) -> None:
    """Let a disabled user log in again."""
    _changed(config_path, name, "enable", "", lambda a: (a.enable(name), f"{name}: enabled")[1])


@users.command("reset-password")
@click.argument("name")
@config_option
@password_option
def reset_password(name, config_path, password) -> None:
    """Give a user a new password (ends the user's sessions)."""
    _changed(config_path, name, "password", "",
             lambda a: (a.reset_password(name, password), f"{name}: password changed")[1])


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
    try:
        action = _action_code(action)
        reads = _audit_log(config_path).find(user, record, action, date_from, date_to, limit)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    except DanganError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(e.exit_code)
    if as_csv:
        click.echo(to_csv(reads), nl=False)
        return
    for r in reads:
        what = r.record or r.query
        cells = (r.when, r.user or "（匿名）", r.address, action_label(r.action), what,
                 describe(r.detail))
        click.echo("\t".join(map(printable, cells)))


def printable(text: str) -> str:
    """A register cell on one line of its own: a line break, tab or other control character
    someone typed into a query is shown escaped (\\n, \\t, \\x1b …), never as the start of a
    forged row."""
    return "".join(c if c.isprintable() or c == " " else
                   {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c, f"\\x{ord(c):02x}")
                   if ord(c) < 0x100 else f"\\u{ord(c):04x}" for c in str(text))


def _action_code(typed: str) -> str:
    """An action as the register stores it, from its code or the label `dangan audit` prints
    (下载原件 → download); an unknown one is refused with the list, never matched silently."""
    if not typed or typed in ACTIONS:
        return typed
    by_label = {label: code for code, label in ACTION_LABELS.items()}
    if typed in by_label:
        return by_label[typed]
    known = "、".join(f"{code}（{action_label(code)}）" for code in ACTIONS)
    raise click.BadParameter(f"没有“{typed}”这种操作；可用：{known}", param_hint="--action")


FIRST_ADMIN_HINT = (f"no administrator yet: create one with\n"
                    f"  .venv/bin/dangan users add NAME --role {ADMIN} --clearance 绝密\n"
                    f"then log in at /login and add the other users on /admin/users")


CONSOLE = "（控制台）"  # who made a change from the archive machine's terminal


def _registered(config_path: Path | None, op: str, name: str, **detail) -> None:
    """A change made on the terminal goes into the 查阅登记 like one made on the admin page."""
    _audit_log(config_path).write(CONSOLE, "local", "admin", op=op, name=name, **detail)


def _audit_log(config_path: Path | None) -> AuditLog:
    settings = load_settings(config_path)
    return AuditLog(settings.data_dir, settings.database.url)


@click.group()
def tokens() -> None:
    """API tokens: `Authorization: Bearer TOKEN` acts as the token's user."""


@tokens.command("create")
@click.argument("user")
@config_option
@click.option("--days", type=click.IntRange(0, MAX_DAYS), default=90, show_default=True,
              help="days the token stays valid (0: until revoked)")
def create_token(user, config_path, days) -> None:
    """Make a token for USER; the token is printed once, as the last line (store it now)."""
    def go():
        token, secret = Tokens(_accounts(config_path)).create(user, days or None,
                                                              created_by=CONSOLE)
        _registered(config_path, "token-create", user, token=token.id,
                    expires=_day(token.expires))
        click.echo(f"token {token.id} for {user}, valid until {_day(token.expires)}; "
                   "it is shown only now:")
        click.echo(secret)
    _run(go)


@tokens.command("list")
@click.argument("user", required=False, default="")
@config_option
def list_tokens(user, config_path) -> None:
    """List tokens (all, or USER's): id, user, start of the token, state, expiry, last use."""
    def go():
        for t in Tokens(_accounts(config_path)).list(user):
            click.echo(f"{t.id}\t{t.user}\t{t.hint}…\t{t.state()}\t{_day(t.expires)}"
                       f"\tlast used {_day(t.last_used, '—')}")
    _run(go)


@tokens.command("revoke")
@click.argument("token_id", type=int)
@config_option
def revoke_token(token_id, config_path) -> None:
    """Revoke a token by its id (takes effect on the next request)."""
    def go():
        token = Tokens(_accounts(config_path)).revoke(token_id)
        _registered(config_path, "token-revoke", token.user, token=token.id)
        click.echo(f"token {token.id} of {token.user} revoked")
    _run(go)


def _day(when: float | None, never: str = "never") -> str:
    if when is None:
        return never
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(when))
