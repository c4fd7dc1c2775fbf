#!/bin/sh
# tests/pg/cluster.sh CMD [ARG...] - run CMD with a throwaway PostgreSQL
# server, for the history tests of the PostgreSQL backend.
#
# initdb makes a cluster in a fresh temporary directory; pg_ctl starts it
# listening on a Unix socket in that directory and on 127.0.0.1 at a free
# port. The server refuses to run as root, so as root (CI) it runs as the
# unprivileged user nobody (runuser); otherwise as the calling user. CMD
# then runs with:
#
#   FG_TEST_PG_URL       postgresql://fg@/fgtest?host=DIR&port=PORT
#                        (the socket; trust, no password)
#   FG_TEST_PG_TCP_URL   postgresql://fg@127.0.0.1:PORT/fgtest (TCP;
#                        scram-sha-256, password in FG_TEST_PG_PASSWORD)
#   FG_TEST_PG_BIN       the server's bin directory (psql is on PATH)
#
# and the server is stopped and the directory removed however CMD ends
# (exit, failure, Ctrl-C). A server that does not start is a failure,
# with its log. If FG_TEST_PG_URL is already set, CMD just runs in that
# cluster. The exit status is CMD's.
set -u
if [ -n "${FG_TEST_PG_URL:-}" ]; then
	exec "$@"
fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
	echo "tests/pg/cluster.sh: no PostgreSQL server here" \
	     "(/usr/lib/postgresql/*/bin/initdb): make deps installs it" >&2
	exit 1
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/fg-pg-XXXXXX") || exit 1
chmod 755 "$dir"
as=""
if [ "$(id -u)" = 0 ]; then
	chown nobody "$dir"
	as="runuser -u nobody --"
fi
password=fg-test-$$-$(date +%s)
started=""

stop() {
	if [ -n "$started" ]; then
		$as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop \
			>/dev/null 2>&1
	fi
	rm -rf "$dir"
}
trap 'stop' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

printf '%s\n' "$password" > "$dir/pw"
chmod 644 "$dir/pw"
if ! $as "$bin/initdb" -D "$dir/data" -U fg --pwfile="$dir/pw" \
	--auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
	>"$dir/initdb.log" 2>&1; then
	echo "tests/pg/cluster.sh: initdb failed:" >&2
	cat "$dir/initdb.log" >&2
	exit 1
fi
rm -f "$dir/pw"

# A free port can be taken between the probe and the start: try again.
for try in 1 2 3; do
	port=$(free_port) || exit 1
	if $as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -c port=$port \
		    -c unix_socket_directories=$dir -c fsync=off \
		    -c synchronous_commit=off -c full_page_writes=off \
		    -c max_connections=200 -c shared_buffers=64MB" \
		start >"$dir/pg_ctl.log" 2>&1; then
		started=1
		break
	fi
done
if [ -z "$started" ]; then
	echo "tests/pg/cluster.sh: the PostgreSQL server did not start:" >&2
	cat "$dir/pg_ctl.log" "$dir/server.log" >&2 2>/dev/null
	exit 1
fi
if ! "$bin/createdb" -h "$dir" -p "$port" -U fg fgtest >"$dir/createdb.log" 2>&1
then
	echo "tests/pg/cluster.sh: createdb failed:" >&2
	cat "$dir/createdb.log" >&2
	exit 1
fi

FG_TEST_PG_URL="postgresql://fg@/fgtest?host=$dir&port=$port"
FG_TEST_PG_TCP_URL="postgresql://fg@127.0.0.1:$port/fgtest"
FG_TEST_PG_PASSWORD=$password
FG_TEST_PG_BIN=$bin
PATH="$bin:$PATH"
export FG_TEST_PG_URL FG_TEST_PG_TCP_URL FG_TEST_PG_PASSWORD FG_TEST_PG_BIN PATH
"$@"
