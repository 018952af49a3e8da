"""CubQueue's task launcher: starts task processes for the server, so that the server never forks.

A server's fork copies its page tables and then takes a page fault for every page either side
writes, which costs more the larger the server is; this small, long-lived process starts each
task with posix_spawn (vfork-like: nothing is copied) instead. It is the server's child, and
speaks newline-delimited JSON on its stdin (requests) and stdout (replies and events):

  -> {"spawn": N, "program": "/bin/sh", "args": [...], "cwd": D, "env": {...}, "log": F}
  <- {"spawned": N, "pid": P}            or  {"failed": N, "code": "ENOENT", "message": "..."}
  -> {"release": P}                      the gate opens: "go" is written to the task's stdin
  -> {"abandon": P}                      the gate closes: its stdin ends, the script never runs
  <- {"exit": P, "code": C, "signal": S} the process ended (code or signal is null)

Each task is what the server would have started itself: the program in a new session, in D,
with only the given environment, every signal at its default and none blocked (but glibc's two
internal ones, which its posix_spawn leaves ignored and glibc programs take back), its stdin a
pipe the launcher holds (the gate) and its stdout and stderr the log F, created here, new
(never a file, FIFO or symlink already there) and appended to.

The launcher lives as long as its stdin: when the server goes away, crashed or stopped, it
closes the gates it still holds, so that no task whose process the server had not recorded
ever runs its script, and exits. Tasks it started keep running in their own sessions; the next
server finds them by their recorded pid, as it finds any task an earlier server started.

Standard library only, Python 3.8 or later (posix_spawn with setsid).
"""

import errno
import json
import os
import selectors
import signal
import sys

PROTOCOL = 1


def main():
    if sys.version_info < (3, 8) or not hasattr(os, "posix_spawn"):
        send({"unusable": "Python 3.8 or later, with os.posix_spawn, is needed"})
        return 3
    # The server decides when this process ends (by closing its stdin), not the terminal: a
    # Ctrl-C reaches the server, which stops gracefully. Tasks get every signal back at its default.
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    defaults = signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP}
    # A handler of its own, so that SIGCHLD interrupts the wait below (through the wakeup fd).
    wakeup_read, wakeup_write = os.pipe()
    os.set_blocking(wakeup_read, False)
    os.set_blocking(wakeup_write, False)
    signal.set_wakeup_fd(wakeup_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)

    gates = {}
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ, "requests")
    selector.register(wakeup_read, selectors.EVENT_READ, "children")
    send({"ready": PROTOCOL, "python": "%d.%d.%d" % sys.version_info[:3]})
    pending = b""
    try:
        while True:
            for key, _ in selector.select():
                if key.data == "children":
                    drain(wakeup_read)
                    reap(gates)
                    continue
                chunk = os.read(0, 1 << 16)
                if not chunk:
                    return 0
                lines = (pending + chunk).split(b"\n")
                pending = lines.pop()
                for line in lines:
                    if line.strip():
                        handle(json.loads(line), gates, defaults)
            # A child that ended between two reaps is found here too.
            reap(gates)
    except BrokenPipeError:
        return 0
    finally:
        # Unreleased gates close with this process in any case; closing them here says so.
        for gate in gates.values():
            close_quietly(gate)


def handle(request, gates, defaults):
    if "spawn" in request:
        try:
            pid, gate = spawn(request, defaults)
        except OSError as error:
            code = errno.errorcode.get(error.errno, "EIO")
            send({"failed": request["spawn"], "code": code, "message": "%s: %s" % (code, error.strerror)})
            return
        gates[pid] = gate
        send({"spawned": request["spawn"], "pid": pid})
    elif "release" in request:
        gate = gates.pop(request["release"], None)
        if gate is not None:
            try:
                os.write(gate, b"go\n")
            except OSError:
                pass  # The process is gone already: its exit says how.
            close_quietly(gate)
    elif "abandon" in request:
        gate = gates.pop(request["abandon"], None)
        if gate is not None:
            close_quietly(gate)


def spawn(request, defaults):
    """Starts one task, held at its gate; returns its pid and the gate's write end."""
    log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        gate_read, gate_write = os.pipe()
        try:
            # posix_spawn has no working directory of its own: the child starts in this process's.
            os.chdir(request["cwd"])
            try:
                pid = os.posix_spawn(
                    request["program"],
                    [request["program"]] + request["args"],
                    request["env"],
                    file_actions=[
                        (os.POSIX_SPAWN_DUP2, gate_read, 0),
                        (os.POSIX_SPAWN_DUP2, log, 1),
                        (os.POSIX_SPAWN_DUP2, log, 2),
                    ],
                    setsid=True,
                    setsigmask=(),
                    setsigdef=defaults,
                )
            finally:
                os.chdir("/")
        except BaseException:
            close_quietly(gate_write)
            raise
        finally:
            close_quietly(gate_read)
    finally:
        close_quietly(log)
    return pid, gate_write


def reap(gates):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        gate = gates.pop(pid, None)
        if gate is not None:
            close_quietly(gate)
        if os.WIFSIGNALED(status):
            send({"exit": pid, "code": None, "signal": signal_name(os.WTERMSIG(status))})
        elif os.WIFEXITED(status):
            send({"exit": pid, "code": os.WEXITSTATUS(status), "signal": None})


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
    data = (json.dumps(message, separators=(",", ":")) + "\n").encode()
    while data:
        data = data[os.write(1, data):]


def close_quietly(fd):
    try:
        os.close(fd)
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
