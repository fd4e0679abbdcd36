"""Helpers shared by the benchmark scripts: timing, peak memory of a child process, output."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float  # user + system: steadier than wall time on a shared machine
    stdout: str


def run_measured(code: str, *args: str) -> Run:
    """Run `python -c code args` in a fresh process; its peak RSS, and the wall and CPU time of
    the part the code brackets with `start()` / `stop()` (so interpreter and library start-up,
    the same for every product, is not counted). Processes it starts count too: their CPU time is
    added, and their peak RSS is added to its own (an upper bound of the pair's peak).

    Each measured step runs in its own child so its peak memory is its own.
    """
    wrapper = (
        "import resource, sys, time, json\n"
        "_t = {}\n"
        "def _cpu():\n"
        "    u, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "    return u.ru_utime + u.ru_stime + c.ru_utime + c.ru_stime\n"
        "def start(): _t['w'], _t['c'] = time.perf_counter(), _cpu()\n"
        "def stop(): _t['w'], _t['c'] = time.perf_counter() - _t['w'], _cpu() - _t['c']\n"
        f"exec(compile({code!r}, 'bench', 'exec'))\n"
        "elapsed, cpu = _t['w'], _t['c']\n"
        "rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "       + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024\n"
        "print('__BENCH__' + json.dumps({'seconds': elapsed, 'rss': rss, 'cpu': cpu}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{proc.stderr[-3000:]}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("__BENCH__"))
    data = json.loads(line[len("__BENCH__") :])
    return Run(data["seconds"], data["rss"], data["cpu"], proc.stdout)


def run_process(command: list[str]) -> Run:
    """A whole process, start-up included (what `/usr/bin/time` measures): wall time, its CPU
    time (user + system, with its own children) and its peak RSS (the largest of its processes)."""
    import os
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"benchmark step failed:\n{err.read()[-3000:]}")
        return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, out.read())


def peak_rss_self_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
