#!/usr/bin/env bash
# Fetches the platforms' published API schemas the conformance tests check kith's requests
# against, into target/schemas (or $1):
#   vk/params.d.ts, vk/methods.d.ts  VK API's method parameters, generated from VK's own JSON
#                                    schema (VKCOM/vk-api-schema) and published in the vk-io
#                                    package on npm
#   youtube/youtube.v3.json          Google's discovery document for the YouTube Data API v3,
#                                    published in google-api-python-client on PyPI
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/target/schemas}"
VK_IO=4.10.1
GOOGLE_CLIENT=2.202.0
mkdir -p "$out/vk" "$out/youtube"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [ ! -s "$out/vk/params.d.ts" ]; then
  (cd "$tmp" && npm pack --silent "vk-io@$VK_IO" >/dev/null && tar xzf "vk-io-$VK_IO.tgz")
  cp "$tmp/package/lib/api/schemas/params.d.ts" "$tmp/package/lib/api/schemas/methods.d.ts" "$out/vk/"
fi
if [ ! -s "$out/youtube/youtube.v3.json" ]; then
  python3 -m pip download --quiet --no-deps -d "$tmp" "google-api-python-client==$GOOGLE_CLIENT"
  python3 - "$tmp" "$out/youtube/youtube.v3.json" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/google_api_python_client-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    data = z.read("googleapiclient/discovery_cache/documents/youtube.v3.json")
open(sys.argv[2], "wb").write(data)
PY
fi
echo "schemas in $out"
