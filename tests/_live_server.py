"""The web app in a real HTTP server in its own process, for clients that need one (GDAL).

A server thread in the test process would deadlock: pyogrio holds the GIL while GDAL
fetches the next page, so the server thread could never answer.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SERVE = (
    "import sys\n"
    "from werkzeug.serving import make_server\n"
    "from app import create_app\n"
    "server = make_server('127.0.0.1', 0, create_app({'STORE': sys.argv[1]}), threaded=True)\n"
    "print(server.server_port, flush=True)\n"
    "server.serve_forever()\n"
)


@contextlib.contextmanager
def live_server(store: str | os.PathLike):
    """Serve ``store`` on a free localhost port; yield the base URL (``http://127.0.0.1:N``)."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVE, str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        line = proc.stdout.readline()
        if not line.strip():
            raise RuntimeError(f"the server did not start (exit status {proc.wait(10)})")
        yield f"http://127.0.0.1:{int(line)}"
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
