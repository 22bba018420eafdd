//! Unit tests of the vendored schemas and the validator: per family (core, Cluster API,
//! k3s, OpenStack, CAAPH, Liqo, Prometheus Operator) a valid document passes and broken
//! copies of it fail at the broken field; the Kubernetes extensions on small schemas. The
//! samples are adapted from `shared/schemas/samples` (upstream templates and xrplace's
//! reference set).

use super::*;
use serde_json::json;

/// The document of a YAML text.
fn yaml(text: &str) -> Value {
    serde_yaml_ng::from_str(text).expect("sample parses")
}

/// The violations of `doc` as `path: message` lines.
fn violations(doc: &Value) -> Vec<String> {
    Validator::new()
        .validate(doc)
        .expect("kind known")
        .iter()
        .map(|v| format!("{}: {}", v.path, v.message))
        .collect()
}

/// `text` with `from` replaced by `to` (which must be there), parsed.
fn broken(text: &str, from: &str, to: &str) -> Value {
    assert!(text.contains(from), "sample has no {from:?}");
    yaml(&text.replacen(from, to, 1))
}

/// Asserts `doc` has exactly one violation, at `path`, whose message contains `what`.
#[track_caller]
fn only(doc: &Value, path: &str, what: &str) {
    let v = violations(doc);
    assert_eq!(v.len(), 1, "{v:#?}");
    assert!(
        v[0].starts_with(&format!("{path}: ")) && v[0].contains(what),
        "{v:#?}"
    );
}

const DEPLOYMENT: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: media-server
  namespace: xr-demo
  labels: {app: media-server}
spec:
  replicas: 2
  selector:
    matchLabels: {app: media-server}
  template:
    metadata:
      labels: {app: media-server}
    spec:
      nodeSelector: {liqo.io/remote-cluster-id: edge-fra-1}
      containers:
      - name: media-server
        image: ghcr.io/example/xr-media-server:1.0.0
        resources:
          requests: {cpu: 500m, memory: 512Mi}
        ports:
        - {name: media, containerPort: 8443, protocol: UDP}
"#;

const SERVICE: &str = r#"
apiVersion: v1
kind: Service
metadata: {name: media, namespace: xr-demo}
spec:
  type: NodePort
  selector: {app: media-server}
  ports:
  - {name: media, port: 8443, targetPort: media, nodePort: 30000, protocol: UDP}
"#;

#[test]
fn core_kinds_are_strict_and_typed() {
    assert_eq!(violations(&yaml(DEPLOYMENT)), Vec::<String>::new());
    assert_eq!(violations(&yaml(SERVICE)), Vec::<String>::new());
    only(
        &broken(DEPLOYMENT, "replicas: 2", "replicas: \"2\""),
        ".spec.replicas",
        "expected integer, got string \"2\"",
    );
    only(
        &broken(
            DEPLOYMENT,
            "image: ",
            "imagePullPolicyy: Always\n        image: ",
        ),
        ".spec.template.spec.containers[0].imagePullPolicyy",
        "unknown field \"imagePullPolicyy\" (did you mean \"imagePullPolicy\"?)",
    );
    only(
        &broken(DEPLOYMENT, "containerPort: 8443, ", ""),
        ".spec.template.spec.containers[0].ports[0]",
        "missing required field \"containerPort\"",
    );
    // metadata is ObjectMeta, strict too.
    only(
        &broken(
            DEPLOYMENT,
            "namespace: xr-demo",
            "namespace: xr-demo\n  owner: me",
        ),
        ".metadata.owner",
        "unknown field \"owner\"",
    );
    // IntOrString: a name or a number, nothing else.
    only(
        &broken(SERVICE, "targetPort: media", "targetPort: [8443]"),
        ".spec.ports[0].targetPort",
        "expected string or integer, got array",
    );
}

#[test]
fn core_list_maps_refuse_duplicate_keys() {
    let twice = broken(
        DEPLOYMENT,
        "      containers:\n",
        "      containers:\n      - {name: media-server, image: busybox}\n",
    );
    only(
        &twice,
        ".spec.template.spec.containers[1]",
        "duplicate entry with name=\"media-server\"",
    );
}

