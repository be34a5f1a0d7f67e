#!/usr/bin/env bash
# Builds the instrumented XS runner and links xs/build/xsrun to it.
#
# - MODDABLE set (a Moddable SDK checkout, the Moddable convention): from $MODDABLE/xs, the XS that
#   ships on the device (XS 17 in SDK 8.2.3), into xs/build/moddable/.
# - MODDABLE unset: from the XS 13 sources shipped in @agoric/xsnap (not a dependency: its postinstall
#   builds its own binary), into xs/build/xsnap/. The tarball is cached in .cache/xsnap/ and checked
#   against the registry integrity pinned below, since we compile it.
#
# Prints one line on stdout, `xsrun=<path> engine=<moddable|xsnap> source=<XS tree>`, which
# test/xs/run.ts reads; everything else goes to stderr.
# Usage: bash xs/build.sh [--force]     (XS_JOBS=n to change make's -j, default 2)
set -euo pipefail

XSNAP_VERSION=0.15.0
XSNAP_INTEGRITY="sha512-ZBm4DZxbtfacxMHVVdJjZi0Y8zOxN77vpu1WwI5RWfPkaRh0aHkz/dVdTGKXalDNzWfz183lljKxlxl3/h0n+A=="
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache/xsnap"
SRC="$CACHE/package"
TGZ="$CACHE/agoric-xsnap-$XSNAP_VERSION.tgz"

if [[ -n "${MODDABLE:-}" ]]; then
	ENGINE=moddable
	XS_DIR="$MODDABLE/xs"
	DEFINES="-DXSRUN_MODDABLE=1"
	if [[ ! -f "$XS_DIR/sources/xsAll.h" ]]; then
		echo "xs: MODDABLE=$MODDABLE has no xs/sources/xsAll.h (not a Moddable SDK checkout?)" >&2
		exit 1
	fi
else
	ENGINE=xsnap
	XS_DIR="$SRC/moddable/xs"
	DEFINES=""
fi
BUILD="$ROOT/xs/build/$ENGINE"
BIN="$BUILD/xsrun"

if [[ "${1:-}" == "--force" ]]; then
	rm -rf "$BUILD"
	if [[ "$ENGINE" == xsnap ]]; then rm -rf "$SRC"; fi
fi

integrity() {
	node -e 'const c=require("node:crypto"),f=require("node:fs");
		process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

if [[ "$ENGINE" == xsnap && ! -f "$SRC/moddable/xs/sources/xsAll.h" ]]; then
	mkdir -p "$CACHE"
	if [[ ! -f "$TGZ" ]]; then
		echo "xs: fetching @agoric/xsnap@$XSNAP_VERSION sources" >&2
		# --ignore-scripts: we only want the tarball, never the package's own build.
		if ! (cd "$CACHE" && npm pack "@agoric/xsnap@$XSNAP_VERSION" --pack-destination "$CACHE" \
				--ignore-scripts --silent >/dev/null); then
			echo "xs: npm pack @agoric/xsnap@$XSNAP_VERSION failed (registry unreachable?)" >&2
			exit 1
		fi
	fi
	actual="$(integrity "$TGZ")"
	if [[ "$actual" != "$XSNAP_INTEGRITY" ]]; then
		echo "xs: $TGZ integrity mismatch: $actual" >&2
		rm -f "$TGZ"
		exit 1
	fi
	rm -rf "$SRC"
	tar -xzf "$TGZ" -C "$CACHE" package/moddable/xs package/package.json
fi

# make decides what is stale (xsrun.c, xsrunPlatform.h, Makefile, XS headers).
make -s -C "$ROOT/xs" XS_DIR="$XS_DIR" BUILD_DIR="$BUILD" XSRUN_DEFINES="$DEFINES" -j"${XS_JOBS:-2}" >&2
test -x "$BIN"
# xs/build/xsrun: the runner last built, for running a kept bundle by hand.
ln -sfn "$ENGINE/xsrun" "$ROOT/xs/build/xsrun"
echo "xsrun=$BIN engine=$ENGINE source=$XS_DIR"
