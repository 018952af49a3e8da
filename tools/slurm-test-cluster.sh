#!/usr/bin/env bash
# A private, single-node Slurm cluster on this machine, for the Slurm tests and benchmark:
# munged, slurmctld and one slurmd, on loopback and private ports, with every file (key,
# sockets, state, spool, logs, slurm.conf) in one directory. It needs the Debian packages
# slurm-wlm and munge (apt-get install slurm-wlm munge) and root, as slurmd runs jobs as
# their submitter. It touches no system Slurm or munge: the daemons are stopped by the pids
# it recorded, and nothing outside its directory is written.
#
#   tools/slurm-test-cluster.sh start DIR      start one in DIR (made if missing); prints SLURM_CONF=…
#   tools/slurm-test-cluster.sh stop DIR       stop the daemons started in DIR
#   tools/slurm-test-cluster.sh run CMD ARG…   start one in a temporary directory, run CMD with
#                                              SLURM_CONF set, stop it, exit with CMD's status
#
# The node is named after `hostname -s` and offers SLURM_TEST_CPUS CPUs (default 8, more than
# most test machines have: slurmd is told to trust the configuration) and 2 GPUs, so that jobs
# asking for GPUs can be scheduled: Slurm wants a device file for each, and /dev/zero and
# /dev/full stand in (nothing opens them: TaskPlugin=task/none confines no devices).
# Accounting is off (sacct has nothing); SchedulerParameters=batch_sched_delay=0 starts a job
# as soon as it is submitted or released, and KillWait=2 ends a cancelled job 2 s after TERM.
set -euo pipefail

usage() {
  sed -n '9,12p' "$0" | sed 's/^# *//' >&2
  exit 2
}

need_programs() {
  local missing=()
  for program in munged munge slurmctld slurmd sinfo sbatch; do
    command -v "$program" >/dev/null 2>&1 || [ -x "/usr/sbin/$program" ] || missing+=("$program")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "slurm-test-cluster: missing ${missing[*]}; install them with: apt-get install slurm-wlm munge" >&2
    exit 1
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "slurm-test-cluster: slurmd must run as root (it starts jobs as their submitter); run this as root" >&2
    exit 1
  fi
}

# A TCP port nothing listens on now (the kernel picks it).
free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Starts a daemon in the foreground of a background job and records its pid.
start_daemon() {
  local name=$1
  shift
  "$@" >"$dir/log/$name.out" 2>&1 &
  echo $! >"$dir/$name.pid"
}

start() {
  dir=$(mkdir -p "$1" && cd "$1" && pwd)
  need_programs
  PATH=$PATH:/usr/sbin
  local host cpus ctld_port slurmd_port
  host=$(hostname -s)
  cpus=${SLURM_TEST_CPUS:-8}
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/munge-key" "$dir/munge"
  # munged refuses a key others can read, and a socket folder others cannot reach.
  chmod 700 "$dir/munge-key"
  chmod 755 "$dir" "$dir/munge"
  dd if=/dev/urandom of="$dir/munge-key/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge-key/munge.key"
  start_daemon munged munged --foreground --force --socket="$dir/munge/munge.socket" \
    --key-file="$dir/munge-key/munge.key" --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/munged.seed" \
    --log-file="$dir/log/munged.log"
  for _ in $(seq 1 100); do [ -S "$dir/munge/munge.socket" ] && break; sleep 0.05; done

  cat >"$dir/gres.conf" <<EOF
AutoDetect=off
Name=gpu File=/dev/zero
Name=gpu File=/dev/full
EOF
  cat >"$dir/slurm.conf" <<EOF
ClusterName=cubqueue-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/slurmd-%n
SlurmctldPidFile=$dir/slurmctld.pidfile
SlurmdPidFile=$dir/slurmd.pidfile
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
GresTypes=gpu
ReturnToService=2
KillWait=2
SlurmctldDebug=info
SlurmdDebug=info
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 Gres=gpu:2 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$dir/slurm.conf
  mkdir -p "$dir/spool/slurmd-$host"
  start_daemon slurmctld slurmctld -D -i -f "$SLURM_CONF"
  start_daemon slurmd slurmd -D -f "$SLURM_CONF"
  # Ready once the node takes jobs.
  for _ in $(seq 1 100); do
    if [ "$(sinfo --noheader --nodes="$host" --format=%t 2>/dev/null)" = idle ]; then
      echo "SLURM_CONF=$SLURM_CONF"
      return 0
    fi
    for daemon in munged slurmctld slurmd; do
      if ! kill -0 "$(cat "$dir/$daemon.pid")" 2>/dev/null; then
        echo "slurm-test-cluster: $daemon exited at start; its output:" >&2
        tail -n 20 "$dir/log/$daemon.out" >&2
        stop "$dir"
        exit 1
      fi
    done
    sleep 0.1
  done
  echo "slurm-test-cluster: the node did not become idle in 10 s; see $dir/log" >&2
  sinfo >&2 || true
  stop "$dir"
  exit 1
}

stop() {
  local dir=$1 pid
  for daemon in slurmd slurmctld munged; do
    [ -f "$dir/$daemon.pid" ] || continue
    pid=$(cat "$dir/$daemon.pid")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/$daemon.pid"
  done
}

run() {
  local status=0
  # Not local: the EXIT trap runs after this function has returned.
  run_dir=$(mktemp -d "${TMPDIR:-/tmp}/cubqueue-slurm-XXXXXX")
  trap 'stop "$run_dir"; if [ -n "${KEEP_SLURM_DIR:-}" ]; then echo "kept $run_dir" >&2; else rm -rf "$run_dir"; fi' EXIT
  local tmp=$run_dir
  start "$tmp" >/dev/null
  SLURM_CONF=$tmp/slurm.conf "$@" || status=$?
  return $status
}

case "${1:-}" in
  start) [ $# -eq 2 ] || usage; start "$2" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  run) [ $# -ge 2 ] || usage; shift; run "$@" ;;
  *) usage ;;
esac
