"""A throwaway PostgreSQL server for the shared-ledger tests.

initdb and pg_ctl from Debian's postgresql package make a cluster in a temporary folder, listening
on a free port of 127.0.0.1 only, with password (scram) logins. initdb refuses to run as root, so
as root (CI) the cluster belongs to the `postgres` user the package creates. Nothing here touches
a system service: the cluster lives and dies with the test session.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "postgres"
PASSWORD = "throwaway-test-cluster"


def find_program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self):
        if os.name == "nt":
            raise RuntimeError("Windows 上不启动测试用的 PostgreSQL 服务器（它是 Debian 的 initdb/pg_ctl）："
                               "这一半测试在 Linux 上运行")
        self.initdb = find_program("initdb")
        self.pg_ctl = find_program("pg_ctl")
        if not self.initdb or not self.pg_ctl:
            raise RuntimeError("PostgreSQL 服务器程序（initdb、pg_ctl）未安装：apt-get install postgresql")
        self.as_root = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="chuangcheng-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.log = self.folder / "server.log"

    def _run(self, *args: str, check: bool = True):
        command = list(args)
        if self.as_root:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def start(self) -> "Cluster":
        if self.as_root:
            shutil.chown(self.folder, SUPERUSER)
        pwfile = self.folder / "pw"
        pwfile.write_text(PASSWORD + "\n", encoding="utf-8")
        if self.as_root:
            shutil.chown(pwfile, SUPERUSER)
        result = self._run(self.initdb, "-D", str(self.data), "-U", SUPERUSER, "--pwfile", str(pwfile),
                           "-E", "UTF8", "--locale=C.UTF-8", "-A", "scram-sha-256", check=False)
        if result.returncode:
            raise RuntimeError(f"initdb 失败：{result.stderr.strip() or result.stdout.strip()}")
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder}"
                   " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        result = self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                           "-t", "60", "start", check=False)
        if result.returncode:
            log = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL 启动失败：{result.stderr.strip()}\n{log[-2000:]}")
        return self

    def url(self, database: str = "postgres", user: str = SUPERUSER, password: str | None = PASSWORD) -> str:
        secret = f":{password}" if password else ""
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def restart(self) -> None:
        """Stop and start again (a server that went away and came back)."""
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
        time.sleep(0.2)
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder}"
                   " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
