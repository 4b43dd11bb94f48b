"""Whether the client of the current request is still there, told from its socket.

gunicorn puts the client socket in the WSGI environ (``gunicorn.socket``), Werkzeug's server too
(``werkzeug.socket``). A peek that finds the connection closed (an empty read) means the client has
gone; bytes waiting (a pipelined request) or nothing yet mean it is still there.
"""

from __future__ import annotations

import socket
from collections.abc import Callable


def gone_check(environ: dict) -> Callable[[], bool] | None:
    """A cheap function that is True once the client has closed its connection, or None if unknown."""
    sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket):
        return None

    def gone() -> bool:
        try:
            return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            return True

    return gone
