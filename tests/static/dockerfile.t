#!/usr/bin/env bash
# The Dockerfile says what the container contract asks for: two stages,
# the build stage from the Kore image the build argument KORE_IMAGE names
# (default kore/kodev:4.3.0-rc5-bookworm, pinned), the -dev packages
# installed before the sources are copied (so that a
# source-only change reuses that layer), a runtime stage without build
# tools, UID 1001, port 8000, the contract's HEALTHCHECK, kore started
# directly in exec form, and no secret in any ENV, ARG or LABEL. Also the
# .dockerignore and the deployment examples (compose, Kubernetes).
# Static: no Docker needed (tests/build/verify_production_image.sh builds
# and runs the image where Docker is available).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh

[ -f Dockerfile ] || { echo "not ok 1 - Dockerfile exists"; echo "1..1"; exit 1; }

# The logical instructions, one per line: comment lines dropped and
# continuation lines joined, as Docker reads them.
instructions() {
	awk '
		/^[[:space:]]*#/ { next }
		{ line = line $0 }
		/\\[[:space:]]*$/ { sub(/\\[[:space:]]*$/, " ", line); next }
		{ if (line ~ /[^[:space:]]/) print line; line = "" }
	' "$1"
}
mapfile -t all < <(instructions Dockerfile)

# Instructions per stage: stage 0 is the first FROM and what follows it.
stage_of=()
froms=()
stage=-1
for i in "${!all[@]}"; do
	kw=$(awk '{ print toupper($1) }' <<<"${all[$i]}")
	if [ "$kw" = FROM ]; then
		stage=$((stage + 1))
		froms+=("${all[$i]}")
	fi
	stage_of[i]=$stage
done

# in_stage N KEYWORD: that stage's instructions with this keyword.
in_stage() {
	local i
	for i in "${!all[@]}"; do
		[ "${stage_of[$i]}" -eq "$1" ] || continue
		if [ "$(awk '{ print toupper($1) }' <<<"${all[$i]}")" = "$2" ]; then
			echo "${all[$i]}"
		fi
	done
}
# index_of N REGEX: the position of the first instruction of stage N
# matching REGEX (case-insensitive), or -1.
index_of() {
	local i
	for i in "${!all[@]}"; do
		[ "${stage_of[$i]}" -eq "$1" ] || continue
		if grep -qiE -- "$2" <<<"${all[$i]}"; then
			echo "$i"
			return
		fi
	done
	echo -1
}
has() { grep -qE -- "$2" <<<"$1" && echo 0 || echo 1; }

