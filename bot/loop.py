"""The event loop: uvloop's when it is installed (less CPU per update, benchmarks/levers.py),
asyncio's own otherwise (e.g. on Windows, where uvloop does not exist)."""

from __future__ import annotations

import asyncio
import gc
import logging
import warnings

log = logging.getLogger(__name__)


def install() -> str:
    """Make every loop this process creates from now on (asyncio.run, python-telegram-bot's
    run_polling) a uvloop loop, if uvloop imports. Returns the loop's name, for the log."""
    try:
        import uvloop
    except ImportError:
        return "asyncio"
    with warnings.catch_warnings():
        # Event loop policies are deprecated from Python 3.14 on; still the one way to reach
        # the loops python-telegram-bot and asyncio.run create for themselves.
        warnings.simplefilter("ignore", DeprecationWarning)
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return "uvloop"


def settle() -> None:
    """After start-up: move everything alive now (imported modules, the Application, the
    locales and facts) out of the garbage collector's sight. They live as long as the process,
    and every full collection walked them all again: CPU per update and a pause in some turns
    (lever `gc_freeze` in benchmarks/levers.py)."""
    gc.collect()
    gc.freeze()
