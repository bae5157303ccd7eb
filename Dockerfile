# reactbin-api-prod: the production image, written against the container
# contract (../shared/seed/production-container-contract.md).
#
#   docker build -t reactbin-api-prod:latest \
#       -t reactbin-api-prod:$(git rev-parse HEAD) \
#       --build-arg REVISION=$(git rev-parse HEAD) .
#
# Two stages. "build" starts from the Kore development image and compiles
# the module; "runtime" holds only the kore binary of that image, the
# module, its configuration and the shared libraries they load. Nothing
# secret or deployment-specific is baked in: every setting comes from the
# environment at run time (see .env.example).
#
# The build stage starts from a Kore 4.3 development image, named by the
# build argument KORE_IMAGE: Kore 4.3.0-rc5 built with PGSQL=1 CURL=1
# TASKS=1 on Debian bookworm, with kodev and the headers in /usr/local. The
# module must be compiled against the very headers and feature flags of the
# kore binary that loads it, which is why the runtime stage copies kore
# from that image. Kore's published images stop at 4.2 (Alpine, without
# TASKS), so the image is one your registry carries; name it with
#
#   --build-arg KORE_IMAGE=registry.example.com/kore/kodev:4.3.0-rc5-bookworm
#
# Kore itself is never built here.
ARG KORE_IMAGE=kore/kodev:4.3.0-rc5-bookworm

FROM ${KORE_IMAGE} AS build

# Whatever KORE_IMAGE names must be that Kore: fail here, with the reason,
# rather than in kodev build or at the runtime stage's first start.
RUN features=" $(kore -v) " \
 && for f in pgsql curl tasks; do \
        case "$features" in \
        *" $f "*|*" $f-"*) ;; \
        *) echo "KORE_IMAGE: kore -v says${features}: no $f" >&2; exit 1 ;; \
        esac; \
    done \
 && test -x /usr/local/bin/kodev \
 && test -f /usr/local/include/kore/kore.h \
 && test -f /usr/local/share/kore/ffdhe4096.pem

# The -dev packages the module links against, in a layer of their own
# before any COPY: a change to the sources reuses it from the cache.
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update \
 && apt-get install -y --no-install-recommends \
        build-essential ca-certificates pkg-config \
        libssl-dev libpq-dev libcurl4-openssl-dev libjwt-dev libyajl-dev \
        zlib1g-dev \
        libvips-dev libavformat-dev libavcodec-dev libswscale-dev libavutil-dev \
        nodejs npm \
 && rm -rf /var/lib/apt/lists/*

# kodev names the module after its directory: reactbin.so. Only what the
# build reads is copied (.dockerignore keeps the rest out of the context).
WORKDIR /usr/src/reactbin

# Swagger UI's files for /api/docs, from npm as tools/openapi's lockfile
# pins them (only the dependencies: the linter is the tests'), copied into
# assets/docs/vendor/ for kodev to compile in. Node.js stays in this
# stage: the runtime stage has the files inside the module, not npm.
#
# A registry reached through a TLS-inspecting proxy (a CI sandbox, a
# company network) signs with a CA of its own: BUILD_CA_PEM, if given,
# is that certificate (public, PEM text), trusted by this stage only, for
# npm. Empty by default; nothing of it reaches the runtime stage.
ARG BUILD_CA_PEM=
COPY tools/openapi/package.json tools/openapi/package-lock.json \
     tools/openapi/vendor.mjs tools/openapi/
RUN if [ -n "$BUILD_CA_PEM" ]; then \
        printf '%s\n' "$BUILD_CA_PEM" >/usr/local/share/ca-certificates/build-ca.crt \
     && update-ca-certificates; \
    fi \
 && cd tools/openapi \
 && NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error

COPY conf/build.conf conf/build.conf
COPY kore.conf.in ./
COPY tools/genconf tools/genconf
COPY assets/ assets/
COPY src/ src/
COPY tools/vendor-apidocs tools/vendor-apidocs

# The production configuration (0.0.0.0:8000, /app/reactbin.so, one worker
# per CPU) doubles as the conf/reactbin.conf that kodev looks for.
RUN tools/vendor-apidocs \
 && REACTBIN_RUNAS=appuser tools/genconf prod conf/reactbin.conf \
 && kodev flavor prod \
 && kodev build


FROM debian:bookworm-slim AS runtime

# Runtime libraries only (kore: libssl3, libpq5, libcurl4; the module adds
# libyajl2, zlib1g and libjwt0, which brings jansson: tests/static/runtime-libs.t
# checks the list against the module), CA certificates for an https S3
# endpoint, curl for the HEALTHCHECK, and the unprivileged user of the
# contract.
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update \
 && apt-get install -y --no-install-recommends \
        ca-certificates curl libcurl4 libjwt0 libpq5 libssl3 libyajl2 zlib1g \
        libvips42 libglib2.0-0 libavformat59 libavcodec59 libswscale6 \
        libavutil57 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 1001 appuser \
 && useradd --system --uid 1001 --gid 1001 --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin appuser

# The kore binary that matches the headers the module was built against,
# the DH parameters it loads at start-up, the module and its configuration.
# All owned by root and read-only to appuser.
COPY --from=build /usr/local/bin/kore /usr/local/bin/kore
COPY --from=build /usr/local/share/kore/ffdhe4096.pem /usr/local/share/kore/ffdhe4096.pem
COPY --from=build /usr/src/reactbin/reactbin.so /app/reactbin.so
COPY --from=build /usr/src/reactbin/conf/reactbin.conf /app/kore.conf

# Fail the build, not the deployment, if a shared library is missing.
RUN for f in /usr/local/bin/kore /app/reactbin.so; do \
        if ldd "$f" | grep 'not found'; then exit 1; fi; \
    done \
 && /usr/local/bin/kore -v

WORKDIR /app
USER 1001:1001
EXPOSE 8000

# kore is PID 1 (exec form, no shell): SIGTERM reaches its parent, which
# drains in-flight requests and exits 0 within 30 s (src/drain.c). -r and
# -n: no user switch and no chroot, since the process starts unprivileged;
# Kore runs in the foreground by default and logs to stdout/stderr.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["curl", "--fail", "--silent", "--show-error", "--output", "/dev/null", "--max-time", "4", "http://127.0.0.1:8000/api/v1/health"]
ENTRYPOINT ["/usr/local/bin/kore", "-r", "-n", "-c", "/app/kore.conf"]

# Last, so that a new revision changes only the image's metadata.
ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="reactbin-api" \
      org.opencontainers.image.description="reactbin API (Kore module)" \
      org.opencontainers.image.source="$SOURCE" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.version="$VERSION"
# The same two for reactbin_build_info on GET /metrics: read at start-up,
# as metadata, so the build stage's layers stay cached across revisions.
ENV REACTBIN_VERSION="$VERSION" \
    REACTBIN_REVISION="$REVISION"
