"""CubQueue's task launcher: starts tasks' scripts for the server and records how they end.

Why: a server that starts a process forks itself, which copies its page tables and then takes a
page fault for every page either side writes: the larger the server, the dearer each task. This
small, long-lived process starts each script itself with posix_spawn, which copies nothing, and
does what the task wrapper's shell (src/runner/task-wrapper.ts) does when the server starts
tasks itself, with no shell of its own per task. It is the server's child and speaks
newline-delimited JSON on its stdin (requests) and stdout (replies and events):

  -> {"base": {...}}                      the environment the next spawns start from
  -> {"spawn": N, "command": [...], "cwd": D, "env": {...}, "unset": [...], "log": F,
      "exitFile": X, "taskId": T, "cgroup": G, "home": H}
                                         env: the variables set over the base (or changed);
                                         unset: those of the base the task has not
  <- {"spawned": N, "pid": P, "startToken": S}  or  {"failed": N, "code": "ENOENT", "message": "..."}
  <- {"exit": P, "code": C, "signal": S} it ended (code or signal is null), its outcome is
                                         recorded and what it left running has been ended
                                         (and is gone, where it was held in a cgroup made here)

For each task, as the wrapper does, but with the script as the task's process:
- the exit record X is created here, new and private (whatever is already there, a file, FIFO or
  symlink, fails the start with EEXIST), and says "starting" before the script is started and "running <pid>" once it
  is, so that a server that did not learn the pid (it crashed meanwhile) finds it there; and
  the outcome ("exit N", N = 128 + the signal's number for a signal) once it has ended but
  before it is reaped, so that whoever sees the process gone finds its outcome. Each record is
  written in place at the same length (never truncated), and never through a symlink or into
  a FIFO the script put there;
- the script leads a new session, starts in its cgroup G (made here, and removed once its task
  has ended; the launcher steps into it to start the script, then back into H), in D, with only
  the given environment, stdin /dev/null, stdout and stderr the log F (created here, new: never
  a file, FIFO or symlink already there; appended to), and every signal at its default and none
  blocked (but glibc's two internal ones, which posix_spawn leaves ignored and glibc programs
  take back at start);
- once it has ended, whatever it left is ended: its process group, then its cgroup (all of it,
  `cgroup.kill`), or without one every process whose environment holds CUBQUEUE_TASK_ID=T.

S, the script's start time as src/runner/process-identity.ts words it (null if it has already
ended), tells its pid apart from a later process given the same pid.

The launcher outlives the server: when its stdin ends (the server stopped or crashed), it stops
reporting and goes on recording outcomes until its last task has ended; then it exits. The next
server finds those tasks by their pid, recorded in its database or in their exit record.

Standard library only, Python 3.8 or later.
"""

import errno
import json
import os
import select
import signal
import stat
import sys
import time

PROTOCOL = 5
RECORD_WIDTH = 15
# Every signal a task gets back at its default: the launcher ignores some.
SIGNALS_TO_DEFAULT = signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP}


class Task:
    """A started script, until it is reaped."""

    __slots__ = ("exit_file", "task_id", "cgroup", "joined", "made_cgroup")

    def __init__(self, exit_file, task_id, cgroup, joined, made_cgroup):
        self.exit_file = exit_file
        self.task_id = task_id
        self.cgroup = cgroup
        # Whether it was started inside its cgroup (else its leftovers are found by its id).
        self.joined = joined
        self.made_cgroup = made_cgroup


def main():
    if sys.version_info < (3, 8):
        send({"unusable": "Python 3.8 or later is needed"})
        return 3
    # The server decides when this process stops reporting (by closing its stdin), not the
    # terminal: a Ctrl-C reaches the server, which stops gracefully.
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGPIPE"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    # A handler of its own, so that SIGCHLD wakes the wait below (through the wakeup fd).
    wakeup_read, wakeup_write = os.pipe()
    os.set_blocking(wakeup_read, False)
    os.set_blocking(wakeup_write, False)
    signal.set_wakeup_fd(wakeup_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)

    tasks = {}
    # The environment spawns start from (see the "base" request).
    base = {}
    # Cgroups made here, removed once the processes a kill ended have left them: [path, tries left, report].
    removals = []
    reporting = True
    send({"ready": PROTOCOL, "python": "%d.%d.%d" % sys.version_info[:3]})
    pending = b""
    while reporting or tasks or removals:
        watched = [0, wakeup_read] if reporting else [wakeup_read]
        readable, _, _ = select.select(watched, [], [], 0.01 if removals else None)
        if wakeup_read in readable:
            drain(wakeup_read)
        if 0 in readable:
            chunk = os.read(0, 1 << 16)
            if not chunk:
                reporting = False
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop()
            for line in lines:
                if line.strip() and reporting:
                    reporting = handle(json.loads(line), tasks, base)
        # Every pass: a child may have ended between two wakeups.
        for report in reap(tasks, removals) + remove_cgroups(removals):
            if reporting:
                reporting = send(report)
    return 0


