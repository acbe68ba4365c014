"""Accounts (hashed passwords, roles, clearances) and the append-only audit register, on both
backends ([database] url unset: SQLite files; set: a real PostgreSQL server)."""
import sqlite3
import time

import pytest

from indexer.store.database import IntegrityError
from search_app.accounts import ADMIN, READER, AccountError, Accounts
from search_app.audit import AuditLog, to_csv


@pytest.fixture()
def accounts(tmp_path, store_url):
    a = Accounts(tmp_path, store_url)
    yield a
    a.close()


def test_passwords_are_hashed_and_checked(accounts):
    accounts.add("张三", "correct horse", READER, "内部")
    raw = accounts.db.row("SELECT password FROM users")[0]
    assert "correct horse" not in raw and raw.startswith(("scrypt:", "pbkdf2:"))
    assert accounts.verify("张三", "correct horse").clearance == "内部"
    assert accounts.verify("张三", "wrong horse!") is None
    assert accounts.verify("李四", "correct horse") is None


def test_bad_input_is_refused_with_a_reason(accounts):
    with pytest.raises(AccountError, match="密码至少"):
        accounts.add("王五", "short")
    with pytest.raises(AccountError, match="密级只能是"):
        accounts.add("王五", "long enough", READER, "顶级")
    with pytest.raises(AccountError, match="角色只能是"):
        accounts.add("王五", "long enough", "superuser")
    with pytest.raises(AccountError, match="用户名"):
        accounts.add("王 五", "long enough")
    accounts.add("王五", "long enough")
    with pytest.raises(AccountError, match="已存在"):
        accounts.add("王五", "long enough")
    with pytest.raises(AccountError, match="没有用户"):
        accounts.disable("赵六")


def test_changes_end_sessions_and_disable_locks_out(accounts):
    user = accounts.add("管理员甲", "admin password", ADMIN, "绝密")
    assert accounts.has_admin() and user.is_admin
    raised = accounts.set_clearance("管理员甲", "机密")
    assert raised.clearance == "机密" and raised.session_version > user.session_version
    accounts.disable("管理员甲")
    assert accounts.verify("管理员甲", "admin password") is None and not accounts.has_admin()
    accounts.enable("管理员甲")
    accounts.reset_password("管理员甲", "a new password")
    assert accounts.verify("管理员甲", "admin password") is None
    assert accounts.verify("管理员甲", "a new password") is not None


def test_audit_register_is_append_only_and_filterable(tmp_path, store_url):
    log = AuditLog(tmp_path, store_url)
    log.write("张三", "10.0.0.5", "search", query="王建成", total=3, filters={"year": ["2019"]})
    log.write("", "10.0.0.9", "record", record="abc123")
    log.write("张三", "10.0.0.5", "download", record="abc123")
    assert [r.action for r in log.find()] == ["download", "record", "search"]
    assert [r.action for r in log.find(user="张三")] == ["download", "search"]
    assert [r.user for r in log.find(record="abc123")] == ["张三", ""]
    assert log.find(date_from="2000-01-01", date_to="2999-12-31", action="search")[0].query == \
        "王建成"
    assert log.find(date_to="2000-01-01") == []
    with pytest.raises(IntegrityError, match="append-only"):
        log.db.run("DELETE FROM reads")
    with pytest.raises(IntegrityError, match="append-only"):
        log.db.run("UPDATE reads SET \"user\" = 'x'")
    if log.db.postgres:
        with pytest.raises(IntegrityError, match="append-only"):
            log.db.run("TRUNCATE reads")
    csv_text = to_csv(log.find())
    assert csv_text.splitlines()[0].startswith("序号,时间,用户") and "（匿名）" in csv_text
    assert len(log.find()) == 3
    with pytest.raises(ValueError):
        log.write("张三", "10.0.0.5", "delete-everything")
    log.write("", "10.0.0.9", "search", query="%00 a\x00b")  # (PostgreSQL stores no NUL: was a 500)
    assert log.find(action="search")[0].query == "%00 a\\x00b"
    log.close()


