"""The benchmarks' sections of docs/benchmark.md: rewritten between their markers, the rest kept."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from bench import docs_section

PAGE = """# Benchmark

How it is measured, by hand.

<!-- bench.run:begin -->
Not recorded yet.
<!-- bench.run:end -->

Between the sections, by hand.

<!-- bench.metadata:begin -->
Not recorded yet either.
<!-- bench.metadata:end -->

The end, by hand.
"""


def test_a_section_is_replaced_and_the_text_around_it_kept() -> None:
    new = docs_section.replace(PAGE, "bench.run", "| profile | WER |\n|---|---|\n| clean | 0.5 % |\n")
    before, rest = PAGE.split("<!-- bench.run:begin -->")
    _, after = rest.split("<!-- bench.run:end -->")
    assert new == (
        before
        + "<!-- bench.run:begin -->\n| profile | WER |\n|---|---|\n| clean | 0.5 % |\n"
        + "<!-- bench.run:end -->"
        + after
    )
    assert "Not recorded yet.\n" not in new
    assert "Not recorded yet either." in new  # the other section is left alone
    # Rewriting again replaces what the first rewrite put there.
    again = docs_section.replace(new, "bench.run", "second run")
    assert again.count("bench.run:begin") == 1 and "clean | 0.5 %" not in again
    assert again == docs_section.replace(PAGE, "bench.run", "second run")


def test_a_missing_section_is_appended() -> None:
    page = "# Benchmark\n\nBy hand.\n"
    new = docs_section.replace(page, "bench.metadata", "the table")
    assert new == (
        "# Benchmark\n\nBy hand.\n\n"
        "<!-- bench.metadata:begin -->\nthe table\n<!-- bench.metadata:end -->\n"
    )
    assert docs_section.replace("", "bench.run", "x") == (
        "<!-- bench.run:begin -->\nx\n<!-- bench.run:end -->\n"
    )


def test_broken_markers_are_refused_before_a_run(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        docs_section.replace("<!-- bench.run:begin -->\nno end\n", "bench.run", "x")
    with pytest.raises(ValueError):
        docs_section.replace("no begin\n<!-- bench.run:end -->\n", "bench.run", "x")
    page = tmp_path / "benchmark.md"
    page.write_text("<!-- bench.run:begin -->\n", encoding="utf-8")
    with pytest.raises(ValueError):
        docs_section.check(page, "bench.run")
    with pytest.raises(FileNotFoundError):
        docs_section.check(tmp_path / "no-such-folder" / "benchmark.md", "bench.run")
    docs_section.check(tmp_path / "new.md", "bench.run")  # a page to be made is fine


def test_write_rewrites_the_file_and_records_machine_date_and_command(tmp_path: Path) -> None:
    page = tmp_path / "benchmark.md"
    page.write_text(PAGE, encoding="utf-8")
    with docs_section.kept_stdout() as kept:
        print("profile  WER")
        print("clean    0.50%")
    assert kept.getvalue() == "profile  WER\nclean    0.50%\n"
    when = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    command = ".venv/bin/python -m bench.run --memory --docs-md docs/benchmark.md"
    docs_section.write(page, "bench.run", docs_section.recorded(command, kept.getvalue(), when))
    text = page.read_text(encoding="utf-8")
    section = text.split("<!-- bench.run:begin -->\n")[1].split("<!-- bench.run:end -->")[0]
    assert section.startswith(f"Recorded 2026-03-01 09:30 +0700 on {os.cpu_count()} CPUs (")
    assert f"```sh\n{command}\n```" in section
    assert "```text\nprofile  WER\nclean    0.50%\n```" in section
    assert text.startswith("# Benchmark\n\nHow it is measured, by hand.\n\n")
    assert text.endswith("Not recorded yet either.\n<!-- bench.metadata:end -->\n\nThe end, by hand.\n")
    assert [p.name for p in tmp_path.iterdir()] == ["benchmark.md"]  # no temporary file left


def test_the_command_line_is_shown_as_run() -> None:
    line = docs_section.command_line("bench.metadata", ["--docs", "48", "--seed", "2000"])
    assert line.endswith(" -m bench.metadata --docs 48 --seed 2000")


def test_both_benchmarks_offer_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    from bench import metadata, run

    assert run._parser().parse_args(["--docs-md", "docs/benchmark.md"]).docs_md == Path(
        "docs/benchmark.md"
    )
    with pytest.raises(SystemExit):
        metadata.main(["--help"])
    assert "--docs-md" in capsys.readouterr().out


def test_a_broken_page_stops_either_benchmark_before_it_runs(tmp_path: Path) -> None:
    from bench import metadata, run

    page = tmp_path / "benchmark.md"
    page.write_text("<!-- bench.run:end -->\n<!-- bench.metadata:begin -->\n", encoding="utf-8")
    assert run.main(["--docs-md", str(page), "--out", str(tmp_path / "results")]) == 2
    assert not (tmp_path / "results").exists()
    with pytest.raises(SystemExit) as stopped:
        metadata.main(["--docs-md", str(page)])
    assert stopped.value.code == 2
