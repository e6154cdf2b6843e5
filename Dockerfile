# syntax=docker/dockerfile:1
# The release binary and the site files, in a small runtime image.
#   docker build -t redress .
#   docker run -p 3000:3000 -v redress-data:/data -e REDRESS_PUBLIC_URL=https://redress.example.jp redress
# (Not built on the development machines, which have no Docker engine; the
# build steps are those of `make release`.)

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The tools first, so that they are cached while the sources change.
COPY Cargo.toml Cargo.lock ./
COPY scripts/tools.sh scripts/tools.sh
RUN rustup target add wasm32-unknown-unknown \
 && scripts/tools.sh release
COPY . .
RUN cargo build -p server --release --locked \
 && scripts/build-site.sh release

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /data redress
COPY --from=build /src/target/release/redress /usr/local/bin/redress
COPY --from=build /src/target/site /srv/redress/site
ENV REDRESS_SITE_ROOT=/srv/redress/site \
    REDRESS_DATA_DIR=/data \
    REDRESS_LISTEN=0.0.0.0:3000
VOLUME /data
USER redress
EXPOSE 3000
ENTRYPOINT ["/usr/local/bin/redress"]
CMD ["serve"]
