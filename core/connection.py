"""This PC's connection to the shared ledger (共享台账).

Kept per PC in the user's config folder (platformdirs; CHUANGCHENG_CONFIG names another folder, as
the tests do), never in the ledger and never with the password. A password the user asked to
remember lives in the OS credential store (keyring: Windows 凭据管理器, the Secret Service on
Linux); otherwise libpq's own rules find it (PGPASSWORD, the pgpass file) or the connect dialog asks.

Which ledger a start opens: --server or CHUANGCHENG_SERVER first; else a data folder named on the
command line (--data or CHUANGCHENG_DATA) is opened as a single-desk ledger; else the connection
saved here (设置 → 共享台账), so the command line of a PC reaches the same ledger as its window.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from urllib.parse import quote

import platformdirs

from core.errors import AppError

ENV_CONFIG = "CHUANGCHENG_CONFIG"
FILE_NAME = "shared-ledger.json"
KEYRING_SERVICE = "ChuangchengDesk 共享台账"
DEFAULT_PORT = 5432
# libpq's sslmode values, in the order the settings offer them (prefer: encrypted when the server can).
SSL_MODES = {"prefer": "优先加密（prefer）", "require": "必须加密（require）",
             "verify-ca": "加密并验证证书（verify-ca）", "verify-full": "加密并验证证书和主机名（verify-full）",
             "disable": "不加密（disable）"}


@dataclass
class Connection:
    """Where the shared ledger is and who logs in (no password)."""
    host: str = ""
    port: int = DEFAULT_PORT
    database: str = ""
    user: str = ""
    sslmode: str = "prefer"
    remember_password: bool = False

    def checked(self) -> "Connection":
        """The same connection with its fields trimmed; AppError naming what is missing."""
        clean = Connection(self.host.strip(), int(self.port or DEFAULT_PORT), self.database.strip(),
                           self.user.strip(), self.sslmode or "prefer", bool(self.remember_password))
        missing = [label for label, value in (("服务器地址", clean.host), ("数据库名称", clean.database),
                                              ("用户名", clean.user)) if not value]
        if missing:
            raise AppError(f"请填写{'、'.join(missing)}。")
        if clean.sslmode not in SSL_MODES:
            raise AppError(f"加密方式“{clean.sslmode}”无法识别，可选：{'、'.join(SSL_MODES)}。")
        if not 0 < clean.port < 65536:
            raise AppError(f"端口 {clean.port} 不对：请填 1–65535 之间的数字（PostgreSQL 默认 5432）。")
        return clean

    def url(self) -> str:
        """postgresql://user@host:port/database?sslmode=… (no password)."""
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 address
        return (f"postgresql://{quote(self.user, safe='')}@{host}:{self.port}/{quote(self.database, safe='')}"
                f"?sslmode={self.sslmode}")

    def where(self) -> str:
        """host:port/database, as the status bar and messages name the ledger."""
        return f"{self.host}:{self.port}/{self.database}"

    def keyring_name(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.database}"


def config_dir() -> Path:
    """This PC's settings folder for the program (not the data folder, not roaming)."""
    override = os.environ.get(ENV_CONFIG)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("ChuangchengDesk", appauthor=False, roaming=False))


def _path() -> Path:
    return config_dir() / FILE_NAME


def _read() -> dict:
    try:
        return json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def saved() -> Connection | None:
    """The connection last saved on this PC, used or not (the settings tab shows it)."""
    data = _read().get("server")
    if not isinstance(data, dict):
        return None
    known = {f.name for f in fields(Connection)}
    try:
        return Connection(**{k: v for k, v in data.items() if k in known})
    except TypeError:
        return None


def active() -> Connection | None:
    """The shared ledger this PC opens, or None for the single-desk ledger in the data folder."""
    return saved() if _read().get("use_server") else None


def save(connection: Connection, *, use_server: bool = True) -> None:
    """Keep the connection on this PC; use_server=False goes back to 本机数据 and keeps the address
    for later. The password is never written here."""
    folder = config_dir()
    text = json.dumps({"use_server": use_server, "server": asdict(connection)}, ensure_ascii=False, indent=2)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / (FILE_NAME + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(_path())
    except OSError as exc:
        raise AppError(f"无法保存连接设置到 {folder}：{exc.strerror or exc}。请检查这个文件夹是否可写。") from None


def use_local() -> None:
    """Open the data folder's own ledger from the next start (the saved address stays)."""
    current = saved()
    if current is None:
        try:
            _path().unlink()
        except FileNotFoundError:
            pass
        return
    save(current, use_server=False)


# --- the remembered password (OS credential store) -----------------------------------------------

def remembered_password(connection: Connection) -> str | None:
    """The password remembered for this login, or None (none kept, or no credential store here)."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, connection.keyring_name())
    except KeyringError:
        return None


def remember_password(connection: Connection, password: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, connection.keyring_name(), password)
    except KeyringError as exc:
        raise AppError("这台电脑没有可用的系统密码保管（凭据管理器），无法记住密码。"
                       "请取消“记住密码”，每次连接时输入密码。", str(exc)) from None


def forget_password(connection: Connection) -> None:
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, connection.keyring_name())
    except (PasswordDeleteError, KeyringError):
        pass  # nothing was kept


def command_line_server() -> tuple[str, str | None] | None:
    """(url, remembered password) of the connection saved on this PC, for a command run without
    --server, CHUANGCHENG_SERVER or a data folder of its own; None when the PC uses 本机数据."""
    connection = active()
    if connection is None:
        return None
    return connection.url(), remembered_password(connection)


def where_of(url: str) -> str:
    """host:port/database of a server URL, as the status bar names the shared ledger."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(url)
    except Exception:  # noqa: BLE001 - a malformed address is shown as given, without a password
        return url.rsplit("@", 1)[-1]
    return f"{info.get('host', '本机')}:{info.get('port', DEFAULT_PORT)}/{info.get('dbname', '')}"


def from_url(url: str) -> Connection:
    """The fields of a server URL (--server, CHUANGCHENG_SERVER), for the connect dialog."""
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(url)
    return Connection(info.get("host", ""), int(info.get("port") or DEFAULT_PORT), info.get("dbname", ""),
                      info.get("user", ""), info.get("sslmode", "prefer"))


def try_connection(connection: Connection, password: str | None) -> str:
    """Log in once and say what was found (测试连接): AppError naming the address and what to
    check when the server cannot be reached, refuses the login, or holds no shared ledger."""
    from core.store import postgres, server_admin

    url = connection.checked().url()
    try:
        store = postgres.connect(url, password or None)
    except Exception as exc:  # noqa: BLE001 - any connection failure is named with what to check
        raise AppError(postgres.unreachable_message(url, exc), str(exc)) from None
    try:
        if not store.has_table("schema_migrations"):
            raise AppError(f"已连接服务器 {connection.where()}，但数据库“{connection.database}”还不是创城工作台的共享台账。"
                           "请管理员先运行：main.py --server 地址 server-init")
        role = server_admin.group_of(store)
    finally:
        store.close()
    label = server_admin.ROLE_LABELS.get(role, "不是共享台账的用户")
    return f"连接成功：{connection.where()}，用户 {connection.user}（{label}）。"
