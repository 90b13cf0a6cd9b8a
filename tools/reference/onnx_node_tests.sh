#!/usr/bin/env bash
# Copies ONNX's own backend node tests for the recurrent operators (LSTM, GRU, RNN: model.onnx and its
# test_data_set_0 of TensorProto inputs and outputs) into recur-onnx's test resources, from Debian's
# libonnx-testdata (ONNX 1.12.0, Apache-2.0), unpacked with `apt-get download` + `dpkg-deb -x`: nothing is installed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/recur-onnx/src/test/resources/onnx-node"
work="$(mktemp -d)"
chmod 755 "$work"   # apt-get download fetches as the _apt user
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download libonnx-testdata >/dev/null)
deb="$(ls "$work"/libonnx-testdata_*.deb)"
dpkg-deb -x "$deb" "$work/x"
nodes="$work/x/usr/share/libonnx-testdata/data/node"
rm -rf "$out"
mkdir -p "$out"
for test in "$nodes"/test_lstm_* "$nodes"/test_gru_* "$nodes"/test_rnn_* "$nodes"/test_simple_rnn_*; do
    cp -r "$test" "$out/"
done
version="$(dpkg-deb -f "$deb" Version)"
cat > "$out/NOTICE" <<NOTICE
ONNX backend node tests for LSTM, GRU and RNN, copied unchanged from the ONNX project
(https://github.com/onnx/onnx, onnx/backend/test/data/node/) as packaged by Debian in
libonnx-testdata $version. Copyright the ONNX Project Contributors; licensed under the
Apache License, Version 2.0. Rebuilt by tools/reference/onnx_node_tests.sh.
NOTICE
echo "onnx_node_tests: $(ls -d "$out"/test_* | wc -l) tests into $out"
