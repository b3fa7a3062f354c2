#!/usr/bin/env bash
# A throwaway OpenLink Virtuoso 7 (Debian virtuoso-opensource, installed by setup.sh --test) on
# loopback, as a SPARQL 1.1 engine for kg's remote-endpoint tests. Several may run at once.
#   scripts/virtuoso.sh start DIR   creates DIR (database, virtuoso.ini) unless it exists, starts
#                                   virtuoso-t on two free 127.0.0.1 ports (pid in DIR/pid, output
#                                   in DIR/log), waits until /sparql answers (at most 60 s) and
#                                   prints its base URL, http://127.0.0.1:PORT
#   scripts/virtuoso.sh stop DIR    stops it (TERM, then KILL after 10 s) and waits until it is gone
# Endpoints under the URL: /sparql (queries, GET or form POST; a POST of application/sparql-query
# never answers), /sparql-auth (updates, digest auth dba/dba), /sparql-graph-crud-auth?graph-uri=
# (Graph Store Protocol, digest auth). An existing DIR keeps its data (start a fresh DIR for a
# fresh store); each start picks new ports and rewrites DIR/virtuoso.ini.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# = 2 ] || usage
cmd=$1
[ "$cmd" = start ] && mkdir -p "$2"
[ -d "$2" ] || { [ "$cmd" = stop ] && exit 0; usage; }
dir=$(cd "$2" && pwd)

# kill -0 also succeeds on a zombie (an exited child not yet reaped): look at its state too.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}

# The pid in DIR/pid, if that process is still a virtuoso-t (the pid may have been reused).
running_pid() {
  local pid
  [ -f "$dir/pid" ] || return 1
  pid=$(cat "$dir/pid")
  [ -n "$pid" ] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q virtuoso-t || return 1
  echo "$pid"
}

# Two distinct free loopback ports: both sockets are held open until both are chosen.
free_ports() {
  python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))'
}

write_ini() { # SQL_PORT HTTP_PORT
  cat >"$dir/virtuoso.ini" <<EOF
; Written by scripts/virtuoso.sh: a small test instance on loopback only.
[Database]
DatabaseFile       = $dir/virtuoso.db
ErrorLogFile       = $dir/virtuoso.log
LockFile           = $dir/virtuoso.lck
TransactionFile    = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $dir/virtuoso-temp.db
TransactionFile    = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

; No VADInstallDir: otherwise a new database installs the Conductor package on its first start.
; No [Plugins]: the wiki/wbxml hosting plugins are not needed. ResultSetMaxRows and
; MaxQueryExecutionTime are left unset (no row cap, no time limit, so no partial "anytime" results).
[Parameters]
ServerPort           = 127.0.0.1:$1
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
O_DIRECT             = 0
CaseMode             = 2
MaxStaticCursorRows  = 5000
AllowOSCalls         = 0
SchedulerInterval    = 10
DirsAllowed          = ., $dir
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize    = 100000
SingleCPU            = 0
PrefixResultNames    = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps        = 64
MaxMemPoolSize       = 100000000
MaxQueryMem          = 1G
VectorSize           = 1000
MaxVectorSize        = 1000000
AdjustVectorSize     = 0
ThreadsPerQuery      = 2
AsyncQueueMaxThreads = 4
MaxSortedTopRows     = 1000000
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000

[HTTPServer]
ServerPort                  = 127.0.0.1:$2
ServerRoot                  = $dir/vsp
MaxClientConnections        = 10
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
MaxCachedProxyConnections   = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[URIQA]
DynamicLocal = 0
DefaultHost  = 127.0.0.1:$2

[SPARQL]
DeferInferenceRulesInit = 0
EOF
}

start() {
  local pid sql http tries=0 deadline
  if pid=$(running_pid); then echo "virtuoso.sh: already running in $dir (pid $pid)" >&2; exit 1; fi
  command -v virtuoso-t >/dev/null || {
    echo "virtuoso.sh: virtuoso-t not found (run scripts/setup.sh --test)" >&2; exit 1; }
  mkdir -p "$dir/vsp"
  deadline=$(( $(date +%s) + 60 ))
  while :; do
    tries=$((tries + 1))
    read -r sql http < <(free_ports) || { echo "virtuoso.sh: could not pick free ports" >&2; exit 1; }
    write_ini "$sql" "$http"
    virtuoso-t +foreground +configfile "$dir/virtuoso.ini" </dev/null >"$dir/log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/pid"
    # Interrupted while waiting: do not leave the half-started server behind.
    trap 'kill -KILL '"$pid"' 2>/dev/null; rm -f "$dir/pid"; exit 130' INT TERM HUP
    while alive "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do
      if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
                "http://127.0.0.1:$http/sparql?query=ASK%7B%7D" || true)" = 200 ]; then
        trap - INT TERM HUP
        echo "http://127.0.0.1:$http"
        return 0
      fi
      sleep 0.2
    done
    if alive "$pid"; then  # still starting at the deadline
      echo "virtuoso.sh: not ready after 60 s; log $dir/log:" >&2
      tail -n 30 "$dir/log" >&2
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      rm -f "$dir/pid"
      exit 1
    fi
    rm -f "$dir/pid"
    # Another process may have taken a port between free_ports and the bind: try other ports.
    if [ $tries -lt 3 ] && [ "$(date +%s)" -lt "$deadline" ] &&
       grep -qi 'failed http listen\|failed to start listening\|address already in use' "$dir/log"; then
      continue
    fi
    echo "virtuoso.sh: virtuoso-t exited during start; log $dir/log:" >&2
    tail -n 30 "$dir/log" >&2
    exit 1
  done
}

stop() {
  local pid i
  pid=$(running_pid) || { rm -f "$dir/pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 100); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do sleep 0.1; done
  fi
  rm -f "$dir/pid"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
