#!/usr/bin/env bash
# Checks the deployment artefacts without a cluster or a Docker engine:
#   - the Helm chart: helm lint (strict) and helm template with the default values and with
#     every helm/dcmms/ci/*-values.yaml;
#   - the K3s kustomizations: kustomize build of every overlay;
#   - every rendered object: the Kubernetes API JSON schema + project policies
#     (validate-manifests.ts) and a strict decode with the API types (k8s-strict);
#   - docker-compose.yml: loaded like `docker compose config` plus reference checks (compose-check).
# helm and kustomize are Go modules, built once with the machine's Go toolchain into .engines/bin.
set -Eeuo pipefail
cd "$(dirname "$0")/../.."

HELM_VERSION=v3.22.0
KUSTOMIZE_VERSION=v5.7.1
KUBE_VERSION=1.31.0
BIN="$PWD/.engines/bin"
OUT="$PWD/.engines/deploy-check"
mkdir -p "$BIN" "$OUT"

command -v go >/dev/null || { echo "deploy-check: Go is needed to build helm and kustomize (apt-get install golang-go)" >&2; exit 1; }
export GOFLAGS=-buildvcs=false

install_tool() { # name version module
  local name=$1 version=$2 module=$3
  if [[ -x "$BIN/$name" && "$(cat "$BIN/.$name-version" 2>/dev/null)" == "$version" ]]; then return; fi
  echo "deploy-check: building $name $version from the Go module proxy (once)..."
  GOBIN="$BIN" go install "$module@$version"
  echo "$version" >"$BIN/.$name-version"
}
install_tool helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm
install_tool kustomize "$KUSTOMIZE_VERSION" sigs.k8s.io/kustomize/kustomize/v5
(cd scripts/deploy-check && go build -o "$BIN/" ./cmd/...)

validate() { # rendered.yaml
  npx tsx scripts/deploy-check/validate-manifests.ts "$1"
  npx tsx --conditions=dcmms-source scripts/deploy-check/env-names.ts "$1"
  "$BIN/k8s-strict" <"$1"
}

chart=helm/dcmms
value_sets=("")
for f in "$chart"/ci/*-values.yaml; do value_sets+=("$f"); done
for values in "${value_sets[@]}"; do
  label=${values:-default values}
  args=(--kube-version "$KUBE_VERSION")
  [[ -n $values ]] && args+=(-f "$values")
  echo "== helm lint ($label)"
  "$BIN/helm" lint --strict "$chart" "${args[@]}"
  echo "== helm template ($label)"
  rendered="$OUT/helm-$(basename "${values:-default}" .yaml).yaml"
  "$BIN/helm" template dcmms "$chart" --namespace dcmms "${args[@]}" >"$rendered"
  validate "$rendered"
done

for overlay in k3s/overlays/*/; do
  name=$(basename "$overlay")
  echo "== kustomize build k3s/overlays/$name"
  rendered="$OUT/k3s-$name.yaml"
  "$BIN/kustomize" build "$overlay" >"$rendered"
  validate "$rendered"
done

echo "== docker-compose.yml"
"$BIN/compose-check" docker-compose.yml

echo "deploy-check: all passed"
