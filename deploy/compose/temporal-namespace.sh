#!/bin/sh
# luodi's namespace and search attributes, run by docker-compose.yml's temporal-namespace job on
# the temporalio/admin-tools image once the server listens: waits until the cluster is serving,
# registers the namespace with its retention unless it exists, and adds luodi's search attributes
# (workflows/search-attributes.ts; test/compose.test.ts checks that this list is that one).
# Running it again changes nothing: an attribute that exists with the same type is left as it is.
set -eu

address=${TEMPORAL_ADDRESS:?}
namespace=${TEMPORAL_NAMESPACE:?}
retention=${TEMPORAL_RETENTION:?}

# Runs the command until it succeeds, at most 60 times, 2 s apart.
retry() {
  tries=60
  until "$@"; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || return 1
    sleep 2
  done
}

retry temporal operator cluster health --address "$address"
if temporal operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1; then
  echo "namespace $namespace exists; its retention is left as it is"
else
  temporal operator namespace create --address "$address" --namespace "$namespace" --retention "$retention"
fi
# A new namespace reaches the frontend's cache within seconds; until then this is refused.
retry temporal operator search-attribute create --address "$address" --namespace "$namespace" \
  --name ProjectStage --type Keyword \
  --name ProjectCity --type Keyword \
  --name ProjectType --type Keyword \
  --name ProjectLiaison --type Keyword \
  --name ProjectStuck --type Bool \
  --name StuckReasons --type KeywordList \
  --name StuckSince --type Datetime \
  --name OverdueTasks --type Int \
  --name OverdueDepartments --type KeywordList \
  --name EscalationRung --type Int \
  --name OpenBlockers --type Int
echo "namespace $namespace has luodi's search attributes"
