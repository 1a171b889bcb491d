"""The ``conflict-map`` subcommands, one module per group: ``places`` (the gazetteer),
``events`` (extraction and evaluation), ``store`` (ingest, export, import, seed, stats),
``monitor`` (watch, watchlist, alerts).
Each module's ``register(add_parser)`` adds its subparsers, each with ``handler`` set to a function
``(args, settings) -> exit code``; :mod:`geo.cli` only builds the parser and runs it."""

from geo.commands import events, monitor, places, store

GROUPS = (places, events, store, monitor)
