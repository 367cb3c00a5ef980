#!/bin/sh
# Temporal's schemas on PostgreSQL, run by docker-compose.yml's temporal-schema job on the
# temporalio/admin-tools image of the server's own version, before the server starts: creates the
# persistence and visibility databases if they are missing, then brings each schema up to the
# newest version that image carries. Running it again changes nothing; after the images move to
# the next Temporal version it applies that version's schema changes (deploy/README.md).
# temporal-sql-tool takes its connection from SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and
# SQL_PASSWORD.
set -eu

persistence_db=${TEMPORAL_DB:?}
visibility_db=${TEMPORAL_VISIBILITY_DB:?}
# Where the admin-tools image keeps the schemas of its version.
schema_dir=${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}

setup() {
  db=$1
  schema=$2
  # Leaves an existing database as it is.
  temporal-sql-tool --db "$db" create-database
  # Records version 0.0 on an empty database only.
  temporal-sql-tool --db "$db" setup-schema -v 0.0
  # Applies every version above the one recorded, in order.
  temporal-sql-tool --db "$db" update-schema -d "$schema_dir/$schema/versioned"
}

setup "$persistence_db" temporal
setup "$visibility_db" visibility
echo "Temporal's persistence ($persistence_db) and visibility ($visibility_db) schemas are up to date"