const CLUSTER: &str = r#"
apiVersion: cluster.x-k8s.io/v1beta2
kind: Cluster
metadata:
  name: edge-fra-1
  namespace: xr-clusters
spec:
  clusterNetwork:
    pods: {cidrBlocks: [10.42.0.0/16]}
    services: {cidrBlocks: [10.43.0.0/16]}
  controlPlaneRef: {apiGroup: controlplane.cluster.x-k8s.io, kind: KThreesControlPlane, name: edge-fra-1-control-plane}
  infrastructureRef: {apiGroup: infrastructure.cluster.x-k8s.io, kind: OpenStackCluster, name: edge-fra-1}
"#;

#[test]
fn cluster_api_references_follow_the_v1beta2_contract() {
    assert_eq!(violations(&yaml(CLUSTER)), Vec::<String>::new());
    // v1beta1's apiVersion in a v1beta2 reference is an unknown field, and apiGroup is missing.
    let v1beta1_ref = broken(
        CLUSTER,
        "apiGroup: infrastructure.cluster.x-k8s.io,",
        "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1,",
    );
    let v = violations(&v1beta1_ref);
    assert_eq!(v.len(), 2, "{v:#?}");
    assert!(v.contains(&".spec.infrastructureRef.apiVersion: unknown field \"apiVersion\"".into()));
    assert!(v.contains(&".spec.infrastructureRef: missing required field \"apiGroup\"".into()));
    only(
        &broken(CLUSTER, "name: edge-fra-1}", "name: Edge_Fra}"),
        ".spec.infrastructureRef.name",
        "does not match pattern",
    );
    let long_kind = format!("kind: {}, ", "K".repeat(64));
    only(
        &broken(CLUSTER, "kind: KThreesControlPlane, ", &long_kind),
        ".spec.controlPlaneRef.kind",
        "must be at most 63 characters long",
    );
}

const K3S_CONTROL_PLANE: &str = r#"
apiVersion: controlplane.cluster.x-k8s.io/v1beta2
kind: KThreesControlPlane
metadata: {name: edge-fra-1-control-plane, namespace: xr-clusters}
spec:
  replicas: 1
  version: v1.33.4+k3s1
  machineTemplate:
    infrastructureRef: {apiVersion: infrastructure.cluster.x-k8s.io/v1beta1, kind: OpenStackMachineTemplate, name: edge-fra-1-control-plane}
  kthreesConfigSpec:
    serverConfig:
      disableComponents: [servicelb, traefik]
      clusterCidr: 10.42.0.0/16
    agentConfig:
      nodeName: '{{ ds.meta_data.local_hostname }}'
"#;

#[test]
fn k3s_control_plane_needs_its_version() {
    assert_eq!(violations(&yaml(K3S_CONTROL_PLANE)), Vec::<String>::new());
    only(
        &broken(K3S_CONTROL_PLANE, "  version: v1.33.4+k3s1\n", ""),
        ".spec",
        "missing required field \"version\"",
    );
    only(
        &broken(K3S_CONTROL_PLANE, "clusterCidr", "clusterCIDR"),
        ".spec.kthreesConfigSpec.serverConfig.clusterCIDR",
        "(did you mean \"clusterCidr\"?)",
    );
}

const OPENSTACK_CLUSTER: &str = r#"
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: OpenStackCluster
metadata: {name: edge-fra-1, namespace: xr-clusters}
spec:
  identityRef: {cloudName: openstack, name: edge-fra-1-cloud-config}
  externalNetwork: {id: 2f5ab8d4-4c5b-4d3e-9f1a-0b7d1c2e3f40}
  managedSubnets:
  - cidr: 10.6.0.0/24
    dnsNameservers: [9.9.9.9]
  apiServerLoadBalancer: {enabled: false}
  managedSecurityGroups:
    allNodesSecurityGroupRules:
    - {name: liqo-gateway, description: Liqo gateway, direction: ingress, etherType: IPv4, protocol: udp, portRangeMin: 30000, portRangeMax: 32767, remoteIPPrefix: 0.0.0.0/0}
