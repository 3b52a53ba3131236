#!/usr/bin/env python3
"""Checks rendered manifests (kubectl kustomize OVERLAY) against what the
deployment promises, beyond what a schema can say: every service is there
with the chassis probes and a locked-down container, the Ingress routes the
public prefixes and the console and nothing else, only user-action and
case reach party and document (anyone else at most their metrics port,
the console not at all), only the console and the other public service
reach each public service's internal API, /metrics is served
on a port of its own that Prometheus is pointed at, the API docs are off,
and each public service has an HPA and a PDB.

    kubectl kustomize deploy/k8s/overlays/dev | deploy/k8s/policy.py

Prints every violation and exits 1 if there is any.
"""

import sys

import yaml

SERVICES = ["party", "document", "user-action", "case", "console"]
PUBLIC = {"user-action", "case"}
# Served through the Ingress like the public services; scaled like them.
EDGE = PUBLIC | {"console"}
INTERNAL = {"party", "document"}
CAM = "/services/data/v1/CustomerActionsManagement/"
ECM = "/rest-api/ECMService/"
ROUTES = {
    (CAM, "Prefix", "user-action-service"),
    (CAM + "operations/UserAction/uploadDocument", "Exact", "user-action-service"),
    (ECM, "Prefix", "case-service"),
    ("/rest-api/CMRestService/", "Prefix", "case-service"),
    ("/restapi/CMRestService/", "Prefix", "case-service"),
    ("/console/", "Prefix", "console-service"),
}


