"""The sync password: asked of a command (a password manager) or read from the environment.

It is held in memory for one sync and never written anywhere: not the config, the data dir,
a log or an error message.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping

from ..config import SyncConfig
from .errors import SyncSetupError

COMMAND_TIMEOUT = 60.0  # a password manager may ask for its own passphrase first


def sync_password(config: SyncConfig, environ: Mapping[str, str] | None = None) -> str:
    """The password for ``config.user``; ``SyncSetupError`` says plainly why there is none."""
    environ = os.environ if environ is None else environ
    if config.password_env:
        value = environ.get(config.password_env, "")
        if not value:
            raise SyncSetupError(f"sync: the environment variable {config.password_env} "
                                 "(password_env) is not set")
        return value
    try:
        argv = shlex.split(config.password_command)
    except ValueError as exc:
        raise SyncSetupError(f"sync: password_command cannot be split into words ({exc})") from None
    if not argv:
        raise SyncSetupError("sync: password_command is empty")
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, timeout=COMMAND_TIMEOUT, check=False)
    except FileNotFoundError:
        raise SyncSetupError(f"sync: password_command: {argv[0]} not found") from None
    except subprocess.TimeoutExpired:
        raise SyncSetupError(f"sync: password_command gave no password within "
                             f"{COMMAND_TIMEOUT:.0f} s") from None
    except OSError as exc:
        raise SyncSetupError(f"sync: password_command could not run: {exc.strerror}") from None
    if done.returncode != 0:
        raise SyncSetupError(f"sync: password_command exited with status {done.returncode}")
    # Like pass(1) and git's credential helpers: the first line is the password.
    password = done.stdout.decode("utf-8", "replace").split("\n", 1)[0].rstrip("\r")
    if not password:
        raise SyncSetupError("sync: password_command printed no password")
    return password
