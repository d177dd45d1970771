"""One running window per data folder: the folder's lock (core.safety.instance_lock, which the command-line
restore checks too), and a local socket through which a second start asks the first to come to the
front. Command-line runs are never blocked."""

from __future__ import annotations

import hashlib

from PySide6.QtNetwork import QLocalServer, QLocalSocket

from core.safety.instance_lock import InstanceLock


class SingleInstance:
    def __init__(self, data_root):
        self.server_name = "chuangcheng-" + hashlib.sha1(str(data_root).encode("utf-8")).hexdigest()[:16]
        self.lock = InstanceLock(data_root)
        self.server = None
        self.handed_over = False  # after a refused acquire: the running window got the request

    def acquire(self) -> bool:
        """True when this is the only window on the folder; otherwise the first one is asked to show."""
        if self.lock.acquire():
            return True
        socket = QLocalSocket()
        socket.connectToServer(self.server_name)
        if socket.waitForConnected(500):
            socket.write(b"raise")
            self.handed_over = socket.waitForBytesWritten(500)
            socket.disconnectFromServer()
        return False

    def listen(self, on_raise) -> None:
        QLocalServer.removeServer(self.server_name)
        self.server = QLocalServer()
        self.server.newConnection.connect(lambda: self._accept(on_raise))
        self.server.listen(self.server_name)

    def _accept(self, on_raise) -> None:
        conn = self.server.nextPendingConnection()
        if conn is not None:
            conn.disconnected.connect(conn.deleteLater)
            # Only a start that asks: a connection that says nothing is not a second start.
            conn.readyRead.connect(lambda: on_raise() if bytes(conn.readAll().data()).startswith(b"raise") else None)

    def release(self) -> None:
        if self.server:
            self.server.close()
        self.lock.release()
