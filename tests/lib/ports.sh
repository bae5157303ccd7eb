# shellcheck shell=bash
# free_port: print a TCP port on 127.0.0.1 that nothing listens on now.
# Random, so that parallel runs rarely pick the same, and below Linux's
# ephemeral range (32768 and up), where outgoing connections take their
# local ports and would make a later bind() fail.

PORTS_FIRST=20000
PORTS_COUNT=12000

free_port() {
	local port
	for _ in $(seq 1 100); do
		port=$((PORTS_FIRST + RANDOM % PORTS_COUNT))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "free_port: no free port found" >&2
	return 1
}
