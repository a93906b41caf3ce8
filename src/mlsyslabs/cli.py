"""The `mlsyslabs` command. With no arguments it serves the labs."""
from __future__ import annotations

import argparse
import json
import sys

from .commands import UserError


def build_parser() -> argparse.ArgumentParser:
    from .commands import classroom, engine, fleet_cmds, labs, ledger, scale, site

    p = argparse.ArgumentParser(prog="mlsyslabs", description="ML systems labs and their physics engine")
    sub = p.add_subparsers(dest="command")
    labs.add_parsers(sub)
    ledger.add_parsers(sub)
    engine.add_parsers(sub)
    scale.add_parsers(sub)
    fleet_cmds.add_parsers(sub)
    site.add_parsers(sub)
    classroom.add_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["serve", *argv]  # bare `mlsyslabs [--host H] [--port P]` serves the labs
    args = parser.parse_args(argv)
    from .physics.errors import PhysicsError

    try:
        return args.run(args) or 0
    except (PhysicsError, UserError) as exc:
        return _fail(args, exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _fail(args, exc) -> int:
    msg = str(exc)
    if getattr(args, "json", False):
        payload = {"error": msg, "type": type(exc).__name__}
        payload.update(getattr(exc, "extra", {}) or {})
        if getattr(exc, "suggestions", None):
            payload["suggestions"] = exc.suggestions
        json.dump(payload, sys.stdout)
        sys.stdout.write("\n")
    else:
        print(f"mlsyslabs: error: {msg}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
