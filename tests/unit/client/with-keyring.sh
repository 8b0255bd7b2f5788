#!/bin/sh
# Runs a test inside its own D-Bus session with a fresh, unlocked GNOME
# keyring in a temporary home, so keychain tests touch no real keychain.
# Usage: dbus-run-session -- sh with-keyring.sh TEST [ARGS...]
set -e
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
printf 'nexus-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$@"
