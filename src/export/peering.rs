//! Declarative Liqo peerings, as Liqo's "Declarative peering" guide
//! (`docs/advanced/peering/peering-via-cr.md`, v1.2.0) lays them out, with the roles the
//! exporter uses everywhere: the hub (consumer) serves the WireGuard tunnel, the provider
//! dials it.
//!
//! - On the hub, tenant namespace `liqo-tenant-<provider>`: the provider's `Configuration`
//!   (its pod and external CIDRs), the `GatewayServer`, and the `ResourceSlice` sized to
//!   what the plan places there (Liqo's default class accepts any slice; the provider then
//!   enforces it as a Quota).
//! - On the provider, tenant namespace `liqo-tenant-<hub>`: the hub's `Configuration`, the
//!   `GatewayClient` dialling the hub's address, the `Tenant` (`TolerateNoHandshake`) and
//!   the `RoleBinding` to `liqo-remote-controlplane` for the user the hub authenticates as.
//! - A script creates what holds key material, at apply time and never in the export: both
//!   WireGuard key pairs (`gw-keys` Secrets and the peer's `PublicKey`, labelled
//!   `liqo.io/remote-cluster-id` and `networking.liqo.io/gateway-resource`), and the hub's
//!   credentials on the provider (a client certificate for that user, issued through the
//!   provider's CertificateSigningRequest API, in a `ControlPlane` identity Secret with the
//!   `liqo.io/remote-tenant-namespace` annotation).

use super::liqo::{
    gateway_port, kubeconfig_dir, script, GATEWAY_POD_PORT, KUBECONFIG_DEFAULT_DOC, TUNNEL_MTU,
};
use super::names::{peering_user, tenant_namespace};
use super::{kustomization, yaml_file, ExportError, OutFile};
use crate::config::deploy::GatewayService;
use crate::config::names::sh_quote;
use crate::config::plan_file::{PlanFile, PlannedCluster};
use serde_json::{json, Value};

const REMOTE_ID: &str = "liqo.io/remote-cluster-id";

/// The files of every new declarative peering (one that is up already is left alone):
/// `<hub>/peering-<provider>/`,
/// `<provider>/peering-<hub>/` and the hub's `liqo-peering-<provider>-keys.sh`.
pub fn files(plan: &PlanFile) -> Result<Vec<OutFile>, ExportError> {
    let mut out = Vec::new();
    for (i, p) in plan
        .peerings
        .iter()
        .enumerate()
        .filter(|(_, p)| p.declarative && !p.existing)
    {
        let hub = plan
            .cluster(&p.consumer)
            .ok_or_else(|| unknown(&p.consumer))?;
        let prov = plan
            .cluster(&p.provider)
            .ok_or_else(|| unknown(&p.provider))?;
        let port = gateway_port(plan, i);
        let hub_dir = format!("{}/peering-{}", hub.name, prov.name);
        let prov_dir = format!("{}/peering-{}", prov.name, hub.name);
        out.push(yaml_file(
            format!("{hub_dir}/peering.yaml"),
            &format!(
                "Hub side of the declarative Liqo peering {} -> {} (apply on {}, then run\n{}/liqo-peering-{}-keys.sh).",
                hub.name, prov.name, hub.name, hub.name, prov.name
            ),
            &hub_docs(plan, prov, port),
        )?);
        out.push(kustomization(&hub_dir, &["peering.yaml"]));
        out.push(yaml_file(
            format!("{prov_dir}/peering.yaml"),
            &format!(
                "Provider side of the declarative Liqo peering {} -> {} (apply on {}).",
                hub.name, prov.name, prov.name
            ),
            &provider_docs(plan, hub, port),
        )?);
        out.push(kustomization(&prov_dir, &["peering.yaml"]));
        out.push(script(
            format!("{}/liqo-peering-{}-keys.sh", hub.name, prov.name),
            &keys_script(plan, hub, prov, port),
        ));
    }
    Ok(out)
}

fn unknown(name: &str) -> ExportError {
    ExportError(format!("unknown cluster {name:?}"))
}

