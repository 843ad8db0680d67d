# Sourced by tests that need a loopback kernel.org: httpd_start DOCROOT starts busybox httpd
# on a free 127.0.0.1 port serving DOCROOT (CGI under DOCROOT/cgi-bin) and sets P (the port)
# and SRV_PID; listening PORT says whether something accepts on it. The caller stops it.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
httpd_start() {
	SRV_PID=
	local try i
	for try in $(seq 20); do
		P=$((20000 + RANDOM % 30000))
		listening "$P" && continue
		busybox httpd -f -p "127.0.0.1:$P" -h "$1" &
		SRV_PID=$!
		disown "$SRV_PID"   # no "Terminated" notice when the caller stops it
		for i in $(seq 20); do listening "$P" && break; sleep 0.1; done
		listening "$P" && kill -0 "$SRV_PID" 2>/dev/null && return 0
		kill "$SRV_PID" 2>/dev/null; SRV_PID=
	done
	echo "could not start busybox httpd on a loopback port" >&2
	return 1
}