"#;

const OPENSTACK_TEMPLATE: &str = r#"
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: OpenStackMachineTemplate
metadata: {name: edge-fra-1-md-0, namespace: xr-clusters}
spec:
  template:
    spec:
      flavor: m1.large
      image:
        filter: {name: ubuntu-2404-k3s-v1.33.4}
      sshKeyName: xr-ops
"#;

#[test]
fn openstack_kinds_check_formats_enums_and_defaults() {
    // identityRef.type is required upstream but has a default, which the API server
    // fills in before validating, so it may be left out.
    assert_eq!(violations(&yaml(OPENSTACK_CLUSTER)), Vec::<String>::new());
    assert_eq!(violations(&yaml(OPENSTACK_TEMPLATE)), Vec::<String>::new());
    only(
        &broken(
            OPENSTACK_CLUSTER,
            "id: 2f5ab8d4-4c5b-4d3e-9f1a-0b7d1c2e3f40",
            "id: public-net",
        ),
        ".spec.externalNetwork.id",
        "\"public-net\" is not a valid uuid",
    );
    only(
        &broken(
            OPENSTACK_CLUSTER,
            "direction: ingress",
            "direction: inbound",
        ),
        ".spec.managedSecurityGroups.allNodesSecurityGroupRules[0].direction",
        "unsupported value \"inbound\": supported values: \"ingress\", \"egress\"",
    );
    // A field may be called "description": vendor.py keeps it (it only strips schema text).
    only(
        &broken(
            OPENSTACK_CLUSTER,
            "description: Liqo gateway",
            "description: 7",
        ),
        ".spec.managedSecurityGroups.allNodesSecurityGroupRules[0].description",
        "expected string, got integer 7",
    );
    only(
        &broken(OPENSTACK_TEMPLATE, "flavor:", "flavour:"),
        ".spec.template.spec.flavour",
        "(did you mean \"flavor\"?)",
    );
    // CAPO v1beta2 made the flavor a reference ({filter: {name}} or {id}): the v1beta1
    // template under the v1beta2 apiVersion is refused there; v1alpha7 is not vendored.
    only(
        &broken(OPENSTACK_TEMPLATE, "/v1beta1", "/v1beta2"),
        ".spec.template.spec.flavor",
        "expected object, got string \"m1.large\"",
    );
    let old = broken(OPENSTACK_TEMPLATE, "/v1beta1", "/v1alpha7");
    let why = check_kind(&old).unwrap_err().0;
    assert!(
        why.contains("v1beta1, infrastructure.cluster.x-k8s.io/v1beta2 only"),
        "{why}"
    );
}

const HELM_CHART_PROXY: &str = r#"
apiVersion: addons.cluster.x-k8s.io/v1alpha1
kind: HelmChartProxy
metadata: {name: liqo-edge-fra-1, namespace: xr-clusters}
spec:
  clusterSelector:
    matchLabels: {xrplace.io/cluster: edge-fra-1}
  repoURL: https://helm.liqo.io/
  chartName: liqo
  version: v1.2.0
  namespace: liqo
  releaseName: liqo
  valuesTemplate: |
    discovery:
      config:
        clusterID: edge-fra-1
"#;

#[test]
fn helm_chart_proxy_values_are_a_string() {
    assert_eq!(violations(&yaml(HELM_CHART_PROXY)), Vec::<String>::new());
    only(
        &broken(
            HELM_CHART_PROXY,
            "valuesTemplate: |\n    discovery:",
            "valuesTemplate:\n    discovery:",
        ),
        ".spec.valuesTemplate",
        "expected string, got object",
    );
    only(
        &broken(HELM_CHART_PROXY, "  chartName: liqo\n", ""),
        ".spec",
        "missing required field \"chartName\"",
    );
}

