#!/usr/bin/env python3
"""bench/measure.py - run one command and say what it cost.

usage: python3 bench/measure.py STDERR_FILE CMD [ARG...]

Runs CMD with its standard output discarded and its standard error in
STDERR_FILE, and prints one line: WALL_SECONDS PEAK_RSS_KIB CPU_SECONDS.
The wall time is taken right around the spawn and the wait, so it is the
command's own, without the start-up of the tools that time it (on a small
virtual machine, a `date` or GNU time process on each side adds 10-20 ms,
as much as a warm licgate scan).  Peak RSS and CPU time (user + system)
come from wait4(2): the command and every process it waited for.  Exits
with the command's status (128 + N for signal N).
"""
import os
import sys
import time


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    err_path, cmd = sys.argv[1], sys.argv[2:]
    with open(os.devnull, "wb") as out, open(err_path, "wb") as err:
        actions = [(os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                   (os.POSIX_SPAWN_DUP2, err.fileno(), 2)]
        t0 = time.perf_counter()
        pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=actions)
        _, status, ru = os.wait4(pid, 0)
        t1 = time.perf_counter()
    print(f"{t1 - t0:.6f} {ru.ru_maxrss} {ru.ru_utime + ru.ru_stime:.4f}")
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
