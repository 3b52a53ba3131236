# A stand-in for the official postgres image, for deploy/podman-up on
# machines that cannot pull images: Debian's PostgreSQL 15 on a base made
# with debootstrap, with the official image's interface (POSTGRES_PASSWORD,
# /docker-entrypoint-initdb.d, PGDATA).
ARG BASE_IMAGE=localhost/debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data \
 && install -d -m 0755 /docker-entrypoint-initdb.d
COPY deploy/podman/postgres-entrypoint /usr/local/bin/postgres-entrypoint
ENV PGDATA=/var/lib/postgresql/data \
    PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]
