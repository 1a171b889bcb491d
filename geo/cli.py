"""The ``conflict-map`` command: the contract that tests, scripts and the app rely on.

Every failure the user can cause ends with exit code 2 and one line on stderr naming the file
and the problem (``CONFLICT_MAP_DEBUG=1`` shows the traceback instead). The subcommands live
in :mod:`geo.commands`, a module per group.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from geo.commands import GROUPS
from geo.config import Settings
from geo.inputs import printable


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="conflict-map",
        description="Offline-first conflict map: news articles to events on a map.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.register(sub.add_parser)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env().with_store(getattr(args, "store", None))
        return args.handler(args, settings)
    except KeyboardInterrupt:
        print("conflict-map: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # output piped into `head`: not an error
        return 0
    except Exception as exc:  # noqa: BLE001 - the CLI promises one line, never a traceback
        if os.environ.get("CONFLICT_MAP_DEBUG"):
            raise
        msg = printable(" ".join(str(exc).split())) or type(exc).__name__
        print(f"conflict-map: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
