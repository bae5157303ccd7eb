# shellcheck shell=bash
# The derivatives' benchmarks (issue 10), sourced by run.sh after lib.sh
# and cases.sh, once bench_setup ran:
#
#   1. Thumbnails per core: a 1920x1080 JPEG, a 1000x1000 PNG and a
#      100-frame 480x270 GIF, derived BENCH_DERIVE_ROUNDS times by the
#      decoders the queue runs (derive_bench.c, built here, pinned to one
#      CPU), against Debian's vipsthumbnail on the same files, one process
#      per file as a peer that spawns a tool would, pinned alike. Both make
#      a 320 px WebP; ours also the hash. Our full derivation (with the
#      preview) is a row of its own.
#   2. A clip's frame: the thumbnail of a 640x360 H.264 MP4 from the frame
#      30 % in, against ffmpeg -ss ... -frames:v 1 piped (as PNG, which
#      vipsthumbnail reads from a pipe) to vipsthumbnail.
#   3. Upload p50 with generation on (the bench instance) and off (a
#      second instance with DERIVATIVES_ENABLED=false), the same files,
#      alternating.
#   4. The peak RSS of each worker while ten 45 MB GIFs are uploaded and
#      derived by the queue (VmHWM, reset first), against the same worker
#      idle.

BENCH_DERIVE_ROUNDS=${BENCH_DERIVE_ROUNDS:-20}
BENCH_DERIVE_UPLOADS=${BENCH_DERIVE_UPLOADS:-40}
BENCH_GIF_MIB=45
BENCH_GIFS=10
BENCH_DERIVE_WAIT=600
# The CPU both sides of the per-core comparison run on.
BENCH_DERIVE_CPU=1
BENCH_CLIP_SECONDS=10

# bench_derive_tools: the driver, built from the tree being measured.
bench_derive_tools() {
	local src="$REACTBIN_TOP/src/pure" out="$BENCH_TMP/derive_bench"
	bench_need vipsthumbnail ffmpeg taskset
	# shellcheck disable=SC2046 # pkg-config prints a list of flags
	cc -std=c11 -D_GNU_SOURCE -O2 -I"$src" \
	    $(pkg-config --cflags vips) \
	    "$BENCH_TOP/tests/bench/derive_bench.c" "$src/derive_media.c" \
	    "$src/derive_image.c" "$src/derive_clip.c" "$src/derive_plan.c" \
	    "$src/media.c" \
	    -o "$out" $(pkg-config --libs vips libavformat libavcodec \
	    libswscale libavutil) >"$BENCH_TMP/derive_bench.log" 2>&1 ||
	    { cat "$BENCH_TMP/derive_bench.log" >&2; bench_die "derive_bench build failed"; }
}

# bench_derive_samples DIR: the files of cases 1 and 2.
bench_derive_samples() {
	local d=$1
	mkdir -p "$d"
	if ! { convert -size 1920x1080 plasma:fractal -seed 11 -quality 90 "$d/photo.jpg" &&
	    convert -size 1000x1000 plasma:fractal -seed 12 "$d/square.png" &&
	    ffmpeg -hide_banner -loglevel error -y -f lavfi \
		-i "testsrc2=size=480x270:rate=10:duration=10" -c:v gif "$d/anim.gif" &&
	    ffmpeg -hide_banner -loglevel error -y -f lavfi \
		-i "testsrc2=size=640x360:rate=25:duration=$BENCH_CLIP_SECONDS" \
		-c:v libx264 -pix_fmt yuv420p "$d/clip.mp4"; }; then
		bench_die "could not make the derivative samples"
	fi
}

# bench_seconds COMMAND...: the wall time of COMMAND, in seconds.
bench_seconds() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || bench_die "failed: $*"
	t1=$(date +%s%N)
	bench_calc "($t1 - $t0) / 1000000000"
}

# bench_vipsthumbnail_each ROUNDS FILE: a process per thumbnail.
bench_vipsthumbnail_each() {
	local i
	for i in $(seq 1 "$1"); do
		taskset -c "$BENCH_DERIVE_CPU" vipsthumbnail "$2" -s 320 \
		    -o "$BENCH_TMP/derive/vt-%s.webp" || return 1
	done
}

