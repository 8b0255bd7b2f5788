#!/usr/bin/env bash
# check_deb.sh BUILD_DIR VERSION: builds the nexus-console .deb with cpack and
# checks it: Depends from the real libraries, the three programs run from an
# unpacked root and print VERSION, desktop file / metainfo / man pages
# validate, bash completion completes, sample graphs are where nexusd looks,
# and the unpacked nexusd serves the unpacked nexusctl.
set -uo pipefail
build=$1
version=$2
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
pass() { echo "PASS: $*"; }
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/nexus-deb.XXXXXX")
nexusd_pid=""
cleanup() {
    [[ -n $nexusd_pid ]] && kill "$nexusd_pid" 2>/dev/null && wait "$nexusd_pid" 2>/dev/null
    rm -rf "$scratch"
}
trap cleanup EXIT

# The package takes what is built: make sure the three programs are (unless
# NEXUS_PACKAGING_NO_BUILD=1: another build of this tree is running).
if [[ ${NEXUS_PACKAGING_NO_BUILD:-0} != 1 ]]; then
    cmake --build "$build" --target nexus-console nexusd nexusctl >"$scratch/build.log" 2>&1 ||
        { cat "$scratch/build.log" >&2; fail "building the programs"; exit 1; }
fi
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$scratch/out" >"$scratch/cpack.log" 2>&1 ||
    { cat "$scratch/cpack.log" >&2; fail "cpack"; exit 1; }
deb=$(ls "$scratch"/out/*.deb 2>/dev/null | head -n1)
[[ -f $deb ]] || { fail "no .deb produced"; exit 1; }
pass "cpack built $(basename "$deb") ($(du -h "$deb" | cut -f1))"

# Control data.
check "package name" test "$(dpkg-deb -f "$deb" Package)" = nexus-console
check "package version $version" test "$(dpkg-deb -f "$deb" Version)" = "$version-1"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libqt6widgets6 'libgrpc++' librdkafka qt6-qpa-plugins; do
    check "Depends names $lib" grep -qF "$lib" <<<"$depends"
done
check "Recommends qt6-wayland" grep -qF qt6-wayland <<<"$(dpkg-deb -f "$deb" Recommends)"
check "conffiles list /etc/nexus/nexusd.json" \
    grep -qx /etc/nexus/nexusd.json <(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)

# Unpacked, as dpkg would install it.
root=$scratch/root
dpkg -x "$deb" "$root" || { fail "dpkg -x"; exit 1; }
for program in nexusctl nexusd; do
    out=$("$root/usr/bin/$program" --version 2>&1)
    check "$program --version prints $version ($out)" test "$out" = "$program $version"
done
out=$(QT_QPA_PLATFORM=offscreen "$root/usr/bin/nexus-console" --version 2>/dev/null | head -n1)
check "nexus-console --version prints $version ($out)" test "$out" = "Nexus Console $version"
check "binaries are stripped" bash -c "! file -L '$root/usr/bin/nexusd' | grep -q 'not stripped'"

# Desktop integration.
id=io.github.nexus_console.NexusConsole
check "desktop file validates" desktop-file-validate "$root/usr/share/applications/$id.desktop"
check "metainfo validates" appstreamcli validate --no-net "$root/usr/share/metainfo/$id.metainfo.xml"
check "icon 48x48" test -s "$root/usr/share/icons/hicolor/48x48/apps/$id.png"
check "icon scalable" test -s "$root/usr/share/icons/hicolor/scalable/apps/$id.svg"
check "mime type for .dstrace" grep -q '\*\.dstrace' "$root/usr/share/mime/packages/nexus-console.xml"

# Man pages: present, compressed, no warnings from man.
for page in nexus-console nexusd nexusctl; do
    file=$root/usr/share/man/man1/$page.1.gz
    warnings=$(man --warnings -l -E UTF-8 "$file" 2>&1 >/dev/null)
    check "man page $page renders without warnings" test -f "$file" -a -z "$warnings"
    [[ -n $warnings ]] && echo "$warnings" >&2
done

# Bash completion.
completion=$root/usr/share/bash-completion/completions/nexusctl
complete_words() { # the completions for the words given (the last one being completed)
    bash --norc -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _nexusctl;
                    echo "${COMPREPLY[*]}"' _ "$completion" "$@"
}
check "nexusctl fl<TAB> completes to fleet" test "$(complete_words nexusctl fl)" = fleet
check "nexusctl kb a<TAB> completes to approve" test "$(complete_words nexusctl kb a)" = approve
check "nexusctl trace ls --status f<TAB> completes to failed" \
    test "$(complete_words nexusctl trace ls --status f)" = failed

# systemd unit and its config.
check "systemd unit installed" test -f "$root/lib/systemd/system/nexusd.service" -o \
    -f "$root/usr/lib/systemd/system/nexusd.service"
check "nexusd.json is a config nexusd accepts" bash -c \
    "grep -q '\"data_dir\": \"/var/lib/nexus\"' '$root/etc/nexus/nexusd.json'"

# Sample graphs where nexusd looks for them: <bindir>/../share/nexus-console/resources/graphs.
graphs=$root/usr/share/nexus-console/resources/graphs
check "sample graphs installed" test "$(ls "$graphs"/*.json 2>/dev/null | wc -l)" -eq 4

# The unpacked nexusd in sandbox mode (simulated fleet from the installed
# graphs), asked by the unpacked nexusctl.
coproc NEXUSD { exec env -u NEXUS_RESOURCES "$root/usr/bin/nexusd" --sandbox --listen 127.0.0.1:0 2>"$scratch/nexusd.err"; }
nexusd_pid=$NEXUSD_PID
address=""
while IFS= read -r -t 60 line <&"${NEXUSD[0]}"; do
    if [[ $line == nexus:* ]]; then
        address=${line#nexus: }
        break
    fi
done
if [[ -z $address ]]; then
    fail "unpacked nexusd --sandbox did not start: $(cat "$scratch/nexusd.err")"
else
    out=$("$root/usr/bin/nexusctl" whoami --json --nexus "$address" 2>&1)
    check "unpacked nexusctl whoami --json against the unpacked nexusd ($out)" \
        grep -q '"sandbox":true' <<<"$out"
fi

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
