#!/usr/bin/env bash
# Until the first release the schema has one migration per provider, rebuilt from the model.
# After a release, replace this with `dotnet ef migrations add <Name>` for each provider.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
for provider in Sqlite Postgres; do
  project="src/Storekeep.Migrations.$provider"
  rm -rf "$project/Migrations"
  dotnet ef migrations add Initial --project "$project" --startup-project "$project" --output-dir Migrations --no-build "$@" >/dev/null
done
echo "migrations regenerated"
