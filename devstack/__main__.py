"""`python -m devstack run|up|down|env [--dir .stack]`: the local stack for `make run` and friends."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from devstack.stack import PROJECT_ROOT, Stack


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack")
    parser.add_argument("command", choices=["run", "up", "down", "env"])
    parser.add_argument("--dir", type=Path, default=PROJECT_ROOT / ".stack")
    args = parser.parse_args()
    stack = Stack(args.dir)

    if args.command == "down":
        stack.down()
        print(f"stack in {args.dir} stopped")
        return 0
    if args.command == "env":
        sys.stdout.write((args.dir / "env").read_text())
        return 0

    env = stack.up()
    print(f"stack is up; its settings are in {args.dir / 'env'}:")
    for key, value in env.items():
        print(f"  {key}={value}")
    if args.command == "up":
        return 0

    print("Ctrl-C stops it.", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    stack.down()
    print("stack stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
