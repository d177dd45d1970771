"""backup, verify, restore and check on the command line."""

import re
import sqlite3
from pathlib import Path

from test_cli import count, run


def test_backup_verify_restore_check(tmp_path):
    data = tmp_path / "d"
    assert run("demo", data=data).returncode == 0
    r = run("backup", "--out", str(tmp_path / "bk"), data=data)
    assert r.returncode == 0, r.stderr
    path = r.stdout.strip().splitlines()[-1]
    assert path.endswith(".ccbak")
    r = run("verify", path, data=data)
    assert r.returncode == 0 and "备份完好" in r.stdout and "责任单位\t42" in r.stdout
    conn = sqlite3.connect(data / "chuangcheng.db")
    conn.execute("DELETE FROM assignments")
    conn.commit()
    conn.close()
    r = run("restore", path, data=data)
    assert r.returncode == 2 and "--yes" in r.stderr
    assert count(data, "SELECT count(*) FROM assignments") == 0
    r = run("restore", path, "--yes", data=data)
    assert r.returncode == 0, r.stderr
    assert count(data, "SELECT count(*) FROM assignments") > 0
    r = run("check", data=data)
    assert r.returncode == 0 and "体检通过" in r.stdout


def test_verify_refuses_a_damaged_file(tmp_path):
    bad = tmp_path / "x.ccbak"
    bad.write_bytes(b"PK\x03\x04 broken")
    r = run("verify", str(bad), data=tmp_path / "d")
    assert r.returncode == 2 and "损坏" in r.stderr


def test_check_exits_3_and_lists_problems(tmp_path):
    data = tmp_path / "d"
    assert run("demo", data=data).returncode == 0
    orphan = data / "attachments" / "ab" / ("a" * 64)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"x")
    r = run("check", data=data)
    assert r.returncode == 3 and "没有记录引用的文件" in r.stdout
    r = run("check", "--repair", data=data)
    assert r.returncode == 2
    r = run("check", "--repair", "--yes", data=data)
    assert r.returncode == 0 and not orphan.exists()


def _latin_words(text: str, file_name: str) -> list[str]:
    """Words in Latin letters a user would read, the file's own name (which they chose) aside."""
    return re.findall(r"[A-Za-z_]{2,}", text.replace(file_name, ""))


def test_verify_speaks_chinese_for_good_and_damaged_backups(tmp_path):
    data = tmp_path / "d"
    assert run("demo", data=data).returncode == 0
    path = Path(run("backup", "--out", str(tmp_path / "bk"), data=data).stdout.strip().splitlines()[-1])
    r = run("verify", str(path), data=data)
    assert r.returncode == 0, r.stderr
    assert _latin_words(r.stdout + r.stderr, path.name) == []
    assert "责任单位\t42" in r.stdout and "督查问题\t22" in r.stdout
    damaged = tmp_path / "damaged.ccbak"
    raw = bytearray(path.read_bytes())
    raw[5000] ^= 0xFF  # inside the stored database: the member's CRC-32 no longer matches
    damaged.write_bytes(bytes(raw))
    r = run("verify", str(damaged), data=data)
    assert r.returncode == 2 and "损坏" in r.stderr
    assert _latin_words(r.stdout + r.stderr, damaged.name) == []