/// A tenant namespace for the peering with `peer`, and the peer's network configuration.
fn tenant_docs(peer: &PlannedCluster) -> Vec<Value> {
    let ns = tenant_namespace(&peer.name);
    vec![
        json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": ns, "labels": {REMOTE_ID: peer.name, "liqo.io/tenant-namespace": "true"}},
        }),
        json!({
            "apiVersion": "networking.liqo.io/v1beta1",
            "kind": "Configuration",
            "metadata": {"name": peer.name, "namespace": ns, "labels": {REMOTE_ID: peer.name}},
            "spec": {"remote": {"cidr": {"pod": [peer.pod_cidr], "external": [peer.external_cidr]}}},
        }),
    ]
}

/// Reference to a gateway template Liqo installs in its namespace.
fn gateway_template(kind: &str, name: &str) -> Value {
    json!({"apiVersion": "networking.liqo.io/v1beta1", "kind": kind, "name": name, "namespace": "liqo"})
}

/// The hub's side: the tunnel's server, and the request for the provider's resources.
fn hub_docs(plan: &PlanFile, prov: &PlannedCluster, port: u16) -> Vec<Value> {
    let ns = tenant_namespace(&prov.name);
    let g = &plan.deploy.hub_gateway;
    let endpoint = match g.service_type {
        GatewayService::NodePort => {
            json!({"port": GATEWAY_POD_PORT, "serviceType": "NodePort", "nodePort": port})
        }
        GatewayService::LoadBalancer => {
            json!({"port": port, "serviceType": "LoadBalancer", "loadBalancerIP": g.address})
        }
    };
    let d = plan.demand(&prov.name);
    let mut docs = tenant_docs(prov);
    docs.push(json!({
        "apiVersion": "networking.liqo.io/v1beta1",
        "kind": "GatewayServer",
        "metadata": {"name": "server", "namespace": ns, "labels": {REMOTE_ID: prov.name}},
        "spec": {
            "endpoint": endpoint,
            "mtu": TUNNEL_MTU,
            "secretRef": {"name": "gw-keys"},
            "serverTemplateRef": gateway_template("WgGatewayServerTemplate", "wireguard-server"),
        },
    }));
    docs.push(json!({
        "apiVersion": "authentication.liqo.io/v1beta1",
        "kind": "ResourceSlice",
        "metadata": {
            "name": prov.name,
            "namespace": ns,
            "annotations": {"liqo.io/create-virtual-node": "true"},
            "labels": {REMOTE_ID: prov.name, "liqo.io/remoteID": prov.name, "liqo.io/replication": "true"},
        },
        "spec": {
            "class": "default",
            "providerClusterID": prov.name,
            "resources": {
                "cpu": format!("{}m", d.cpu_millicores.max(1)),
                "memory": format!("{}Mi", d.memory_mib.max(1)),
                "pods": d.pods.max(1).to_string(),
            },
        },
    }));
    docs
}

/// The provider's side: it dials the hub's server and grants the hub a tenant.
fn provider_docs(plan: &PlanFile, hub: &PlannedCluster, port: u16) -> Vec<Value> {
    let ns = tenant_namespace(&hub.name);
    let label = json!({REMOTE_ID: hub.name});
    let mut docs = tenant_docs(hub);
    let address = &plan.deploy.hub_gateway.address;
    if !address.is_empty() {
        docs.push(json!({
            "apiVersion": "networking.liqo.io/v1beta1",
            "kind": "GatewayClient",
            "metadata": {"name": "client", "namespace": ns, "labels": label},
            "spec": {
                "clientTemplateRef": gateway_template("WgGatewayClientTemplate", "wireguard-client"),
                "secretRef": {"name": "gw-keys"},
                "endpoint": {"addresses": [address], "port": port, "protocol": "UDP"},
                "mtu": TUNNEL_MTU,
            },
        }));
    }
    docs.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": "liqo-binding-liqo-remote-controlplane", "namespace": ns, "labels": label},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "liqo-remote-controlplane"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": peering_user(&hub.name)}],
    }));
    docs.push(json!({
        "apiVersion": "authentication.liqo.io/v1beta1",
        "kind": "Tenant",
        "metadata": {"name": hub.name, "namespace": ns, "labels": label},
        "spec": {"clusterID": hub.name, "authzPolicy": "TolerateNoHandshake", "tenantCondition": "Active"},
    }));
    docs
}

