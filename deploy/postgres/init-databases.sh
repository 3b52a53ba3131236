#!/bin/sh
# Ensures one database and one owning role per service, so no service can
# read another's tables. Safe to run on every start: what exists is kept, a
# missing database (a service added since the volume was created) is
# created, and each role's password is set to the current one (so rotating
# it in .env takes effect). docker-compose.yml runs it as the one-shot
# `databases` service, over TCP (PGHOST, PGPASSWORD); the passwords come
# from PARTY_DB_PASSWORD, DOCUMENT_DB_PASSWORD, CASE_DB_PASSWORD,
# USER_ACTION_DB_PASSWORD and CONSOLE_DB_PASSWORD.
set -eu

for service in party document case user_action console; do
    variable="$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
    password=$(printenv "$variable" || true)
    if [ -z "$password" ]; then
        echo "init-databases: $variable is not set" >&2
        exit 1
    fi
    psql -v ON_ERROR_STOP=1 --quiet --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        -v name="$service" -v password="$password" <<'SQL'
SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') AS create_role \gset
\if :create_role
CREATE ROLE :"name";
\endif
ALTER ROLE :"name" LOGIN PASSWORD :'password';
SELECT NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') AS create_database \gset
\if :create_database
CREATE DATABASE :"name" OWNER :"name";
\endif
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
    echo "init-databases: database $service is there"
done
