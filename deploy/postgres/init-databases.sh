#!/bin/sh
# Creates one database and one owning role per service, so no service can
# read another's tables. Run by the postgres image on the first start of an
# empty data directory (/docker-entrypoint-initdb.d); the passwords come
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
    psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        -v name="$service" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
    echo "init-databases: created database $service"
done
