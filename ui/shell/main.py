"""The `operator-app` console script: no command opens the desk; any command runs headless (no Qt import)."""

from __future__ import annotations

import sys

from operator_app import cli


def main(argv: list[str] | None = None) -> int:
    args = cli.build_parser().parse_args(argv)
    if args.command is not None:
        return cli.run(args)
    from ui.shell.app import run_desk

    return run_desk(data_dir=args.data_dir, seat_code=args.seat_code, server=args.server)


if __name__ == "__main__":
    sys.exit(main())
