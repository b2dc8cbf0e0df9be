"""Benchmark: the clerks' path (watch folder → Prefect flows → ``done/``) against ``sohoa process``.

Run from the repository root::

    .venv/bin/python -m bench.run --flows [--dossiers 20] [--stable-seconds 3] [--docs-md docs/benchmark.md]

It starts the local stack on free ports under ``OUT/flows`` (a development PKI and its
timestamp service, the embedded SeaweedFS, a Prefect server, ``sohoa serve`` with its
worker), draws small dossiers (2–3 pages, ``synth``), and measures:

- **throughput**: the same dossiers through ``sohoa process --archive`` one after another
  (one command each, signed and archived, as a clerk's script would), then dropped together
  into the watch folder: from the drop to the last one in ``done/``. Target: ≤ 1.2× the
  commands' time.
- **latency**: one 2-page dossier dropped into an idle stack, from the drop to ``done/``,
  against its OCR time (as ``sohoa process`` took it) plus the stability wait. Target: the
  rest ≤ 3 s.

One dossier goes through first, untimed, as on a stack that has been running: the worker
loads its code and the OCR processes start once, not per dossier.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import synth
from bench import docs_section

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
COMMUNE = "24958"
DOCS_SECTION = "bench.flows"
THROUGHPUT_RATIO_MAX = 1.2
LATENCY_OVERHEAD_MAX = 3.0  # seconds beyond OCR and the stability wait


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def draw_dossiers(dest: Path, count: int, seed: int, pages: tuple[int, ...]) -> list[Path]:
    """``count`` dossiers of one document each, of ``pages`` pages (cycled), as JPEG folders."""
    out = []
    for i in range(count):
        n = pages[i % len(pages)]
        folder = dest / f"ho-so-{seed}-{i + 1:02d}"
        if not folder.is_dir():
            dossier = synth.make_dossier(seed=seed * 1000 + i, n_docs=1, pages_per_doc=n, profile="clean")
            tmp = folder.with_name(folder.name + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            synth.write_dossier(tmp, dossier)
            (tmp / "truth.json").unlink(missing_ok=True)  # a clerk drops scans only
            tmp.rename(folder)
        out.append(folder)
    return out


@dataclass
class Stack:
    """The local stack, each service in its own process group, stopped in reverse order."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)
    procs: list[tuple[str, subprocess.Popen]] = field(default_factory=list)

    def sohoa(self, *args: str, check: bool = True, **kw: Any) -> subprocess.CompletedProcess:
        return subprocess.run([str(VENV_BIN / "sohoa"), *args], env=self.env, check=check,
                              capture_output=True, text=True, **kw)

    def start(self, name: str, *args: str) -> subprocess.Popen:
        logf = (self.root / f"{name}.log").open("ab")
        proc = subprocess.Popen([str(VENV_BIN / "sohoa"), *args], env=self.env, stdout=logf,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((name, proc))
        return proc

    def stop(self) -> None:
        for _, proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _, proc in reversed(self.procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.sohoa("storage", "down", check=False)


def wait_for(what: str, ready, timeout: float = 180.0, every: float = 0.5, procs=()) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if ready():
            return
        for name, proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} stopped (exit {proc.returncode}) while waiting for {what}")
        time.sleep(every)
    raise TimeoutError(f"{what}: not ready after {timeout:.0f} s")


def start_stack(root: Path, stable_seconds: float, database: str = "sqlite") -> tuple[Stack, Path]:
    shutil.rmtree(root / "state", ignore_errors=True)
    state = root / "state"
    state.mkdir(parents=True)
    prefect_port, s3_port, tsa_port = free_port(), free_port(), free_port()
    watch = state / "watch"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOHOA_", "PREFECT_"))}
    env.update({
        "OMP_THREAD_LIMIT": "1",
        "PREFECT_HOME": str(state / "prefect"),
        "PREFECT_API_URL": f"http://127.0.0.1:{prefect_port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "SOHOA_STORAGE__DATA_DIR": str(state / "seaweedfs"),
        "SOHOA_STORAGE__PORT": str(s3_port),
        "SOHOA_INTAKE__STATE_DIR": str(state / "intake"),
        "SOHOA_INTAKE__FOLDERS": json.dumps({COMMUNE: str(watch)}),
        "SOHOA_INTAKE__STABLE_SECONDS": str(stable_seconds),
        "SOHOA_FLOWS__AUDIT_SCHEDULE": "",
        "SOHOA_FLOWS__REPORT_SCHEDULE": "",
    })
    stack = Stack(state, env)
    try:
        return _start(stack, state, env, prefect_port, tsa_port, database), watch
    except BaseException:
        stack.stop()  # what did start, stopped: a failed start leaves nothing running
        raise


def _start(stack: Stack, state: Path, env: dict[str, str], prefect_port: int, tsa_port: int,
           database: str) -> Stack:
    pki = state / "dev-pki"
    stack.sohoa("dev-pki", str(pki), "--port", str(tsa_port))
    for line in (pki / "signing.env").read_text().splitlines():
        key, _, value = line.partition("=")
        if key and not key.startswith("#"):
            env[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    env["SOHOA_CONFIG"] = str(pki / "signing.yaml")
    tsa = stack.start("tsa", "dev-pki", str(pki), "--serve")
    wait_for("the timestamp service", lambda: _port_open(tsa_port), procs=[("tsa", tsa)])
    log("S3 store (SeaweedFS)")
    for bucket in ("bench-commands", "bench-flows"):
        stack.env["SOHOA_STORAGE__BUCKET"] = bucket
        stack.sohoa("storage", "up")
    log(f"Prefect server on {database} (its first start creates the database)")
    on = ["--database", database, "--database-dir", str(state / "prefect-postgres"),
          "--database-port", str(free_port())] if database != "sqlite" else []
    server = stack.start("server", "server", "--port", str(prefect_port), *on)
    wait_for("the Prefect server", lambda: _healthy(env["PREFECT_API_URL"]), procs=[("server", server)])
    return stack


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _healthy(api: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(api + "/health", timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def run_commands(stack: Stack, dossiers: list[Path], out: Path) -> float:
    """``sohoa process --archive`` on each dossier, one after another; the wall time."""
    stack.env["SOHOA_STORAGE__BUCKET"] = "bench-commands"
    started = time.perf_counter()
    for d in dossiers:
        shutil.rmtree(out / d.name, ignore_errors=True)
        stack.sohoa("process", str(d), "--output", str(out / d.name), "--commune", COMMUNE,
                    "--archive", "--quiet")
    return time.perf_counter() - started


def command_ocr_seconds(out: Path, name: str) -> float:
    """The OCR time ``sohoa process`` took on this dossier (its record's timings)."""
    record = json.loads((out / name / "record.json").read_text(encoding="utf-8"))
    return float(record["timings"]["ocr"])


SERVICES = (("prefect server", "Prefect server"), ("sohoa worker", "worker + page processes"),
            ("forkserver", "worker + page processes"), ("sohoa serve", "watcher"), ("weed", "SeaweedFS"),
            ("dev-pki", "timestamp service"), ("postgres:", "PostgreSQL"), ("bin/postgres ", "PostgreSQL"))


def cpu_by_service(root: Path) -> dict[str, float]:
    """CPU seconds so far (their own and their reaped children's) of the stack's processes."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            env = (entry / "environ").read_bytes()
        except OSError:
            continue
        if str(root).encode() not in env and str(root) not in cmd:
            continue  # another stack's, or no stack's
        for needle, name in SERVICES:
            if needle in cmd:
                out[name] = out.get(name, 0.0) + sum(int(x) for x in fields[11:15]) / tick
                break
    return out


def drop(dossier: Path, watch: Path) -> None:
    """As a scanner's software does: copied beside the folder, then moved in at once."""
    incoming = watch.parent / f".incoming-{dossier.name}"
    shutil.rmtree(incoming, ignore_errors=True)
    shutil.copytree(dossier, incoming)
    incoming.rename(watch / dossier.name)


def finished(watch: Path) -> dict[str, Path]:
    """Dossier name → its folder in ``done/`` or ``failed/`` (named ``<claim time>-<name>``)."""
    got = {}
    for where in ("done", "failed"):
        folder = watch / where
        if folder.is_dir():
            for p in folder.iterdir():
                got[p.name.split("-", 2)[-1]] = p
    return got


def wait_done(watch: Path, names: list[str], serve: subprocess.Popen, timeout: float) -> float:
    """Seconds until every name is in ``done/`` (a failure or a timeout raises)."""
    started = time.perf_counter()
    end = time.monotonic() + timeout
    while True:
        got = finished(watch)
        failed = [n for n in names if n in got and got[n].parent.name == "failed"]
        if failed:
            reason = (got[failed[0]] / "reason.txt")
            raise RuntimeError(f"{failed[0]} failed: {reason.read_text() if reason.exists() else '?'}")
        if all(n in got for n in names):
            return time.perf_counter() - started
        if serve.poll() is not None:
            raise RuntimeError(f"sohoa serve stopped (exit {serve.returncode})")
        if time.monotonic() > end:
            raise TimeoutError(f"{sum(n in got for n in names)}/{len(names)} done after {timeout:.0f} s")
        time.sleep(0.05)


def receipt(watch: Path, name: str) -> dict[str, Any]:
    return json.loads((finished(watch)[name] / "receipt.json").read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run --flows", description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--dossiers", type=int, default=20, help="small dossiers dropped together (default 20)")
    ap.add_argument("--latency-runs", type=int, default=3, help="single 2-page drops timed (default 3)")
    ap.add_argument("--stable-seconds", type=float, default=3.0,
                    help="intake.stable_seconds of the stack (default 3, as in scripts/demo.sh)")
    ap.add_argument("--database", choices=("sqlite", "postgres"), default="postgres",
                    help="the Prefect server's database (sohoa server --database): postgres (default, "
                    "a cluster of sohoa's own) or sqlite")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    ap.add_argument("--docs-md", type=Path, help="write the results into this page's bench.flows section")
    ap.add_argument("--json", type=Path, help="the figures as JSON")
    args = ap.parse_args(argv)
    if args.docs_md:
        docs_section.check(args.docs_md, DOCS_SECTION)

    root = (args.out / "flows").resolve()
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    log(f"drawing {args.dossiers} dossiers of 2–3 pages")
    batch = draw_dossiers(corpus / "batch", args.dossiers, args.seed, (2, 3))
    singles = draw_dossiers(corpus / "single", args.latency_runs + 1, args.seed + 1, (2,))
    pages = sum(len(list(d.glob("*.jpg"))) for d in batch)

    before = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the stack is stopped on the way out
    stack, watch = start_stack(root, args.stable_seconds, args.database)
    try:
        log(f"sohoa process --archive on {len(batch)} dossiers, one after another")
        commands_out = root / "state" / "commands"
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        commands = run_commands(stack, batch, commands_out)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_commands = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
        log(f"  {commands:.1f} s")
        run_commands(stack, singles[1:], commands_out)  # their OCR time, for the latency

        stack.env["SOHOA_STORAGE__BUCKET"] = "bench-flows"
        serve = stack.start("serve", "serve", "--log-dir", str(root / "state"))
        wait_for("sohoa serve", lambda: (watch / "processing").is_dir(), procs=[("serve", serve)])
        log("warm-up: one dossier through the flows (untimed)")
        drop(singles[0], watch)
        wait_done(watch, [singles[0].name], serve, timeout=600)

        log(f"{len(batch)} dossiers dropped together")
        cpu_before = cpu_by_service(root)
        for d in batch:
            drop(d, watch)
        flows = wait_done(watch, [d.name for d in batch], serve, timeout=1800)
        cpu_flows = {k: v - cpu_before.get(k, 0.0) for k, v in cpu_by_service(root).items()}
        log(f"  {flows:.1f} s")
        ocr_sum = sum(receipt(watch, d.name).get("ocrSeconds") or 0 for d in batch)

        latencies = []
        for d in singles[1:]:
            time.sleep(2)
            drop(d, watch)
            seconds = wait_done(watch, [d.name], serve, timeout=600)
            r = receipt(watch, d.name)
            ocr = command_ocr_seconds(commands_out, d.name)
            latencies.append({"seconds": seconds, "ocrSeconds": ocr, "runOcrSeconds": r.get("ocrSeconds"),
                              "runSeconds": r.get("seconds"), "overhead": seconds - args.stable_seconds - ocr})
            log(f"  one 2-page dossier: {seconds:.1f} s (OCR {ocr:.2f} s by sohoa process, "
                f"{r.get('ocrSeconds')} s in the run; run {r.get('seconds')} s)")
    finally:
        stack.stop()
        signal.signal(signal.SIGTERM, before)

    ratio = flows / commands
    overhead = statistics.median(x["overhead"] for x in latencies)
    with docs_section.kept_stdout() as report:
        print(f"{len(batch)} dossiers, {pages} pages (clean 300 dpi JPEG, signed B-T and archived); "
              f"stability wait {args.stable_seconds:g} s; Prefect on {args.database}; {os.cpu_count()} CPUs")
        print()
        print("| path | wall s | pages/s |")
        print("|---|---:|---:|")
        print(f"| `sohoa process --archive`, one after another | {commands:.1f} | {pages / commands:.2f} |")
        print(f"| dropped together, watch folder → flows → `done/` | {flows:.1f} | {pages / flows:.2f} |")
        print()
        print(f"flows / commands: {ratio:.2f}× (target ≤ {THROUGHPUT_RATIO_MAX}×) "
              f"{'PASS' if ratio <= THROUGHPUT_RATIO_MAX else 'FAIL'}; OCR inside the runs {ocr_sum:.1f} s in all")
        print()
        print(f"CPU seconds: the commands {cpu_commands:.1f}; the flows " + ", ".join(
            f"{name} {sec:.1f}" for name, sec in sorted(cpu_flows.items(), key=lambda kv: -kv[1])))
        print()
        print("| one 2-page dossier | drop → done s | its OCR s (`sohoa process`) | OCR s in the run | "
              "whole run s | stability s | the rest s |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for i, x in enumerate(latencies, 1):
            print(f"| drop {i} | {x['seconds']:.1f} | {x['ocrSeconds']:.2f} | {x['runOcrSeconds']} | "
                  f"{x['runSeconds']} | {args.stable_seconds:g} | {x['overhead']:.1f} |")
        print()
        print(f"latency beyond OCR and the stability wait (median): {overhead:.1f} s "
              f"(target ≤ {LATENCY_OVERHEAD_MAX:g} s) {'PASS' if overhead <= LATENCY_OVERHEAD_MAX else 'FAIL'}")
    if args.docs_md:
        command = docs_section.command_line("bench.run", ["--flows", *(sys.argv[1:] if argv is None else argv)])
        docs_section.write(args.docs_md, DOCS_SECTION, docs_section.recorded(command, report.getvalue()))
    if args.json:
        args.json.write_text(json.dumps({
            "dossiers": len(batch), "pages": pages, "commandsSeconds": commands, "flowsSeconds": flows,
            "ratio": ratio, "latencies": latencies, "stableSeconds": args.stable_seconds,
            "cpuCommands": cpu_commands, "cpuFlows": cpu_flows, "database": args.database,
        }, indent=2))
    return 0 if ratio <= THROUGHPUT_RATIO_MAX and overhead <= LATENCY_OVERHEAD_MAX else 1


if __name__ == "__main__":
    raise SystemExit(main())