const NAMESPACE_OFFLOADING: &str = r#"
apiVersion: offloading.liqo.io/v1beta1
kind: NamespaceOffloading
metadata: {name: offloading, namespace: xr-demo}
spec:
  namespaceMappingStrategy: EnforceSameName
  podOffloadingStrategy: LocalAndRemote
  clusterSelector:
    nodeSelectorTerms:
    - matchExpressions:
      - {key: liqo.io/remote-cluster-id, operator: In, values: [edge-fra-1]}
"#;

const CONFIGURATION: &str = r#"
apiVersion: networking.liqo.io/v1beta1
kind: Configuration
metadata:
  name: edge-fra-1
  namespace: liqo-tenant-edge-fra-1
  labels: {liqo.io/remote-cluster-id: edge-fra-1}
spec:
  remote:
    cidr:
      pod: [10.42.0.0/16]
      external: [10.70.0.0/16]
"#;

#[test]
fn liqo_kinds_check_enums_and_cidrs() {
    assert_eq!(
        violations(&yaml(NAMESPACE_OFFLOADING)),
        Vec::<String>::new()
    );
    assert_eq!(violations(&yaml(CONFIGURATION)), Vec::<String>::new());
    only(
        &broken(NAMESPACE_OFFLOADING, "LocalAndRemote", "RemoteOnly"),
        ".spec.podOffloadingStrategy",
        "unsupported value \"RemoteOnly\": supported values: \"Local\", \"Remote\", \"LocalAndRemote\"",
    );
    only(
        &broken(CONFIGURATION, "10.70.0.0/16", "10.70.0.0/99"),
        ".spec.remote.cidr.external[0]",
        "\"10.70.0.0/99\" is not a valid cidr",
    );
}

const POD_MONITOR: &str = r#"
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: xr-components, namespace: xr-demo}
spec:
  selector:
    matchLabels: {xrplace.io/component: media-server}
  podMetricsEndpoints:
  - {port: metrics, interval: 15s}
"#;

const PROMETHEUS_RULE: &str = r#"
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: xr-slo, namespace: xr-monitoring}
spec:
  groups:
  - name: xr-slo
    interval: 15s
    rules:
    - record: xr:slo_violation_ratio
      expr: sum(rate(a[5m])) / sum(rate(b[5m]))
    - alert: XrSloViolated
      expr: xr:slo_violation_ratio > 0.05
      for: 5m
"#;

#[test]
fn prometheus_operator_kinds_check_durations_and_int_or_string() {
    assert_eq!(violations(&yaml(POD_MONITOR)), Vec::<String>::new());
    assert_eq!(violations(&yaml(PROMETHEUS_RULE)), Vec::<String>::new());
    only(
        &broken(POD_MONITOR, "interval: 15s", "interval: 15 seconds"),
        ".spec.podMetricsEndpoints[0].interval",
        "does not match pattern",
    );
    // expr is int-or-string: a number is fine, a list is not.
    assert_eq!(
        violations(&broken(
            PROMETHEUS_RULE,
            "expr: xr:slo_violation_ratio > 0.05",
            "expr: 1"
        )),
        Vec::<String>::new()
    );
    only(
        &broken(
            PROMETHEUS_RULE,
            "expr: xr:slo_violation_ratio > 0.05",
            "expr: [a]",
        ),
        ".spec.groups[0].rules[1].expr",
        "expected integer or string, got array",
    );
}

#[test]
fn kinds_without_a_schema_are_named_and_kustomizations_pass() {
    let cm = json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "a"}});
    let why = check_kind(&cm).unwrap_err().0;
    assert!(
        why.starts_with("no schema for cert-manager.io/v1 Certificate"),
        "{why}"
    );
    assert!(
        why.ends_with("kinds the export writes, listed in docs/export.md"),
        "{why}"
    );
    assert!(check_kind(&json!({"kind": "Namespace"}))
        .unwrap_err()
        .0
        .contains("no apiVersion"));
    assert!(check_kind(&json!([1]))
        .unwrap_err()
        .0
        .contains("not a mapping (got array)"));
    let k = json!({"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": ["a.yaml"]});
    assert_eq!(Validator::new().validate(&k), Ok(Vec::new()));
    let bad = json!({"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomisation"});
    assert!(check_kind(&bad).is_err());
}
