#!/usr/bin/env bash
# Stops any test server or browser that outlived its test (a killed test
# process cannot run its destructors). Matches only processes started from
# this checkout's test folders.
root=$(cd "$(dirname "$0")/.." && pwd)
pkill -TERM -f "$root/target/test-state" 2>/dev/null || true
pkill -TERM -f -- "--persist-to $root/target/test-state" 2>/dev/null || true
exit 0
