#!/usr/bin/env bash
# A throwaway MariaDB for tests and the benchmark, in its own directory, on a free loopback port.
#   mariadb.sh start DIR   create DIR/data once, start mariadbd, print the port (DIR/port)
#   mariadb.sh stop DIR    stop it (by the pid it wrote) and wait until it is gone
# The admin is app/apppw with all privileges and GRANT OPTION, as the RDS master user has: the tests
# use it as the migrate container's admin, which creates the app user and its grants, and create
# their own databases with it.
set -euo pipefail

cmd=${1:?usage: mariadb.sh start|stop DIR}
dir=${2:?usage: mariadb.sh start|stop DIR}
mkdir -p "$dir/tmp"
dir=$(cd "$dir" && pwd)

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

user_opt=()
[ "$(id -u)" -eq 0 ] && user_opt=(--user=root)

case "$cmd" in
  start)
    first=0
    if [ ! -d "$dir/data/mysql" ]; then
      # Its own tmpdir: the bootstrap's temporary tables must not share /tmp with other servers or clean-ups.
      mariadb-install-db --no-defaults "${user_opt[@]}" --datadir="$dir/data" --tmpdir="$dir/tmp" \
        --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 \
        || { cat "$dir/install.log" >&2; exit 1; }
      first=1
    fi
    [ -s "$dir/port" ] || free_port >"$dir/port"
    port=$(cat "$dir/port")
    mariadbd --no-defaults "${user_opt[@]}" --datadir="$dir/data" --tmpdir="$dir/tmp" --socket="$dir/mdb.sock" \
      --port="$port" --bind-address=127.0.0.1 --pid-file="$dir/mdb.pid" --log-error="$dir/mdb.err" \
      --skip-name-resolve --innodb-buffer-pool-size=64M --max-connections=500 >/dev/null 2>&1 &
    for _ in $(seq 1 300); do
      mariadb-admin --no-defaults --socket="$dir/mdb.sock" -uroot ping >/dev/null 2>&1 && break
      sleep 0.1
    done
    mariadb-admin --no-defaults --socket="$dir/mdb.sock" -uroot ping >/dev/null 2>&1 \
      || { echo "mariadb.sh: server did not start; log:" >&2; tail -20 "$dir/mdb.err" >&2; exit 1; }
    if [ "$first" -eq 1 ]; then
      mariadb --no-defaults --socket="$dir/mdb.sock" -uroot -e "
        CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'apppw';
        GRANT ALL PRIVILEGES ON *.* TO 'app'@'127.0.0.1' WITH GRANT OPTION;"
    fi
    echo "$port"
    ;;
  stop)
    [ -s "$dir/mdb.pid" ] || exit 0
    pid=$(cat "$dir/mdb.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    rm -f "$dir/mdb.pid"
    ;;
  *) echo "usage: mariadb.sh start|stop DIR" >&2; exit 2 ;;
esac
