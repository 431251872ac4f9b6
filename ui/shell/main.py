"""The `operator-app` console script: no command opens the desk; any command runs headless (no Qt import)."""

from __future__ import annotations

import gc
import importlib
import sys
import threading

from operator_app import cli


def _warm_up() -> None:
    for module in ("central_server.embedded", "sync.connect"):
        importlib.import_module(module)


def main(argv: list[str] | None = None) -> int:
    args = cli.build_parser().parse_args(argv)
    if args.command is not None:
        return cli.run(args)
    if args.server is None:
        # The embedded central server's modules (FastAPI, pydantic models, ~0.8 s of imports) load on a thread
        # while Qt and the login window come up; the operator's login waits for them only if it is quicker.
        # No automatic collection from here on: make_application hands it to the GUI thread (ui/common/gui_gc.py),
        # and a collection on this thread must not race the Qt objects being made meanwhile.
        gc.disable()
        threading.Thread(target=_warm_up, daemon=True, name="warm-up").start()
    from ui.shell.app import run_desk

    return run_desk(data_dir=args.data_dir, seat_code=args.seat_code, server=args.server)


if __name__ == "__main__":
    sys.exit(main())
