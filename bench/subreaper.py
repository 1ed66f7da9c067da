"""Runs a command as a child subreaper (Linux): waits for every process of its tree, daemons
included, then writes the CPU seconds they used (user + system, RUSAGE_CHILDREN) to stderr as
"cpu-seconds N". The benchmark uses it for task-spooler, whose job runners leave their parent."""
import ctypes
import os
import resource
import sys

PR_SET_CHILD_SUBREAPER = 36
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("cannot become a child subreaper")
main = os.fork()
if main == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
status = 1
while True:
    try:
        pid, code = os.wait()
    except ChildProcessError:
        break
    if pid == main:
        status = os.waitstatus_to_exitcode(code)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write(f"cpu-seconds {usage.ru_utime + usage.ru_stime:.3f}\n")
sys.exit(status if status >= 0 else 1)