def check(docs):
    problems = []
    fail = problems.append
    by_kind = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    configmaps = set(by_kind.get("ConfigMap", {}))

    def pod_checks(where, pod):
        security = pod.get("securityContext", {})
        if security.get("runAsNonRoot") is not True:
            fail(f"{where}: the pod must set runAsNonRoot: true")
        if pod.get("automountServiceAccountToken") is not False:
            fail(f"{where}: the pod must not mount a service account token")
        mounts_needed = {"/tmp"}
        for container in pod["containers"]:
            name = f"{where}/{container['name']}"
            sc = container.get("securityContext", {})
            if sc.get("readOnlyRootFilesystem") is not True:
                fail(f"{name}: readOnlyRootFilesystem must be true")
            if sc.get("allowPrivilegeEscalation") is not False:
                fail(f"{name}: allowPrivilegeEscalation must be false")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                fail(f"{name}: capabilities must drop ALL")
            resources = container.get("resources", {})
            if not resources.get("requests", {}).get("cpu") or not resources.get(
                "limits", {}
            ).get("memory"):
                fail(f"{name}: needs a CPU request and a memory limit")
            if container.get("image", "").split(":")[0] in ("", "onboarding"):
                fail(f"{name}: the image was not set by the overlay")
            mounted = {m["mountPath"] for m in container.get("volumeMounts", [])}
            for path in mounts_needed - mounted:
                fail(f"{name}: {path} must be a writable volume")
            for source in container.get("envFrom", []):
                ref = source.get("configMapRef", {}).get("name")
                if ref and ref not in configmaps:
                    fail(f"{name}: ConfigMap {ref} is not in the render")

    settings = {}
    for name, configmap in by_kind.get("ConfigMap", {}).items():
        if name.startswith("onboarding-config"):
            settings.update(configmap.get("data", {}))
    if settings.get("API_DOCS") != "false":
        fail("onboarding-config must set API_DOCS=false: the documents are in proto-docs/")

    def metrics_checks(where, deployment, container):
        ports = {p.get("name"): p.get("containerPort") for p in container.get("ports", [])}
        metrics = ports.get("metrics")
        if metrics is None or metrics == ports.get("http"):
            fail(f"{where}: needs a container port named metrics, apart from http")
        elif str(metrics) != settings.get("METRICS_PORT"):
            fail(f"{where}: METRICS_PORT must be the metrics port {metrics}")
        annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
        if annotations.get("prometheus.io/port") != str(metrics):
            fail(f"{where}: prometheus.io/port must name the metrics port {metrics}")

    deployments = by_kind.get("Deployment", {})
    for service in SERVICES:
        name = f"{service}-service"
        deployment = deployments.get(name)
        if deployment is None:
            fail(f"Deployment {name} is missing")
            continue
        pod = deployment["spec"]["template"]["spec"]
        pod_checks(f"Deployment {name}", pod)
        container = pod["containers"][0]
        if container.get("args") != ["serve", service]:
            fail(f"Deployment {name}: args must be serve {service}")
        probes = {
            "livenessProbe": "/health/live",
            "readinessProbe": "/health/ready",
        }
        for probe, path in probes.items():
            got = container.get(probe, {}).get("httpGet", {}).get("path")
            if got != path:
                fail(f"Deployment {name}: {probe} must GET {path}, not {got}")
        metrics_checks(f"Deployment {name}", deployment, container)
        svc = by_kind.get("Service", {}).get(name)
        if svc is None or svc["spec"].get("selector") != deployment["spec"][
            "selector"
        ].get("matchLabels"):
            fail(f"Service {name} is missing or does not select its Deployment")
    for extra in set(deployments) - {f"{s}-service" for s in SERVICES}:
        fail(f"Deployment {extra} is not one of the services")

    job = by_kind.get("Job", {}).get("onboarding-migrate")
    if job is None:
        fail("the migration Job onboarding-migrate is missing")
    else:
        pod = job["spec"]["template"]["spec"]
        pod_checks("Job onboarding-migrate", pod)
        if pod["containers"][0].get("args") != ["migrate"]:
            fail("Job onboarding-migrate: args must be migrate")

    routes = set()
    for name, ingress in by_kind.get("Ingress", {}).items():
        for rule in ingress["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                backend = path["backend"].get("service", {}).get("name")
                routes.add((path["path"], path["pathType"], backend))
        if ingress["spec"].get("defaultBackend"):
            fail(f"Ingress {name}: no default backend may be routed")
    if routes != ROUTES:
        fail(
            "the Ingresses must route exactly "
            f"{sorted(ROUTES)}; they route {sorted(routes)}"
        )

    policies = by_kind.get("NetworkPolicy", {})
    deny = [
        p
        for p in policies.values()
        if p["spec"].get("podSelector") == {}
        and "Ingress" in p["spec"].get("policyTypes", [])
        and not p["spec"].get("ingress")
    ]
    if not deny:
        fail("a default-deny ingress NetworkPolicy is missing")
    for service in INTERNAL:
        allowed = set()
        selected = False
        for policy in policies.values():
            if not selects(policy["spec"].get("podSelector", {}), service):
                continue
            selected = True
            for rule in policy["spec"].get("ingress", []):
                if metrics_only(rule):
                    continue
                for peer in rule.get("from", [{}]):
                    allowed |= peer_components(peer)
        if not selected:
            fail(f"no NetworkPolicy selects {service}-service")
        if not allowed <= PUBLIC or not allowed:
            fail(
                f"{service}-service must be reached only from user-action and "
                f"case, not {sorted(allowed)}"
            )

    # A public service's own pods are reached by the other public service
    # and the console only, besides the ingress controller and metrics.
    for service in PUBLIC:
        allowed = set()
        for policy in policies.values():
            if not selects(policy["spec"].get("podSelector", {}), service):
                continue
            for rule in policy["spec"].get("ingress", []):
                if metrics_only(rule):
                    continue
                for peer in rule.get("from", [{}]):
                    if set(peer) == {"namespaceSelector"}:
                        continue
                    allowed |= peer_components(peer)
        if not allowed <= (EDGE - {service}):
            fail(f"{service}-service may be reached only from {sorted(EDGE - {service})}, not {sorted(allowed)}")

    for kind in ("HorizontalPodAutoscaler", "PodDisruptionBudget"):
        for service in EDGE:
            if f"{service}-service" not in by_kind.get(kind, {}):
                fail(f"{kind} {service}-service is missing")
    return problems


def selects(selector, component):
    """Whether a label selector selects the pods of `component`."""
    labels = {
        "app.kubernetes.io/name": "onboarding",
        "app.kubernetes.io/component": component,
    }
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        present = labels.get(expression["key"])
        values = expression.get("values", [])
        if expression["operator"] == "In" and present not in values:
            return False
        if expression["operator"] == "NotIn" and present in values:
            return False
    return True


def metrics_only(rule):
    """Whether a NetworkPolicy ingress rule opens the metrics port and
    nothing else (a rule without ports opens every port)."""
    ports = rule.get("ports", [])
    return bool(ports) and all(p.get("port") == "metrics" for p in ports)


def peer_components(peer):
    """The components a NetworkPolicy peer admits; anything but a pod
    selector of this namespace admits everything ('*')."""
    if set(peer) != {"podSelector"}:
        return {"*"}
    return {c for c in SERVICES + ["migrate"] if selects(peer["podSelector"], c)} | (
        {"*"} if not peer["podSelector"] else set()
    )


def main():
    docs = [d for d in yaml.safe_load_all(sys.stdin) if d]
    problems = check(docs)
    for problem in problems:
        print(f"policy: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"policy: {len(docs)} resources pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