# The ARGs before the first FROM that have a default, NAME=DEFAULT one a
# line (quotes dropped): the only ones a FROM line can use.
global_args=$(in_stage -1 ARG | sed -E 's/^[A-Za-z]+ +//' | tr -d "\"'" | grep '=')
# resolve IMAGE: IMAGE with ${NAME} and $NAME replaced by those defaults.
resolve() {
	local image=$1 name value
	while IFS='=' read -r name value; do
		[ -n "$name" ] || continue
		image=${image//"\${$name}"/$value}
		image=${image//"\$$name"/$value}
	done <<<"$global_args"
	echo "$image"
}

# --- The Kore base image: a build argument -----------------------------------

KORE_DEFAULT=kore/kodev:4.3.0-rc5-bookworm
is "$(sed -n 's/^KORE_IMAGE=//p' <<<"$global_args")" "$KORE_DEFAULT" \
    "ARG KORE_IMAGE before the first FROM, default $KORE_DEFAULT"
like "${froms[0]:-}" '^FROM +[$]\{?KORE_IMAGE\}? ' \
    "the build stage starts FROM \${KORE_IMAGE}"

# --- Stages ------------------------------------------------------------------

is "${#froms[@]}" 2 "two stages (two FROM lines)"
for f in "${froms[@]}"; do
	image=$(resolve "$(awk '{ print $2 }' <<<"$f")")
	ok "$(has "$image" '^[^:@$]+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$')" \
	    "base image $image is pinned by tag or digest"
	unlike "$image" ':latest$' "base image $image is not :latest"
done
like "${froms[0]:-}" '[Aa][Ss] +build$' "the first stage is named build"
last=$(( ${#froms[@]} - 1 ))

# --- Build stage: dependencies before sources --------------------------------

deps=$(index_of 0 '^RUN .*(apt-get install|apk add).*-dev')
first_copy=$(index_of 0 '^COPY ')
ok "$([ "$deps" -ge 0 ] && echo 0 || echo 1)" \
    "the build stage installs the -dev packages in a RUN of its own"
ok "$([ "$deps" -ge 0 ] && [ "$first_copy" -gt "$deps" ] && echo 0 || echo 1)" \
    "... before the first COPY, so a source-only change reuses that layer"
dep_line=
[ "$deps" -ge 0 ] && dep_line=${all[$deps]}
for pkg in libpq-dev libcurl4-openssl-dev libjwt-dev libyajl-dev libssl-dev \
    libvips-dev libavformat-dev libavcodec-dev libswscale-dev libavutil-dev; do
	ok "$(has "$dep_line" "$pkg")" "the dependency layer installs $pkg"
done

copies=$(in_stage 0 COPY)
unlike "$copies" 'COPY +(--[a-z]+=[^ ]+ +)*\. ' \
    "the build stage copies named paths, not the whole context"
for path in conf/build.conf kore.conf.in tools/genconf src/ assets/; do
	ok "$(has "$copies" " $path")" "the build stage copies $path"
done
runs=$(in_stage 0 RUN)
kore_check=$(grep -E 'kore -v' <<<"$runs")
for f in pgsql curl tasks; do
	ok "$(has "$kore_check" "kore -v.* $f( |;|$)")" \
	    "the build stage checks that the base's kore has $f"
done
ok "$(has "$runs" 'tools/genconf prod')" "the build stage generates the production config"
ok "$(has "$runs" 'kodev flavor prod')" "the build stage selects the prod flavor"
ok "$(has "$runs" 'kodev build')" "the build stage runs kodev build"
ok "$(has "$runs" 'npm ci --omit=dev')" \
    "the build stage installs Swagger UI as tools/openapi's lockfile pins it"
ok "$(has "$runs" 'tools/vendor-apidocs')" \
    "the build stage copies Swagger UI's files into the assets"

# --- Runtime stage -----------------------------------------------------------

runtime_runs=$(in_stage "$last" RUN)
unlike "$runtime_runs" '(^|[[:space:]])(nodejs|npm)([[:space:]]|$)' \
    "the runtime stage installs no Node.js or npm"
unlike "$runtime_runs" '[a-z0-9]-dev( |$)|build-essential|gcc|g\+\+|make |git ' \
    "the runtime stage installs no -dev package or build tool"
for pkg in libvips42 libavformat59 libavcodec59 libswscale6 libavutil57; do
	ok "$(has "$runtime_runs" "$pkg")" "the runtime stage installs $pkg"
done
runtime_copies=$(in_stage "$last" COPY)
ok "$(has "$runtime_copies" '--from=build .*/bin/kore ')" \
    "the runtime stage takes the kore binary from the build stage"
ok "$(has "$runtime_copies" '--from=build .*\.so +/app/reactbin\.so')" \
    "the module is /app/reactbin.so"
ok "$(has "$runtime_copies" '--from=build .* +/app/kore\.conf')" \
    "the configuration is /app/kore.conf"

user=$(in_stage "$last" USER | awk '{ print $2 }' | tail -n 1)
if [[ $user =~ ^1001(:1001)?$ ]]; then
	ok 0 "USER is UID 1001 ($user)"
else
	ok "$(has "$runtime_runs" "useradd .*(--uid|-u) 1001 .*${user:-none}( |$)")" \
	    "USER $user is created with UID 1001"
fi
ok "$(has "$runtime_runs" 'groupadd .*(--gid|-g) 1001')" "the group has GID 1001"
ok "$(has "$runtime_runs" 'useradd .*(--uid|-u) 1001')" "appuser has UID 1001"
is "$(in_stage "$last" WORKDIR | awk '{ print $2 }' | tail -n 1)" /app "WORKDIR is /app"
ok "$(has "$(in_stage "$last" EXPOSE)" '(^| )8000(/tcp)?( |$)')" "EXPOSE 8000"

hc=$(in_stage "$last" HEALTHCHECK)
for opt in --interval=30s --timeout=5s --start-period=10s --retries=3; do
	ok "$(has "$hc" "(^| )$opt( |$)")" "HEALTHCHECK $opt"
done
ok "$(has "$hc" 'http://(127\.0\.0\.1|localhost):8000/api/v1/health')" \
    "HEALTHCHECK asks /api/v1/health on port 8000"

stopsig=$(in_stage "$last" STOPSIGNAL | awk '{ print $2 }')
ok "$([ -z "$stopsig" ] || [ "$stopsig" = SIGTERM ] && echo 0 || echo 1)" \
    "the stop signal is SIGTERM"

start=$(in_stage "$last" ENTRYPOINT | tail -n 1)
[ -n "$start" ] || start=$(in_stage "$last" CMD | tail -n 1)
like "$start" '^[A-Z]+ +\[' "kore is started in exec form (PID 1, gets SIGTERM)"
ok "$(has "$start" '\[ *"(/usr/local/bin/)?kore"')" "the start command is kore itself"
for arg in -r -n; do
	ok "$(has "$start" "\"$arg\"")" "kore gets $arg"
done
ok "$(has "$start" '"-c", *"/app/kore\.conf"')" "kore gets -c /app/kore.conf"
unlike "$start" '"-d"|"sh"|"bash"' "no daemon mode and no shell in front of kore"

# --- Nothing secret in the image ---------------------------------------------

contract_vars='JWT_SECRET_KEY|OWNER_USERNAME|OWNER_PASSWORD|DATABASE_URL|S3_ENDPOINT_URL|S3_BUCKET_NAME|S3_ACCESS_KEY_ID|S3_SECRET_ACCESS_KEY|S3_REGION|JWT_EXPIRY_SECONDS|MAX_UPLOAD_BYTES|LOGIN_[A-Z_]+|API_BASE_URL'
secretish='SECRET|PASSW|TOKEN|PRIVATE|CREDENTIAL|ACCESS_KEY|API_KEY|_KEY$'
names=$(for i in "${!all[@]}"; do
	case "$(awk '{ print toupper($1) }' <<<"${all[$i]}")" in
	ENV|ARG) sed -E 's/^[A-Za-z]+ +//' <<<"${all[$i]}" |
	    grep -oE '(^| )[A-Za-z_][A-Za-z0-9_]*(=| |$)' | tr -d '= ' ;;
	esac
done | sort -u)
bad=$(grep -E "^($contract_vars)$" <<<"$names")
is "$bad" "" "no ENV or ARG sets a contract variable"
bad=$(grep -iE "$secretish" <<<"$names")
is "$bad" "" "no ENV or ARG has a secret-looking name"
values=$(printf '%s\n' "${all[@]}" | grep -iE '^(ENV|ARG|LABEL) ')
unlike "$values" '://[^/ "]*:[^/ "]*@' "no ENV, ARG or LABEL holds URL credentials"
unlike "$values" 'BEGIN [A-Z ]*PRIVATE KEY|change-me' "no ENV, ARG or LABEL holds a key or a placeholder"
labels=$(in_stage "$last" LABEL)
for l in source revision version; do
	ok "$(has "$labels" "org\.opencontainers\.image\.$l=")" "OCI label image.$l"
done

# --- .dockerignore -----------------------------------------------------------

if [ -f .dockerignore ]; then
	ok 0 ".dockerignore exists"
	ignore=$(grep -vE '^[[:space:]]*(#|$)' .dockerignore)
	if grep -qx '\*' <<<"$ignore"; then
		ok 0 ".dockerignore leaves everything out by default (.git, tests, cert, .env)"
	else
		for p in .git tests cert .env; do
			ok "$(has "$ignore" "^(\*\*/)?$p/?$")" ".dockerignore leaves out $p"
		done
	fi
	for p in '*.o' '*.so' .objs assets.h 'conf/*.conf'; do
		re=${p//./\\.}
		re=${re//\*/\\*}
		ok "$(has "$ignore" "^(\*\*/)?$re/?$")" ".dockerignore leaves out build output $p"
	done
	ok "$(has "$(tail -n 1 <<<"$ignore")" '^!conf/build\.conf$')" \
	    ".dockerignore keeps conf/build.conf (last word)"
else
	ok 1 ".dockerignore exists"
fi

# --- Deployment examples -----------------------------------------------------

if [ -f .env.example ]; then
	for v in JWT_SECRET_KEY OWNER_USERNAME OWNER_PASSWORD DATABASE_URL \
	    S3_ENDPOINT_URL S3_BUCKET_NAME S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY \
	    S3_REGION; do
		ok "$(has "$(cat .env.example)" "^$v=")" ".env.example lists $v"
	done
	git ls-files --error-unmatch .env >/dev/null 2>&1
	isnt $? 0 ".env itself is not committed"
fi
if [ -f docker-compose.yml ]; then
	compose=$(cat docker-compose.yml)
	ok "$(has "$compose" 'env_file:')" "compose: the api reads its variables from an env file"
	ok "$(has "$compose" 'read_only: *true')" "compose: the api's root filesystem is read-only"
	ok "$(has "$compose" 'minio/mc')" "compose: a one-shot minio/mc creates the bucket"
fi
k8s=
for f in deploy/kubernetes.yaml k8s/*.yaml; do
	[ -f "$f" ] && { k8s=$f; break; }
done
if [ -n "$k8s" ]; then
	manifest=$(cat "$k8s")
	grace=$(sed -nE 's/^ *terminationGracePeriodSeconds: *([0-9]+).*/\1/p' <<<"$manifest")
	ok "$([ "${grace:-0}" -ge 30 ] && echo 0 || echo 1)" \
	    "kubernetes: terminationGracePeriodSeconds >= 30 ($grace)"
	ok "$(has "$manifest" 'readOnlyRootFilesystem: *true')" "kubernetes: read-only root"
	ok "$(has "$manifest" 'runAsNonRoot: *true')" "kubernetes: runAsNonRoot"
	ok "$(has "$manifest" 'runAsUser: *1001')" "kubernetes: runAsUser 1001"
	ok "$(has "$manifest" 'path: */api/v1/ready')" "kubernetes: readiness probe on /api/v1/ready"
	ok "$(has "$manifest" 'path: */api/v1/health')" "kubernetes: liveness probe on /api/v1/health"
	ok "$(has "$manifest" 'secretRef:')" "kubernetes: the variables come from a Secret"
fi

done_testing
