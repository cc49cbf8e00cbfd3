# authsim in a container.
#
#   docker build -t authsim .
#   docker run --rm -p 8080:8080 authsim
#
# Issued codes point at http://localhost:8080 unless you say otherwise;
# arguments after the image name replace that default, for example
#   docker run --rm -p 9000:8080 authsim --public-base-url http://localhost:9000
# Your own fixtures replace the bundled ones with
#   -v "$PWD/my-fixtures:/opt/authsim/fixtures:ro"

# --- build stage: compiler, CMake and the -dev packages --------------------
FROM debian:12 AS build

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build \
      libboost1.81-dev libboost-json1.81-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY CMakeLists.txt ./
COPY server/ server/
COPY fixtures/ fixtures/

# Tests are not built here (they need doctest and run in CI instead).
RUN cmake -S . -B build -G Ninja \
      -DCMAKE_BUILD_TYPE=Release \
      -DAUTHSIM_BUILD_TESTS=OFF \
 && cmake --build build --target authsim --parallel "$(nproc)" \
 && strip build/server/authsim

# --- runtime stage: only the shared libraries the binary loads --------------
FROM debian:bookworm-slim

# The binary needs libboost_json.so.1.81.0 and libcrypto.so.3 besides the C
# and C++ runtimes, which the base image already has.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libboost-json1.81.0 libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin authsim

COPY --from=build /src/build/server/authsim /usr/local/bin/authsim
COPY fixtures/ /opt/authsim/fixtures/

# Fail the image build, not the first `docker run`, if a library is missing.
RUN if ldd /usr/local/bin/authsim | grep 'not found'; then exit 1; fi \
 && /usr/local/bin/authsim --version

USER authsim
EXPOSE 8080

# Exec form: authsim runs as PID 1 and receives `docker stop`'s SIGTERM
# itself, so in-flight requests finish before the container exits.
ENTRYPOINT ["/usr/local/bin/authsim", "--host", "0.0.0.0", "--port", "8080", "--fixtures", "/opt/authsim/fixtures"]
# Inside the container authsim is bound to 0.0.0.0, which is no address a
# browser can reach: point issued codes at the usual published port instead.
CMD ["--public-base-url", "http://localhost:8080"]
