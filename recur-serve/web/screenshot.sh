#!/usr/bin/env bash
# Takes a screenshot of recur serve's web page with Debian's Chromium, headless:
#   recur-serve/web/screenshot.sh URL OUT.png [WIDTHxHEIGHT]
# URL is a running server's page, e.g. http://127.0.0.1:8080/; its fragment may pick a model, fill its input and
# run it before the picture is taken: 'http://127.0.0.1:8080/#model=g2p&input=PYTHON&run'. The page is given up to
# 20 s of its own time to load and answer. A server with --api-key-file shows its key prompt instead.
# Uses $CHROMIUM, else chromium on the PATH, else Debian's chromium package (and those of its dependencies that
# are not installed) unpacked into a folder this script owns, nothing installed system-wide; that needs apt-get.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
usage="usage: screenshot.sh URL OUT.png [WIDTHxHEIGHT]"
url="${1:?$usage}"
out="${2:?$usage}"
size="${3:-1200x900}"
if [[ ! "$size" =~ ^([0-9]+)x([0-9]+)$ ]]; then
    echo "screenshot: size \"$size\" is not WIDTHxHEIGHT, e.g. 1200x900" >&2
    exit 2
fi
width="${BASH_REMATCH[1]}" height="${BASH_REMATCH[2]}"
install_hint="install Debian's package instead: apt-get install -y --no-install-recommends chromium"

chrome="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
libs=""
if [[ -z "$chrome" ]]; then
    root="$here/.chromium"
    chrome="$root/usr/lib/chromium/chromium"
    if [[ ! -x "$chrome" ]]; then
        echo "screenshot: fetching Debian's chromium into $root ..." >&2
        deps="$(apt-cache depends --no-recommends --no-suggests --no-enhances chromium chromium-common 2>/dev/null \
            | awk '$1 ~ /Depends:$/ && $2 !~ /^</ {print $2}' | sort -u)"
        missing=()
        for p in $deps; do
            [[ "$p" == chromium || "$p" == chromium-common ]] && continue
            dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
        done
        tmp="$(mktemp -d)"
        if ! (cd "$tmp" && apt-get download chromium chromium-common "${missing[@]}" >/dev/null); then
            rm -rf "$tmp"
            echo "screenshot: apt-get download failed (run apt-get update first?); or $install_hint" >&2
            exit 1
        fi
        mkdir -p "$root"
        for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$root"; done
        rm -rf "$tmp"
    fi
    if [[ ! -x "$chrome" ]]; then
        echo "screenshot: $chrome not found after unpacking chromium; $install_hint" >&2
        exit 1
    fi
    libs="$root/usr/lib/x86_64-linux-gnu:$root/usr/lib/chromium"
    if LD_LIBRARY_PATH="$libs" ldd "$chrome" | grep -q "not found"; then
        echo "screenshot: the unpacked chromium misses libraries:" >&2
        LD_LIBRARY_PATH="$libs" ldd "$chrome" | grep "not found" >&2
        echo "            $install_hint" >&2
        exit 1
    fi
fi
if ! curl -fsS -o /dev/null "$url" 2>/dev/null; then
    echo "screenshot: $url does not answer; start the server first, e.g. recur serve --model NAME=MODEL" >&2
    exit 1
fi

mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
rm -f "$out"
if [[ -n "$libs" ]]; then export LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
"$chrome" --headless --disable-gpu --no-sandbox --hide-scrollbars \
    --no-first-run --user-data-dir="$profile" --virtual-time-budget=20000 --window-size="$width,$height" \
    --screenshot="$out" "$url" >"$profile/chromium.log" 2>&1 || true
if [[ ! -s "$out" ]]; then
    echo "screenshot: Chromium wrote no picture; its output:" >&2
    cat "$profile/chromium.log" >&2
    exit 1
fi
echo "wrote $out"
