#!/usr/bin/env bash
# Prints where the browser test's Python virtualenv (with Playwright) lives: outside the
# checkout, so clean clones on one machine share it. CLOSTE_VENV overrides.
echo "${CLOSTE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/closte/browser-venv}"
