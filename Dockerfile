# authsim in a container.
#
#   docker build -t authsim .
#   docker run --rm -p 8080:8080 authsim
#
# Settings come from AUTHSIM_* variables (each --some-flag can also be given
# as AUTHSIM_SOME_FLAG); flags after the image name go to authsim and win
# over the variables, for example
#   docker run --rm -p 8080:8080 authsim --scenario slow
#   docker run --rm -p 9000:8080 -e AUTHSIM_PUBLIC_BASE_URL=http://localhost:9000 authsim
#   docker run --rm -p 8080:8080 -e AUTHSIM_ADMIN_TOKEN=secret authsim
# Your own fixtures replace the bundled ones when mounted at /fixtures:
#   docker run --rm -p 8080:8080 -v "$PWD/my-fixtures:/fixtures:ro" authsim
#
# CI builds and runs this image with podman (tests/docker/image_test.sh),
# and tests/docker also checks this file against the project: keep them in
# step.

# --- build stage: the same packages and build script as a developer machine --
FROM debian:12 AS build

WORKDIR /src
# scripts/setup.sh holds the one list of build packages. AUTHSIM_EXTRA_PACKAGES
# (extras for the fuzz and test scripts) is deliberately left unset here.
COPY scripts/setup.sh scripts/
RUN ./scripts/setup.sh \
 && rm -rf /var/lib/apt/lists/*

COPY scripts/build.sh scripts/
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY server/ server/
# Only the server: the tests need doctest and run in CI instead.
RUN AUTHSIM_BUILD_DIR=build \
    AUTHSIM_CMAKE_ARGS="-DCMAKE_BUILD_TYPE=Release -DAUTHSIM_BUILD_TESTS=OFF" \
    ./scripts/build.sh authsim \
 && strip build/server/authsim

# --- runtime stage: only the shared libraries the binary loads --------------
FROM debian:12-slim

# Besides the C and C++ runtimes, which the base image has, the binary loads
# libboost_json.so.1.81.0, libboost_url.so.1.81.0, libcrypto.so.3 (and libssl.so.3),
# libhiredis.so.0.14 and libjemalloc.so.2.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libboost-json1.81.0 libboost-url1.81.0 libssl3 libhiredis0.14 libjemalloc2 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin authsim

COPY --from=build /src/build/server/authsim /usr/local/bin/authsim
COPY scripts/healthcheck.sh /usr/local/bin/authsim-healthcheck
COPY fixtures/ /fixtures/

# Fail the image build, not the first `docker run`, if a library is missing.
RUN if ldd /usr/local/bin/authsim | grep 'not found'; then exit 1; fi \
 && /usr/local/bin/authsim --version

# Bound to every address inside the container; issued codes point at the
# usual published port. Mount your fixtures over /fixtures.
ENV AUTHSIM_HOST=0.0.0.0 \
    AUTHSIM_PORT=8080 \
    AUTHSIM_FIXTURES=/fixtures \
    AUTHSIM_PUBLIC_BASE_URL=http://localhost:8080

USER authsim
EXPOSE 8080

# Asks /__admin/health on AUTHSIM_PORT, with AUTHSIM_ADMIN_TOKEN when set;
# healthy only on a 200.
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/authsim-healthcheck", "3"]

# Exec form, the binary alone: arguments of `docker run` become authsim's
# flags, and authsim runs as PID 1, so `docker stop`'s SIGTERM reaches it and
# in-flight requests finish before the container exits.
ENTRYPOINT ["/usr/local/bin/authsim"]