def handle(request, tasks, base):
    """Carries out one request; false once the server can no longer be told anything."""
    if "base" in request:
        base.clear()
        base.update(request["base"])
        return True
    if "spawn" not in request:
        return True
    env = dict(base)
    env.update(request["env"])
    for name in request.get("unset", ()):
        env.pop(name, None)
    try:
        pid, task = spawn(request, env)
    except OSError as error:
        code = errno.errorcode.get(error.errno, "EIO")
        return send({"failed": request["spawn"], "code": code, "message": "%s: %s" % (code, error.strerror)})
    tasks[pid] = task
    return send({"spawned": request["spawn"], "pid": pid, "startToken": start_token(pid)})


def spawn(request, env):
    """Starts one task's script with its environment; returns its pid and what is known of it."""
    exit_file, cgroup, command = request["exitFile"], request["cgroup"], request["command"]
    # The script starts in the task's folder: a missing one is refused before anything is made.
    os.chdir(request["cwd"])
    try:
        # Kept open for the records written before the script can touch the file: the file made here.
        exit_fd = os.open(exit_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError:
            os.close(exit_fd)
            raise
        try:
            program = find_program(command[0], env.get("PATH", os.defpath))
            made_cgroup = False
            if cgroup:
                try:
                    os.mkdir(cgroup)
                    made_cgroup = True
                except FileExistsError:
                    pass
                except OSError:
                    cgroup = ""
            record_on(exit_fd, "starting")
            # Stepping into the cgroup: the script is born there, before it can start anything.
            joined = bool(cgroup) and move_self(cgroup)
            try:
                pid = start_process(program, command, env, log)
            finally:
                if joined and not move_self(request["home"]):
                    # Still in the task's cgroup: it must not be killed with it; its leftovers are found by id.
                    joined = False
            record_on(exit_fd, "running %d" % pid)
        finally:
            os.close(log)
            os.close(exit_fd)
    finally:
        os.chdir("/")
    return pid, Task(exit_file, request["taskId"], cgroup, joined, made_cgroup)


def start_process(program, command, env, log):
    """Starts the script's process; one that cannot run is a task that ran and failed, as a shell reports it."""
    status = 127
    if program is not None:
        start = lambda path, argv: os.posix_spawn(
            path,
            argv,
            env,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, log, 1),
                (os.POSIX_SPAWN_DUP2, log, 2),
            ],
            setsid=True,
            setsigmask=(),
            setsigdef=SIGNALS_TO_DEFAULT,
        )
        try:
            try:
                return start_when_not_busy(start, program, command)
            except OSError as error:
                if error.errno != errno.ENOEXEC:
                    raise
                # An executable file with no #! line: run by sh, as a shell runs one.
                return start("/bin/sh", ["/bin/sh", program] + command[1:])
        except OSError as error:
            os.write(log, ("cubqueue: %s: %s\n" % (command[0], error.strerror)).encode())
            status = 127 if error.errno == errno.ENOENT else 126
    else:
        os.write(log, ("cubqueue: %s: not found\n" % command[0]).encode())
    # A stand-in that ends with that status, so that it ends like any task.
    return os.posix_spawn("/bin/sh", ["sh", "-c", "exit %d" % status], {}, setsid=True)


# Waits between tries of a script that is "busy" (ETXTBSY): 0.3 s at most in all.
BUSY_WAITS = (0.005, 0.01, 0.02, 0.04, 0.08, 0.15)


def start_when_not_busy(start, path, argv):
    """Starts the program, tried again for a moment while it is open for writing somewhere (ETXTBSY).
    A process forked while the script was being copied holds the copy open until it runs its own
    program: the server forks (an on-finish command, a cleanup shell) while its folder worker copies."""
    for wait in BUSY_WAITS:
        try:
            return start(path, argv)
        except OSError as error:
            if error.errno != errno.ETXTBSY:
                raise
        time.sleep(wait)
    return start(path, argv)


BOOT_TIME = None