# bench_ffmpeg_frame ROUNDS CLIP AT: ffmpeg's frame, piped to vipsthumbnail.
bench_ffmpeg_frame() {
	local i
	for i in $(seq 1 "$1"); do
		taskset -c "$BENCH_DERIVE_CPU" ffmpeg -hide_banner -loglevel error \
		    -ss "$3" -i "$2" -frames:v 1 -f image2pipe -c:v png - |
		    taskset -c "$BENCH_DERIVE_CPU" vipsthumbnail stdin -s 320 \
		    -o "$BENCH_TMP/derive/ff.webp" || return 1
	done
}

# 1 and 2: per-core throughput, files a second.
bench_derive_throughput() {
	local d="$BENCH_TMP/derive" f ours base all rounds=$BENCH_DERIVE_ROUNDS
	bench_note "derivatives: thumbnails per core, $rounds rounds a file"
	bench_derive_samples "$d"
	for f in photo.jpg square.png anim.gif; do
		ours=$(taskset -c "$BENCH_DERIVE_CPU" "$BENCH_TMP/derive_bench" \
		    still "$rounds" "$d/$f" | awk '{ print $2 }')
		all=$(taskset -c "$BENCH_DERIVE_CPU" "$BENCH_TMP/derive_bench" \
		    all "$rounds" "$d/$f" | awk '{ print $2 }')
		base=$(bench_seconds bench_vipsthumbnail_each "$rounds" "$d/$f")
		bench_row "thumbnail $f, files/s on one core" \
		    "$(bench_calc "$rounds / $ours")" \
		    "$(bench_calc "$rounds / $base")" "vipsthumbnail per file" 1.0
		bench_row "  full derivation $f (+ preview), files/s" \
		    "$(bench_calc "$rounds / $all")" \
		    "$(bench_calc "$rounds / $base")" "vipsthumbnail per file"
	done
	# The frame 30 % in, as the queue picks it.
	ours=$(taskset -c "$BENCH_DERIVE_CPU" "$BENCH_TMP/derive_bench" \
	    still "$rounds" "$d/clip.mp4" | awk '{ print $2 }')
	base=$(bench_seconds bench_ffmpeg_frame "$rounds" "$d/clip.mp4" \
	    "$(bench_calc "$BENCH_CLIP_SECONDS * 0.3")")
	bench_row "clip frame 640x360 H.264, files/s on one core" \
	    "$(bench_calc "$rounds / $ours")" \
	    "$(bench_calc "$rounds / $base")" "ffmpeg -ss | vipsthumbnail" 1.0
}

# bench_p50 FILE: the median of the numbers in FILE.
bench_p50() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# 3. Upload latency with generation on and off.
bench_derive_upload() {
	local off_url on="$BENCH_TMP/up-on" off="$BENCH_TMP/up-off" i f t code side
	local resp="$BENCH_TMP/resp.json" saved_pid=$REACTBIN_PID
	bench_note "derivatives: upload p50, generation on and off, $BENCH_DERIVE_UPLOADS files each"
	REACTBIN_WORKERS=$BENCH_WORKERS service_start bench-off \
	    DERIVATIVES_ENABLED=false ||
	    bench_die "the instance with generation off did not start"
	bench_extra_pids+=("$REACTBIN_PID")
	off_url=$REACTBIN_URL
	REACTBIN_PID=$saved_pid
	: >"$on"
	: >"$off"
	for i in $(seq 1 "$BENCH_DERIVE_UPLOADS"); do
		for side in on off; do
			f="$BENCH_TMP/derive/up-$side-$i.jpg"
			convert -size 640x480 plasma:fractal -seed "$i$((${#side} * 7))" \
			    -quality 85 "$f"
			read -r t code < <(bench_curl_time "$resp" \
			    -H "Authorization: Bearer $BENCH_TOKEN" \
			    --data-binary @"$f" \
			    "$([ "$side" = on ] && echo "$BENCH_URL" || echo "$off_url")/api/v1/reactions")
			[ "$code" = 201 ] || bench_die "upload answered $code: $(cat "$resp")"
			echo "$t" >>"$BENCH_TMP/up-$side"
		done
	done
	# p50 as a rate, so that the ratio reads like the others (higher is
	# better): uploads a second at the median latency.
	bench_row "upload 640x480 JPEG p50, 1/s (generation on)" \
	    "$(bench_calc "1 / $(bench_p50 "$on")")" \
	    "$(bench_calc "1 / $(bench_p50 "$off")")" "generation off" 0.95
	bench_note "upload p50: on $(bench_p50 "$on") s, off $(bench_p50 "$off") s"
}

