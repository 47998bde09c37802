#!/usr/bin/env bash
# Checks the container image's contents without a Docker engine: assembles the production
# tree exactly as the Dockerfile does (assemble.sh), then, with plain node and no dev
# dependencies, runs every role's --help, migrates a registry, starts the API and asks the
# image's healthcheck, checks the K3s example site config with the edge role, and serves a
# simulator that the edge role reads once.
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

echo "== assemble the image tree"
scripts/container/assemble.sh "$PWD" "$work/app"
dcmms="$work/app/container/dcmms"

echo "== no dev dependencies in the image"
for dev in typescript vitest tsx eslint fast-check kubernetes-models; do
  if [[ -e "$work/app/node_modules/$dev" ]]; then echo "container-check: dev dependency $dev is in the image" >&2; exit 1; fi
done

echo "== every role answers --help"
"$dcmms" --help | grep -q "Roles:"
for role in edge gateway worker api migrate sim; do
  "$dcmms" "$role" --help >/dev/null || { echo "container-check: '$role --help' failed" >&2; exit 1; }
done

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

echo "== migrate, then the API up and healthy"
export DATABASE_URL="sqlite:$work/registry.db" TELEMETRY_SQLITE="$work/telemetry.db" DCMMS_DOWNLINK=disabled
export DCMMS_API_HOST=127.0.0.1 DCMMS_API_PORT=$(free_port) DCMMS_ADMIN_PASSWORD=container-check-password LOG_LEVEL=warn
"$dcmms" migrate
(cd "$work" && exec "$dcmms" api >"$work/api.log" 2>&1) &
pids+=($!)
for _ in $(seq 1 120); do
  if "$dcmms" healthcheck; then break; fi
  sleep 0.5
done
"$dcmms" healthcheck || { echo "container-check: the API did not become healthy:" >&2; tail -20 "$work/api.log" >&2; exit 1; }

echo "== the edge role checks the K3s example site config"
# As mounted in the pod: the CA from the Secret in /etc/dcmms/uplink, here a file of the same kind.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=check-ca -days 1 -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
sed "s#/etc/dcmms/uplink/ca.crt#$work/ca.crt#" k3s/overlays/example/site.yaml >"$work/k3s-site.yaml"
DCMMS_UPLINK_PASSWORD=from-the-secret "$dcmms" edge check-config "$work/k3s-site.yaml"

echo "== a simulator served by the sim role, read once by the edge role"
sim_port=$(free_port)
"$dcmms" sim modbus --port "$sim_port" --profile pv-inverter >"$work/sim.log" 2>&1 &
pids+=($!)
cat >"$work/site.yaml" <<YAML
site: container-check
devices:
  - protocol: modbus-tcp
    name: inv1
    host: 127.0.0.1
    port: $sim_port
    unitId: 1
    tags:
      - { name: inv1.ac_voltage_l1, register: holding, address: 40, type: uint16, scale: 0.1, unit: V }
buffer: { path: $work/buffer.db }
uplink: { url: mqtt://127.0.0.1:1, password: { env: UNUSED_SECRET } }
YAML
for _ in $(seq 1 40); do (exec 3<>"/dev/tcp/127.0.0.1/$sim_port") 2>/dev/null && break; sleep 0.25; done
UNUSED_SECRET=x "$dcmms" edge read --config "$work/site.yaml" --device inv1 | tee "$work/read.jsonl"
grep -q '"tag":"inv1.ac_voltage_l1".*"quality":"good"' "$work/read.jsonl" || { echo "container-check: no good reading from the simulator" >&2; exit 1; }

echo "container-check: all passed"
