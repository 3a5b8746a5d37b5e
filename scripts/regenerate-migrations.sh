#!/usr/bin/env bash
# Until the first release the schema has one migration per provider, rebuilt from the model.
# After a release, replace this with `dotnet ef migrations add <Name>` for each provider.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
for provider in Sqlite Postgres; do
  project="src/Storekeep.Migrations.$provider"
  rm -rf "$project/Migrations"
  dotnet build "$project" -nologo -v q >/dev/null
  if ! output=$(dotnet ef migrations add Initial --project "$project" --startup-project "$project" --output-dir Migrations --no-build 2>&1); then
    echo "$output" >&2
    echo "regenerating $provider migrations failed" >&2
    exit 1
  fi
done
echo "migrations regenerated"
