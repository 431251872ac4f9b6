"""`operator-app cti simulate`: play calls to a desk that is running on this machine (for the demo and tests)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from contract.phone import PhoneFormatError, normalize_phone
from operator_app.cti.listener import DEFAULT_PORT


def register(subparsers: Any) -> argparse.ArgumentParser:
    cti = subparsers.add_parser("cti", help="the telephony adapter (来电弹屏): simulate calls to a running desk")
    sub = cti.add_subparsers(dest="cti_command", required=True)
    sim = sub.add_parser("simulate", help="post ringing, answered and ended events for each call to the desk's "
                                          "CTI endpoint (http://127.0.0.1:PORT/cti/events)")
    sim.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"the desk's CTI port (default {DEFAULT_PORT})")
    sim.add_argument("--caller", default="13900001234", help="the caller's number ('' for a withheld number)")
    sim.add_argument("--calls", type=int, default=1, help="how many calls to play (default 1)")
    sim.add_argument("--channel", default="hotline", help="the channel the call came in on (default hotline)")
    sim.add_argument("--pause", type=float, default=0.5, help="seconds between events (default 0.5)")
    sim.set_defaults(func=simulate_command)
    return cti


def simulate_command(args: argparse.Namespace) -> int:
    from operator_app.cti.simulate import DeskUnreachable, simulate_calls

    caller = ""
    if args.caller.strip():
        try:
            caller = normalize_phone(args.caller)
        except PhoneFormatError:
            print("error: caller: not a mobile or a landline number with its area code", file=sys.stderr)
            return 2
    if args.calls < 1 or not 0 < args.port < 65536:
        print("error: --calls must be 1 or more and --port 1 to 65535", file=sys.stderr)
        return 2
    try:
        ids = simulate_calls(args.port, caller=caller, calls=args.calls, channel=args.channel, pause=args.pause,
                             talk=args.pause)
    except DeskUnreachable as exc:
        print(f"error: desk: {exc}", file=sys.stderr)
        return 1
    for call_id in ids:
        print(call_id)
    return 0