/// The key and credential script of one declarative peering (run once, after both sides'
/// manifests are applied). Without a fixed hub address it also creates the provider's
/// `GatewayClient`, from the address the hub's load balancer gave the `GatewayServer`
/// (its `status.endpoint`, as `liqoctl peer` reads it).
fn keys_script(plan: &PlanFile, hub: &PlannedCluster, prov: &PlannedCluster, port: u16) -> String {
    let vars = format!(
        "{dir}HUB=\"$DIR\"/{hubk}.kubeconfig\nPROV=\"$DIR\"/{provk}.kubeconfig\nHUB_ID={hub}\nPROV_ID={prov}\nHUB_NS={hub_ns}\nPROV_NS={prov_ns}\nUSER_CN={user}\n",
        dir = kubeconfig_dir(plan),
        hubk = sh_quote(&hub.name),
        provk = sh_quote(&prov.name),
        hub = sh_quote(&hub.name),
        prov = sh_quote(&prov.name),
        hub_ns = sh_quote(&tenant_namespace(&prov.name)),
        prov_ns = sh_quote(&tenant_namespace(&hub.name)),
        user = sh_quote(&peering_user(&hub.name)),
    );
    format!(
        "# Key material of the declarative peering {hub} -> {prov}, created here and never stored in\n# the export: WireGuard key pairs (Secret gw-keys and the peer's PublicKey on each side) and\n# the hub's client certificate on {prov} (identity Secret cplane-secret on the hub).\n# Needs kubectl and openssl; kubeconfigs in $KUBECONFIG_DIR ({default}).\n{vars}{body}",
        default = KUBECONFIG_DEFAULT_DOC,
        hub = hub.name,
        prov = prov.name,
        body = KEYS_BODY,
    ) + &if plan.deploy.hub_gateway.address.is_empty() {
        format!("PORT={port}\nMTU={TUNNEL_MTU}\n{CLIENT_BODY}")
    } else {
        String::new()
    }
}

/// Creates the provider's GatewayClient once the hub's server has an address.
const CLIENT_BODY: &str = r#"tries=0
until ADDR="$(kubectl --kubeconfig "$HUB" -n "$HUB_NS" get gatewayserver server -o jsonpath='{.status.endpoint.addresses[0]}')" && [ -n "$ADDR" ]; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "the hub's gateway server has no address yet (is a load balancer available?)" >&2
    exit 1
  fi
  sleep 5
done
kubectl --kubeconfig "$PROV" apply -f - <<EOF
apiVersion: networking.liqo.io/v1beta1
kind: GatewayClient
metadata:
  name: client
  namespace: $PROV_NS
  labels:
    liqo.io/remote-cluster-id: $HUB_ID
spec:
  clientTemplateRef:
    apiVersion: networking.liqo.io/v1beta1
    kind: WgGatewayClientTemplate
    name: wireguard-client
    namespace: liqo
  secretRef:
    name: gw-keys
  endpoint:
    addresses:
      - $ADDR
    port: $PORT
    protocol: UDP
  mtu: $MTU
EOF
echo "gateway client on $PROV_ID dials $ADDR:$PORT"
"#;

/// The part of the key script that does not depend on the plan.
const KEYS_BODY: &str = r#"umask 077
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# A WireGuard key pair: raw 32-byte private key, base64 public key (Liqo's guide, with openssl).
wg_keys() {
  openssl genpkey -algorithm X25519 -outform der -out "$WORK/$1.der"
  tail -c 32 "$WORK/$1.der" > "$WORK/$1.private"
  openssl pkey -inform der -in "$WORK/$1.der" -pubout -outform der | tail -c 32 > "$WORK/$1.public"
}

