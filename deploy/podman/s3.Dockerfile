# A stand-in S3-compatible store for deploy/podman-up on machines that
# cannot pull the MinIO image: moto's server (PyPI) on the debootstrap base.
# For trying the stack, not for production data.
ARG BASE_IMAGE=localhost/debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv curl \
 && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /opt/moto \
 && /opt/moto/bin/pip install --no-cache-dir --disable-pip-version-check 'moto[server]==5.*' \
 && useradd --system --uid 10003 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin moto \
 && printf '#!/bin/sh\n# Answers the compose health check (mc ready local).\nexec curl -fsS -o /dev/null http://127.0.0.1:9000/moto-api/\n' >/usr/local/bin/mc \
 && chmod 0755 /usr/local/bin/mc
USER 10003:10003
EXPOSE 9000
ENTRYPOINT ["/opt/moto/bin/moto_server"]
CMD ["-H", "0.0.0.0", "-p", "9000"]