def test_users_and_audit_commands(tmp_path, cli_runner):
    from search_app.cli import main

    cfg = tmp_path / "config.toml"
    cfg.write_text('[index]\ndir = "data/index"\n', encoding="utf-8")
    add = cli_runner.invoke(main, ["users", "add", "档案员", "--config", str(cfg), "--role",
                                   "管理员", "--clearance", "绝密"],
                            input="a long password\na long password\n")
    assert add.exit_code == 0 and "added 档案员: 管理员, clearance 绝密" in add.output
    again = cli_runner.invoke(main, ["users", "add", "档案员", "--config", str(cfg),
                                     "--password", "another password"])
    assert again.exit_code == 2 and "已存在" in again.output
    cli_runner.invoke(main, ["users", "add", "查阅员", "--config", str(cfg), "--password",
                             "reader password"])
    assert cli_runner.invoke(main, ["users", "set-clearance", "查阅员", "秘密", "--config",
                                    str(cfg)]).exit_code == 0
    assert cli_runner.invoke(main, ["users", "disable", "查阅员", "--config",
                                    str(cfg)]).exit_code == 0
    listed = cli_runner.invoke(main, ["users", "list", "--config", str(cfg)]).output
    assert "档案员\t管理员\t绝密" in listed and "查阅员\t查阅人\t秘密  (disabled)" in listed
    bad = cli_runner.invoke(main, ["users", "set-clearance", "查阅员", "顶级", "--config", str(cfg)])
    assert bad.exit_code == 2
    log = AuditLog(tmp_path / "data")
    log.write("档案员", "127.0.0.1", "record", record="r1")
    log.close()
    out = cli_runner.invoke(main, ["audit", "--config", str(cfg), "--user", "档案员"])
    assert out.exit_code == 0 and "档案员\t127.0.0.1\t查看记录\tr1" in out.output
    everything = cli_runner.invoke(main, ["audit", "--config", str(cfg), "--limit", "1000"]).output
    assert "（控制台）\tlocal\t账号管理\t\t添加用户 档案员；角色 管理员；密级 绝密" in everything
    assert "账号管理\t\t停用 查阅员" in everything  # account changes on the terminal, too
    csv_out = cli_runner.invoke(main, ["audit", "--config", str(cfg), "--csv"]).output
    assert csv_out.startswith("序号,时间,用户")
    assert cli_runner.invoke(main, ["audit", "--config", str(cfg), "--from", "yesterday"]
                             ).exit_code == 2
    # --action by the label the register prints (查看记录) as by its code; an unknown one is
    # refused with the list, not answered with nothing
    for action in ("record", "查看记录"):
        out = cli_runner.invoke(main, ["audit", "--config", str(cfg), "--action", action])
        assert out.exit_code == 0 and [x.strip() for x in out.output.splitlines()] == [
            x.strip() for x in everything.splitlines() if "\t查看记录\t" in x]
    unknown = cli_runner.invoke(main, ["audit", "--config", str(cfg), "--action", "下载"])
    assert unknown.exit_code == 2 and "没有“下载”这种操作" in unknown.output
    assert "download（下载原件）" in unknown.output
    # a query typed with a line break, a tab, a carriage return, an escape or a NUL is one
    # row, escaped: it cannot print as a forged row of the register (tester's finding)
    forged = "无害\n2026-12-07 18:00:00\tadmin\t10.0.0.9\t查看记录\tr1\t伪造行\r\x1b[2K\x00"
    log = AuditLog(tmp_path / "data")
    log.write("", "10.0.0.7", "search", query=forged, total=0)
    log.close()
    out = cli_runner.invoke(main, ["audit", "--config", str(cfg), "--action", "search"]).output
    assert out.count("\n") == 1 and "\t" * 5 not in out
    assert "无害\\n2026-12-07 18:00:00\\tadmin\\t10.0.0.9" in out
    assert "伪造行\\r\\x1b[2K\\x00" in out


def test_a_register_made_before_the_clearance_column_gets_it(tmp_path):
    old = sqlite3.connect(tmp_path / "audit.sqlite")
    old.executescript("""
        CREATE TABLE reads (seq INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL,
            user TEXT NOT NULL, address TEXT NOT NULL, action TEXT NOT NULL,
            record TEXT NOT NULL DEFAULT '', query TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT '');
        INSERT INTO reads (time, user, address, action, record)
            VALUES (1, '张三', 'a', 'record', 'r1');
    """)
    old.commit()
    old.close()
    log = AuditLog(tmp_path)
    AuditLog(tmp_path).close()  # a second process opening it changes nothing
    log.write("李四", "b", "record", record="r2", clearance="绝密")
    assert [(r.user, r.clearance) for r in log.find()] == [("李四", "绝密"), ("张三", "")]
    assert [r.user for r in log.find(clearances=("公开", "内部"))] == ["张三"]
    with pytest.raises(IntegrityError, match="append-only"):
        log.db.run("UPDATE reads SET clearance = '公开'")
    log.close()


def test_a_postgresql_register_made_before_the_clearance_column_gets_it(tmp_path, pg_url):
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as old:
        old.execute("""
            CREATE TABLE reads (seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                time DOUBLE PRECISION NOT NULL, "user" TEXT NOT NULL, address TEXT NOT NULL,
                action TEXT NOT NULL, record TEXT NOT NULL DEFAULT '',
                query TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '')""")
        old.execute("""INSERT INTO reads (time, "user", address, action, record)
                       VALUES (1, '张三', 'a', 'record', 'r1')""")
    log = AuditLog(tmp_path, pg_url)
    AuditLog(tmp_path, pg_url).close()  # a second server opening it changes nothing
    log.write("李四", "b", "record", record="r2", clearance="绝密")
    assert [(r.user, r.clearance) for r in log.find()] == [("李四", "绝密"), ("张三", "")]
    assert [r.user for r in log.find(clearances=("公开", "内部"))] == ["张三"]
    with pytest.raises(IntegrityError, match="append-only"):
        log.db.run("UPDATE reads SET clearance = '公开'")
    assert not (tmp_path / "audit.sqlite").exists()  # nothing beside the index
    log.close()


def test_failed_logins_are_counted_by_name_and_by_address(tmp_path, store_url):
    log = AuditLog(tmp_path, store_url)
    log.write("张三", "10.0.0.1", "login-failed")
    log.write("李四", "10.0.0.1", "login-failed")
    log.write("张三", "10.0.0.2", "login")
    assert len(log.failures("user", "张三", 0)) == 1
    assert len(log.failures("address", "10.0.0.1", 0)) == 2
    assert log.failures("address", "10.0.0.1", time.time() + 1) == []
    assert log.last("login", "张三") > 0 and log.last("login", "李四") == 0
    with pytest.raises(ValueError):
        log.failures("query", "x", 0)
    log.close()