# gw-keys in namespace $3 of cluster $1 (kubeconfig), peered with cluster ID $4, from key pair $2.
gw_secret() {
  kubectl --kubeconfig "$1" -n "$3" create secret generic gw-keys \
    --from-file=privateKey="$WORK/$2.private" --from-file=publicKey="$WORK/$2.public" \
    --dry-run=client -o yaml |
    kubectl --kubeconfig "$1" label --local -f - -o yaml \
      liqo.io/remote-cluster-id="$4" networking.liqo.io/gateway-resource=true |
    kubectl --kubeconfig "$1" apply -f -
}

# The PublicKey of peer $4's key pair $2 in namespace $3 of cluster $1.
public_key() {
  kubectl --kubeconfig "$1" apply -f - <<EOF
apiVersion: networking.liqo.io/v1beta1
kind: PublicKey
metadata:
  name: gw-publickey
  namespace: $3
  labels:
    liqo.io/remote-cluster-id: $4
    networking.liqo.io/gateway-resource: "true"
spec:
  publicKey: $(base64 < "$WORK/$2.public" | tr -d '\n')
EOF
}

wg_keys hub
wg_keys provider
gw_secret "$HUB" hub "$HUB_NS" "$PROV_ID"
gw_secret "$PROV" provider "$PROV_NS" "$HUB_ID"
public_key "$HUB" provider "$HUB_NS" "$PROV_ID"
public_key "$PROV" hub "$PROV_NS" "$HUB_ID"

# The hub's user on the provider: a client certificate signed by the provider's CA.
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/user.key"
openssl req -new -key "$WORK/user.key" -subj "/CN=$USER_CN" -out "$WORK/user.csr"
CSR_NAME="$USER_CN"
kubectl --kubeconfig "$PROV" apply -f - <<EOF
apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: $CSR_NAME
spec:
  request: $(base64 < "$WORK/user.csr" | tr -d '\n')
  signerName: kubernetes.io/kube-apiserver-client
  expirationSeconds: 31536000
  usages:
    - client auth
EOF
kubectl --kubeconfig "$PROV" certificate approve "$CSR_NAME"
tries=0
until kubectl --kubeconfig "$PROV" get csr "$CSR_NAME" -o jsonpath='{.status.certificate}' | grep -q .; do
  tries=$((tries + 1))
  if [ "$tries" -ge 30 ]; then
    echo "certificate for $USER_CN was not issued by $PROV_ID" >&2
    exit 1
  fi
  sleep 2
done
kubectl --kubeconfig "$PROV" get csr "$CSR_NAME" -o jsonpath='{.status.certificate}' > "$WORK/user.crt.b64"
SERVER="$(kubectl --kubeconfig "$PROV" config view --raw --minify -o jsonpath='{.clusters[0].cluster.server}')"
CA="$(kubectl --kubeconfig "$PROV" config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')"
cat > "$WORK/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: $PROV_ID
    cluster:
      server: $SERVER
      certificate-authority-data: $CA
users:
  - name: $USER_CN
    user:
      client-certificate-data: $(cat "$WORK/user.crt.b64")
      client-key-data: $(base64 < "$WORK/user.key" | tr -d '\n')
contexts:
  - name: $PROV_ID
    context:
      cluster: $PROV_ID
      user: $USER_CN
current-context: $PROV_ID
EOF
kubectl --kubeconfig "$HUB" -n "$HUB_NS" create secret generic cplane-secret \
  --from-file=kubeconfig="$WORK/kubeconfig" --dry-run=client -o yaml |
  kubectl --kubeconfig "$HUB" label --local -f - -o yaml \
    liqo.io/identity-type=ControlPlane liqo.io/remote-cluster-id="$PROV_ID" |
  kubectl --kubeconfig "$HUB" annotate --local -f - -o yaml \
    liqo.io/remote-tenant-namespace="$PROV_NS" |
  kubectl --kubeconfig "$HUB" apply -f -
echo "declarative peering $HUB_ID -> $PROV_ID: keys and credentials in place"
"#;
