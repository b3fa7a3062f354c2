"""Starts measured processes for bench.py and reports each one's wall time and peak RSS.

Why a separate process: on Linux a child's peak RSS (ru_maxrss from wait4) starts at the peak of
the process that forked it, because fork copies the parent's memory and exec keeps the high-water
mark. bench.py grows as it works; this process stays at a few MiB (started with `python -S`,
imports nothing beyond built-in modules), so the figures it reports are the children's own.

Protocol, one JSON object per line: bench.py writes a request
  {"argv": [...], "env": {...}, "stdin": path|null, "stdout": path|null, "stderr": path|null, "tty": path|null}
and reads back {"pid": N} when the child has started, then
  {"wall": seconds, "rss_kb": N, "status": wait status} when it has ended.
With "tty", the child gets that terminal (a pty's slave) as its controlling terminal and its
stdin, stdout and stderr.
"""
import json
import os
import sys
import time


def main():
    out = sys.stdout
    for line in sys.stdin:
        req = json.loads(line)
        t0 = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            try:
                os.setsid()
                if req.get("tty"):
                    fd = os.open(req["tty"], os.O_RDWR)  # becomes the controlling terminal
                    for i in (0, 1, 2):
                        os.dup2(fd, i)
                else:
                    os.dup2(os.open(req.get("stdin") or os.devnull, os.O_RDONLY), 0)
                    o = os.open(req.get("stdout") or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                    os.dup2(o, 1)
                    e = os.open(req.get("stderr") or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                    os.dup2(e, 2)
                os.closerange(3, 4096)
                os.execve(req["argv"][0], req["argv"], req["env"])
            finally:
                os._exit(127)
        out.write(json.dumps({"pid": pid}) + "\n")
        out.flush()
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
        out.write(json.dumps({"wall": wall, "rss_kb": usage.ru_maxrss, "status": status}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
