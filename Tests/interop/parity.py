"""What the parity scripts share: named checks of a candidate's answers against a reference's."""

from __future__ import annotations

import argparse
import base64
import json
import sys
from typing import Any, Callable, Iterator


class Parity:
    """Records checks by name and raises, naming the check, at the first answer that differs."""

    def __init__(self) -> None:
        self.names: list[str] = []

    @property
    def checks(self) -> int:
        return len(self.names)

    def same(self, name: str, got: Any, want: Any) -> None:
        self.names.append(name)
        if got != want:
            raise AssertionError(f"{name}: candidate {got!r} != reference {want!r}")

    def passed(self, name: str) -> None:
        """Records a check that raised nothing (the call itself was the check)."""
        self.names.append(name)


def arguments(extra: Callable[[argparse.ArgumentParser], None] = lambda _: None) -> argparse.Namespace:
    """CANDIDATE REFERENCE HOLDOUT_JSON [--header NAME=VALUE ...] [--images N], plus `extra`'s."""
    parser = argparse.ArgumentParser()
    parser.add_argument("candidate")
    parser.add_argument("reference")
    parser.add_argument("holdout")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--images", type=int, default=20)
    extra(parser)
    args = parser.parse_args()
    args.headers = dict(h.split("=", 1) for h in args.header)
    return args


def holdout_pngs(path: str, count: int) -> Iterator[bytes]:
    """The first `count` PNG images of the digits hold-out set."""
    with open(path) as file:
        items = json.load(file)["items"][:count]
    for item in items:
        yield base64.b64decode(item["png_base64"])


def run(main: Callable[[], int], title: str) -> None:
    """Exits with `main`'s code, or 1 with one clear line for the test log."""
    try:
        sys.exit(main())
    except Exception as error:
        print(f"{title} FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
