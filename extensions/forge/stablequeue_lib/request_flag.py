"""The "queue this click" flag that the browser puts in a hidden textbox.

The "Queue in StableQueue" button writes a fresh token (``sq:<ms>:<random>``) into the
extension's hidden textbox and clicks Generate. The textbox is one of this script's UI
inputs, so the token arrives with that very generation, in ``before_process``. A token is
honoured once: if the browser failed to clear it, a later plain Generate click carries
the same token again and runs locally as the user expects.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

__all__ = ["CLICK_FLAGS", "RequestFlags", "TOKEN_PATTERN"]

TOKEN_PATTERN = re.compile(r"^sq:\d{1,16}:[A-Za-z0-9]{4,32}$")


class RequestFlags:
    def __init__(self, remember: int = 256) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._remember = remember
        self._lock = threading.Lock()

    @staticmethod
    def is_token(value: object) -> bool:
        return isinstance(value, str) and bool(TOKEN_PATTERN.match(value.strip()))

    def claim(self, value: object) -> bool:
        """True the first time a valid token is seen, False otherwise."""
        if not self.is_token(value):
            return False
        token = str(value).strip()
        with self._lock:
            if token in self._seen:
                return False
            self._seen[token] = None
            while len(self._seen) > self._remember:
                self._seen.popitem(last=False)
            return True


# The tokens this Forge process has honoured. It lives here, in a module Forge imports
# once, so a reload of the script file (which re-runs it) never honours a token twice.
CLICK_FLAGS = RequestFlags()