# bench_gif OUT MIB: a GIF of noise of about MIB MiB (incompressible
# frames), made once, then copied with a comment of its own before the
# trailer so that each upload is new bytes.
bench_gif() {
	local base="$BENCH_TMP/derive/big.gif" frames
	if [ ! -f "$base" ]; then
		# ffmpeg's GIF encoder makes ~76 KB of a frame of this noise.
		frames=$(($2 * BENCH_MIB / 76000))
		ffmpeg -hide_banner -loglevel error -y -f lavfi \
		    -i "nullsrc=s=480x270:r=10,geq=random(1)*255:128:128" \
		    -frames:v "$frames" -c:v gif "$base" ||
		    bench_die "could not make the big GIF"
	fi
	python3 - "$base" "$1" <<'PY'
import os, sys
d = open(sys.argv[1], "rb").read()
assert d[-1:] == b";"
note = os.urandom(16).hex().encode()
open(sys.argv[2], "wb").write(d[:-1] + b"\x21\xfe" + bytes([len(note)]) + note + b"\x00;")
PY
}

# 4. Memory while ten 45 MB GIFs are derived.
bench_derive_memory() {
	local workers w i idle=() peak ids=() sql_ids n
	bench_note "derivatives: peak RSS while $BENCH_GIFS GIFs of $BENCH_GIF_MIB MiB are derived"
	for i in $(seq 1 "$BENCH_GIFS"); do
		bench_gif "$BENCH_TMP/derive/gif-$i.gif" "$BENCH_GIF_MIB"
	done
	bench_note "big GIF: $(stat -c %s "$BENCH_TMP/derive/gif-1.gif") bytes"
	workers=$(bench_workers "$REACTBIN_PID")
	for w in $workers; do
		idle+=("$(bench_rss_kib "$w" VmRSS)")
		echo 5 >"/proc/$w/clear_refs" ||
		    bench_die "cannot reset the peak RSS of $w"
	done
	for i in $(seq 1 "$BENCH_GIFS"); do
		ids+=("$(bench_small_upload "$BENCH_TMP/derive/gif-$i.gif")")
	done
	sql_ids=$(printf "'%s'," "${ids[@]}")
	sql_ids=${sql_ids%,}
	for _ in $(seq 1 "$BENCH_DERIVE_WAIT"); do
		n=$(psql "${DATABASE_URL/+asyncpg/}" -XAtq -c \
		    "SELECT count(*) FROM reactions WHERE id IN ($sql_ids) AND thumbnail_key IS NOT NULL")
		[ "$n" = "$BENCH_GIFS" ] && break
		sleep 1
	done
	[ "$n" = "$BENCH_GIFS" ] || bench_note "only $n of $BENCH_GIFS GIFs derived"
	i=0
	for w in $workers; do
		peak=$(bench_rss_kib "$w" VmHWM)
		bench_row "worker $((i + 1)) peak RSS, $BENCH_GIFS x $BENCH_GIF_MIB MB GIFs derived, MiB" \
		    "$(bench_calc "$peak / 1024")" \
		    "$(bench_calc "${idle[$i]} / 1024")" "same worker, idle"
		i=$((i + 1))
	done
	rm -f "$BENCH_TMP"/derive/gif-*.gif
}

bench_derive() {
	mkdir -p "$BENCH_TMP/derive"
	bench_derive_tools
	bench_derive_throughput
	bench_derive_upload
	bench_derive_memory
}
