# shellcheck shell=bash
# free_port: print a TCP port on 127.0.0.1 that nothing listens on now.
# Random within 20000-49999, so that parallel runs rarely pick the same.

free_port() {
	local port
	for _ in $(seq 1 100); do
		port=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "free_port: no free port found" >&2
	return 1
}
