"""``python -m sohoa``: the ``sohoa`` command."""

from sohoa.cli import run

run()
