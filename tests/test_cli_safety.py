"""backup, verify, restore and check on the command line."""

import sqlite3

from test_cli import count, run


def test_backup_verify_restore_check(tmp_path):
    data = tmp_path / "d"
    assert run("demo", data=data).returncode == 0
    r = run("backup", "--out", str(tmp_path / "bk"), data=data)
    assert r.returncode == 0, r.stderr
    path = r.stdout.strip().splitlines()[-1]
    assert path.endswith(".ccbak")
    r = run("verify", path, data=data)
    assert r.returncode == 0 and "备份完好" in r.stdout and "units\t42" in r.stdout
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
