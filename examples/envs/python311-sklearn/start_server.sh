#!/bin/sh
# DataRobot starts custom models through DRUM; the model code is mounted at CODE_DIR.
export CODE_DIR=${CODE_DIR:-/opt/code}
exec drum server --address 0.0.0.0:8080 --code-dir "$CODE_DIR" --target-type "${TARGET_TYPE:-binary}"