def start_token(pid):
    """When the process started, in whole seconds since the epoch (as process-identity.ts reads it); None once it has ended."""
    global BOOT_TIME
    try:
        if BOOT_TIME is None:
            with open("/proc/stat") as proc_stat:
                BOOT_TIME = next(int(line.split()[1]) for line in proc_stat if line.startswith("btime "))
        stat_line = read_small("/proc/%d/stat" % pid)
        # The command name (field 2) is in parentheses and may itself hold spaces, ")" or any byte.
        after_name = stat_line[stat_line.rindex(b")") + 2 :].split(b" ")
        if after_name[0] == b"Z":
            return None
        return str(BOOT_TIME + int(after_name[19]) // os.sysconf("SC_CLK_TCK"))
    except (OSError, StopIteration, ValueError, IndexError):
        # Unreadable or gone: no start time is recorded, as for a process that has already ended.
        return None


def find_program(name, path):
    """Where a command's program is: a path as given, or the first executable file of that name on PATH."""
    if "/" in name:
        return name
    for directory in path.split(os.pathsep):
        candidate = os.path.join(directory or ".", name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def move_self(cgroup):
    """Moves this process into a cgroup; false if it cannot."""
    try:
        write_small(os.path.join(cgroup, "cgroup.procs"), str(os.getpid()))
        return True
    except OSError:
        return False


def reap(tasks, removals):
    """Records, cleans up after and reaps every child that has ended; returns what to report."""
    reports = []
    while True:
        try:
            # WNOWAIT: the child stays a zombie (its pid still taken) until its outcome is recorded.
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return reports
        if info is None or info.si_pid == 0:
            return reports
        pid = info.si_pid
        task = tasks.pop(pid, None)
        if task is not None:
            killed = info.si_code in (os.CLD_KILLED, os.CLD_DUMPED)
            record(task.exit_file, "exit %d" % (128 + info.si_status if killed else info.si_status))
            end_leftovers(pid, task)
            report = {"exit": pid, "code": None if killed else info.si_status, "signal": signal_name(info.si_status) if killed else None}
            if task.made_cgroup:
                # Reported once its cgroup is empty and removed: what the kill ended is gone by then
                # (a killed process takes a moment to leave), and the task is over only then.
                removals.append([task.cgroup, 200, report])
            else:
                reports.append(report)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def end_leftovers(pid, task):
    """Ends what a task left running: its group, then its cgroup if it was started in one, else what carries its id."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    if task.joined and kill_cgroup(task.cgroup):
        return
    kill_by_task_id(task.task_id)


def remove_cgroups(removals):
    """Removes the cgroups made here once empty (a killed process takes a moment to leave); returns their tasks' reports."""
    done = []
    for removal in list(removals):
        try:
            os.rmdir(removal[0])
        except OSError as error:
            removal[1] -= 1
            if error.errno == errno.EBUSY and removal[1] > 0:
                continue
        removals.remove(removal)
        done.append(removal[2])
    return done


def kill_cgroup(cgroup):
    """Kills everything in a cgroup; false when it cannot be read (it is gone)."""
    try:
        left = read_small(os.path.join(cgroup, "cgroup.procs")).split()
    except OSError:
        return False
    if not left:
        return True
    try:
        write_small(os.path.join(cgroup, "cgroup.kill"), "1")
        return True
    except OSError:
        pass
    # Before Linux 5.14: each listed process, until none is left.
    for _ in range(10):
        for listed in left:
            try:
                os.kill(int(listed), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        try:
            left = read_small(os.path.join(cgroup, "cgroup.procs")).split()
        except OSError:
            break
        if not left:
            break
    return True


def kill_by_task_id(task_id):
    """Kills this user's processes whose environment holds CUBQUEUE_TASK_ID=<id>, in rounds (a fork made meanwhile is found in the next)."""
    marker = ("CUBQUEUE_TASK_ID=%s" % task_id).encode()
    me = os.getpid()
    for _ in range(5):
        found = False
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == me:
                continue
            try:
                with open("/proc/%s/environ" % entry, "rb") as environ:
                    variables = environ.read().split(b"\0")
            except OSError:
                continue
            if marker in variables:
                try:
                    os.kill(int(entry), signal.SIGKILL)
                    found = True
                except OSError:
                    pass
        if not found:
            return


def record(exit_file, text):
    """Writes a record over the exit file in place: never truncated, never through a symlink, never into a FIFO."""
    try:
        fd = os.open(exit_file, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            record_on(fd, text)
    except OSError:
        pass
    finally:
        os.close(fd)


def record_on(fd, text):
    """Writes a record over an exit file open here, in place; a failed write is passed over, as a lost record is."""
    try:
        os.pwrite(fd, (text.ljust(RECORD_WIDTH) + "\n").encode(), 0)
    except OSError:
        pass


# Files of /proc and /sys are read and written with plain calls: a Python file object asks
# the file for its size, whether it is a terminal and where it is, three calls more each.


def read_small(path):
    """The contents of a small file (of /proc or /sys)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 4096)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def write_small(path, text):
    """Writes text into a file of /sys at once, as one write (a cgroup file takes it as one request)."""
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return "SIG%d" % number


def drain(fd):
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def send(message):
    """Tells the server; false once it can no longer be told (it has gone)."""
    data = (json.dumps(message, separators=(",", ":")) + "\n").encode()
    try:
        while data:
            data = data[os.write(1, data) :]
        return True
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
