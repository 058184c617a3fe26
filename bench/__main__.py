"""``python -m bench NAME [ARGS…]`` runs ``bench/NAME.py``'s ``main(argv)``; ``all`` runs each in turn."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def _names() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print("usage: python -m bench NAME [ARGS...]   (NAME: all, " + ", ".join(_names()) + ")")
        return 0 if argv else 2
    names = _names() if argv[0] == "all" else [argv[0]]
    status = 0
    for name in names:
        if name not in _names():
            print(f"unknown benchmark {name!r}; have: {', '.join(_names())}", file=sys.stderr)
            return 2
        module = importlib.import_module(f"bench.{name}")
        status |= int(module.main(argv[1:]) or 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
