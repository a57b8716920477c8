#!/usr/bin/env bash
# Prints the project's version: the one place it is written is [package] version in
# Cargo.toml (the extension reports it through CARGO_PKG_VERSION; composer takes it from
# the git tag, the .deb and the zips from here).
set -euo pipefail
cd "$(dirname "$0")/.."
v=$(awk '/^\[/{s=($0=="[package]")} s && /^version *=/{gsub(/.*= *"|".*/,""); print; exit}' Cargo.toml)
[ -n "$v" ] || { echo "version.sh: no [package] version in Cargo.toml" >&2; exit 1; }
echo "$v"
