"""A benchmark's own section of docs/benchmark.md, rewritten with what it printed.

A section lies between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->``; everything
outside the markers is hand-written and kept as it is. A file without the section gets
it at its end, so a new benchmark needs no edit of the page first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import platform
import shlex
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

REPO = Path(__file__).resolve().parent.parent


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def replace(text: str, name: str, body: str) -> str:
    """``text`` with the section ``name`` holding ``body``, or with the section appended."""
    begin, end = markers(name)
    block = f"{begin}\n{body.strip()}\n{end}"
    start = text.find(begin)
    if start < 0:
        if end in text:
            raise ValueError(f"{end} without {begin}")
        return (text.rstrip("\n") + "\n\n" if text.strip() else "") + block + "\n"
    stop = text.find(end, start)
    if stop < 0:
        raise ValueError(f"{begin} without {end} after it")
    return text[:start] + block + text[stop + len(end) :]


def check(path: Path, name: str) -> None:
    """Raise now what ``write`` would raise after a long run: broken markers, no folder."""
    if not path.parent.is_dir():
        raise FileNotFoundError(f"no folder {path.parent}")
    replace(path.read_text(encoding="utf-8") if path.exists() else "", name, "")


def write(path: Path, name: str, body: str) -> None:
    """Rewrite the section ``name`` of ``path`` (created if missing), all at once."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    new = replace(text, name, unicodedata.normalize("NFC", body))
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(path)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def command_line(module: str, argv: list[str] | None) -> str:
    """How this run was started, with the interpreter as seen from the repository root."""
    python = Path(sys.executable)
    try:
        shown = str(python.relative_to(REPO))
    except ValueError:
        shown = "python"
    return shlex.join([shown, "-m", module, *(sys.argv[1:] if argv is None else argv)])


def recorded(command: str, output: str, when: dt.datetime | None = None) -> str:
    """The section's body: when, on what machine, the command, and its tables as printed."""
    when = when or dt.datetime.now().astimezone()
    return "\n".join(
        [
            (
                f"Recorded {when:%Y-%m-%d %H:%M %z} on {os.cpu_count()} CPUs ({cpu_model()}), "
                f"Python {platform.python_version()}:"
            ),
            "",
            "```sh",
            command,
            "```",
            "",
            "```text",
            output.strip("\n"),
            "```",
        ]
    )


class _Both(io.TextIOBase):
    def __init__(self, *streams: TextIO):
        self._streams = streams

    def write(self, s: str) -> int:
        for stream in self._streams:
            stream.write(s)
        return len(s)

    def flush(self) -> None:
        for stream in self._streams:
            stream.flush()


@contextlib.contextmanager
def kept_stdout() -> Iterator[io.StringIO]:
    """What is printed inside still goes to stdout, and is kept in the yielded buffer too."""
    kept = io.StringIO()
    with contextlib.redirect_stdout(_Both(sys.stdout, kept)):
        yield kept
