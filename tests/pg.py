"""A real, throwaway PostgreSQL server for the tests of the shared stores ([database] url).

Debian's postgresql package (tools/system-deps.sh test) puts initdb, pg_ctl and postgres in
/usr/lib/postgresql/VERSION/bin. The server runs from a temporary folder, listening on
127.0.0.1 on a free port, with a password (so the tests see it kept out of messages), and as an
unprivileged account when the tests run as root (PostgreSQL refuses to run as root). Each test
gets a database of its own.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "dangan"
PASSWORD = "pg-Secret-4711"  # throwaway; tests check it never shows in output
INSTALL_HINT = "PostgreSQL is not installed: run tools/system-deps.sh test (Debian's postgresql)"


def binaries() -> Path:
    """The folder of initdb/pg_ctl: the newest /usr/lib/postgresql/*/bin, else the PATH's."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    raise RuntimeError(INSTALL_HINT)


def _runner() -> tuple[list[str], int | None, int | None]:
    """(command prefix, uid, gid) to run the server as someone other than root."""
    if os.geteuid() != 0:
        return [], None, None
    for name in ("postgres", "nobody"):
        try:
            account = pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"], account.pw_uid, account.pw_gid
    raise RuntimeError("running as root and there is no postgres or nobody account to run "
                       "PostgreSQL as")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """initdb + pg_ctl start in a temporary folder; `stop()` removes everything."""

    def __init__(self):
        self.bin = binaries()
        self.prefix, uid, gid = _runner()
        # the server's account must reach the folder: /tmp when $TMPDIR may be root's own
        where = "/tmp" if uid is not None and Path("/tmp").is_dir() else None
        self.root = Path(tempfile.mkdtemp(prefix="dangan-pg-", dir=where))
        if uid is not None:
            os.chown(self.root, uid, gid)
        self.root.chmod(0o700)
        self.data = self.root / "data"
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if uid is not None:
            os.chown(pwfile, uid, gid)
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=scram-sha-256",
                  f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C", "--no-sync")
        for attempt in range(5):
            self.port = _free_port()
            options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
                       "-c fsync=off -c full_page_writes=off -c synchronous_commit=off "
                       "-c max_connections=200")
            try:
                self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data),
                          "-l", str(self.root / "log"), "-o", options)
                break
            except RuntimeError:
                if attempt == 4:
                    raise
        self.count = 0
        self._admin("postgres", "SELECT 1")

    def url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a new, empty database."""
        self.count += 1
        name = f"t{os.getpid()}_{self.count}"
        self._admin("postgres", f"CREATE DATABASE {name}")
        return self.url(name)

    def _admin(self, database: str, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(sql)

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([*self.prefix, str(self.bin / program), *args],
                              capture_output=True, text=True, cwd=self.root, timeout=120)
        if done.returncode:
            log = self.root / "log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed: {done.stderr[-2000:]}{tail}")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
