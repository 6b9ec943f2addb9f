"""How long and how much memory ``rapprochement validate`` takes to refuse each hostile file.

Issue 14's "done when": each refusal within 10 s and 1 GB, one line naming the file, no
traceback. Each file of ``tests/support/hostile.py`` (and two big ones written to disk: 20,000
events, and /dev/zero) is validated in a fresh process under ``/usr/bin/time -v``; the script
prints wall time, peak resident memory, the exit status and the message, with the load average.

    .venv/bin/python bench/hostile_files.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import hostile  # noqa: E402

COMMAND = Path(sys.executable).parent / "rapprochement"


def measure(path: str) -> tuple[float, int, int, str]:
    """Wall seconds, peak RSS in kB, exit status and the first line of stderr of one validate."""
    result = subprocess.run(
        ["/usr/bin/time", "-v", str(COMMAND), "validate", path],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    err = result.stderr
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", err)
    hours, minutes, seconds = (float(g) if g else 0.0 for g in wall.groups())
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    status = int(re.search(r"Exit status: (\d+)", err).group(1))
    message = next((line for line in err.splitlines() if line.strip() and not line.startswith("\t")), "")
    if "Traceback" in err:
        message = "TRACEBACK: " + err.strip().splitlines()[-1]
    return hours * 3600 + minutes * 60 + seconds, rss, status, message


def main() -> int:
    """Write the files, validate each, print the table."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, data in {**hostile.all_refused(), "events-20000.yaml": hostile.many_events(20_000)}.items():
            path = Path(folder) / name
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(data, encoding="utf-8")
            paths.append(str(path))
        paths.append("/dev/zero")
        print(f"load average before: {open('/proc/loadavg').read().strip()}")
        print(f"{'file':<20} {'seconds':>8} {'peak MB':>8} {'exit':>5}  message")
        worst_s, worst_mb = 0.0, 0.0
        for path in paths:
            seconds, rss, status, message = measure(path)
            worst_s, worst_mb = max(worst_s, seconds), max(worst_mb, rss / 1024)
            shown = message.replace(folder + os.sep, "")
            print(f"{Path(path).name:<20} {seconds:>8.2f} {rss / 1024:>8.0f} {status:>5}  {shown[:110]}")
        print(f"worst: {worst_s:.2f} s, {worst_mb:.0f} MB (bounds: 10 s, 1024 MB)")
        print(f"load average after: {open('/proc/loadavg').read().strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
