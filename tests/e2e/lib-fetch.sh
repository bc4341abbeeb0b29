# tests/e2e/lib-fetch.sh - helpers for the `bbroot fetch` tests (t01xx):
# loopback servers (the fault server, nginx with a test CA) and cache
# inspection.  Source after lib.sh.

# The static busybox the tests serve: the host's busybox-static (a deps
# package), else Debian's amd64 one fetched at test time.
static_busybox() {
	if [ -f /bin/busybox ] && file_is_static /bin/busybox; then
		echo /bin/busybox
	else
		"$TOP/tests/fixtures/debian-busybox" bin amd64
	fi
}
file_is_static() { ! LC_ALL=C readelf -l "$1" 2>/dev/null | grep -q INTERP; }

sha256_of() { sha256sum "$1" | cut -d" " -f1; }

# Files in the cache (sorted, relative), one per line.
cache_files() {
	(cd "$XDG_CACHE_HOME/bbroot" 2>/dev/null && find . -type f | sort) || true
}

# wait_for_file FILE: up to ~10 s.
wait_for_file() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	test -s "$1"
}

# start_faultserver ROOT: sets FAULT (base URL) and FAULT_LOG.
start_faultserver() {
	FAULT_LOG=$TRASH/fault.log
	rm -f "$TRASH/fault.port"
	python3 "$TOP/tests/servers/faultserver.py" --root "$1" \
		--port-file "$TRASH/fault.port" --log "$FAULT_LOG" &
	fault_pid=$!
	test_at_exit "kill $fault_pid"
	wait_for_file "$TRASH/fault.port" || return 1
	FAULT=http://127.0.0.1:$(cat "$TRASH/fault.port")
}

# make_ca DIR: a CA and a certificate for 127.0.0.1/localhost signed by it.
make_ca() {
	d=$1
	mkdir -p "$d" &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bbroot test CA" \
		-keyout "$d/ca.key" -out "$d/ca.pem" >/dev/null 2>&1 &&
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
		-keyout "$d/server.key" -out "$d/server.csr" >/dev/null 2>&1 &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' >"$d/ext" &&
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -days 2 -extfile "$d/ext" -out "$d/server.pem" >/dev/null 2>&1
}

# start_nginx ROOT CERTDIR: HTTPS on loopback; sets HTTPS_URL, HTTP_URL (the
# same files over plain http) and NGINX_LOG.  https://.../tohttp/NAME
# redirects to http://.../NAME.
start_nginx() {
	root=$1 certs=$2 port=$(free_port) hport=$(free_port)
	prefix=$TRASH/nginx
	NGINX_LOG=$prefix/access.log
	mkdir -p "$prefix/tmp" &&
	cat >"$prefix/nginx.conf" <<-CONF
	daemon off;
	master_process off;
	worker_processes 1;
	pid $prefix/nginx.pid;
	error_log $prefix/error.log;
	events { worker_connections 64; }
	http {
		access_log $NGINX_LOG;
		client_body_temp_path $prefix/tmp;
		proxy_temp_path $prefix/tmp;
		fastcgi_temp_path $prefix/tmp;
		uwsgi_temp_path $prefix/tmp;
		scgi_temp_path $prefix/tmp;
		server {
			listen 127.0.0.1:$port ssl;
			listen 127.0.0.2:$port ssl;
			ssl_certificate $certs/server.pem;
			ssl_certificate_key $certs/server.key;
			root $root;
			location /tohttp/ {
				rewrite ^/tohttp/(.*)\$ http://127.0.0.1:$hport/\$1 redirect;
			}
		}
		server {
			listen 127.0.0.1:$hport;
			root $root;
		}
	}
	CONF
	nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" &
	nginx_pid=$!
	test_at_exit "kill $nginx_pid"
	i=0
	while ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 50 ] || return 1; sleep 0.1
	done
	HTTPS_URL=https://127.0.0.1:$port
	HTTP_URL=http://127.0.0.1:$hport
}
