"""Two replicas behind a real nginx running deploy/nginx/search-service.conf (Debian's nginx-light,
installed when missing), as README's "Running in production" lays them out.

Queries run through nginx from several threads the whole time while a new record is indexed on the
build index and replicated to both replicas, and while one replica's server (its whole process group)
is killed with SIGKILL. Not one request through nginx may fail.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from conftest import ROOT, Readers, debian_package, free_port, index_with, one_record, run_cli, serve_process

pytestmark = pytest.mark.slow  # nginx, two live servers, a rebuild and replication under load

NGINX = Path("/usr/sbin/nginx")
DEPLOYED = ROOT / "deploy" / "nginx" / "search-service.conf"
CLIENTS = 4  # threads querying through nginx


def nginx_config(folder: Path, replicas: list[str]) -> tuple[Path, str]:
    """deploy/'s nginx file with the test's replicas and port, inside a main configuration of the test's
    own (its pid, logs and temporary files in `folder`); the configuration file and nginx's base URL."""
    port = free_port()
    deployed = DEPLOYED.read_text(encoding="utf-8")
    servers = re.findall(r"^\s*server (\S+) max_fails", deployed, flags=re.M)
    assert len(servers) >= 2, "deploy's nginx file should name two replicas or more"
    for example, replica in zip(servers, replicas, strict=True):
        deployed = deployed.replace(f"server {example} ", f"server {replica} ", 1)
    assert deployed.count("listen 80;") == 1
    deployed = deployed.replace("/var/log/nginx/", f"{folder}/")
    (folder / "search-service.conf").write_text(deployed.replace("listen 80;", f"listen 127.0.0.1:{port};"))
    temporary = "".join(f"    {kind}_temp_path {folder / kind};\n" for kind in ("client_body", "proxy"))
    main = folder / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # the workers then read the test's folders
        + f"daemon off;\nworker_processes 2;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n"
        + "events { worker_connections 512; }\n"
        + f"http {{\n    access_log {folder / 'access.log'};\n{temporary}"
        + f"    include {folder / 'search-service.conf'};\n}}\n")
    return main, f"http://127.0.0.1:{port}"


def found_after(url: str, since: float, seconds: float = 60.0) -> float:
    """Seconds from `since` until `url` answers 200 (asked every 50 ms); fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while requests.get(url, timeout=10).status_code != 200:
        assert time.monotonic() < deadline, f"{url} not found {seconds} s after replicate returned"
        time.sleep(0.05)
    return time.monotonic() - since


def searches(base: str) -> float:
    """The searches a replica has counted, from its /metrics read with prometheus_client's own parser."""
    text = requests.get(f"{base}/metrics", timeout=10).text
    return sum(sample.value for family in text_string_to_metric_families(text)
               if family.name == "search_service_searches" for sample in family.samples
               if sample.name == "search_service_searches_total")


@pytest.fixture()
def nginx(tmp_path):
    """Start nginx on `deploy/`'s configuration for the given replicas: a function returning its base URL."""
    debian_package("nginx-light", NGINX)
    started = []

    def start(replicas: list[str]) -> str:
        config, base = nginx_config(tmp_path, replicas)
        checked = subprocess.run([str(NGINX), "-t", "-c", str(config), "-e", str(tmp_path / "error.log")],
                                 capture_output=True, text=True)
        assert checked.returncode == 0 and "test is successful" in checked.stderr, checked.stderr
        started.append(subprocess.Popen([str(NGINX), "-c", str(config), "-e", str(tmp_path / "error.log")]))
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/health", timeout=2).status_code == 200:
                    return base
            except requests.ConnectionError:
                pass
            assert started[0].poll() is None and time.monotonic() < deadline, (tmp_path / "error.log").read_text()
            time.sleep(0.1)

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=15)


def test_replicas_behind_nginx_answer_every_request_through_replication_and_a_killed_replica(
        tmp_path, nginx, capsys):
    build = index_with(tmp_path / "build")
    replicas = [tmp_path / "replica-1", tmp_path / "replica-2"]
    assert run_cli("replicate", "--index", build, "--to", replicas[0], "--to", replicas[1]).exit_code == 0
    # Each server's metrics folder in the test's own: a server killed outright cannot remove it.
    env = {"SEARCH_TRUSTED_PROXIES": "1", "TMPDIR": str(tmp_path)}
    with serve_process(replicas[0], documents=None, env=env, own_group=True) as (first, victim), \
            serve_process(replicas[1], documents=None, env=env, own_group=True) as (second, _):
        base = nginx([first.removeprefix("http://"), second.removeprefix("http://")])
        echoed = requests.get(f"{base}/health", headers={"X-Request-Id": "trace-7f3a"}, timeout=10)
        made = requests.get(f"{base}/health", timeout=10).headers["X-Request-Id"]
        static = requests.get(f"{base}/static/favicon.svg", timeout=10)
        with Readers(base, threads=CLIENTS) as load:
            load.wait_for_answers(40)
            index_with(build, one_record(tmp_path, "replica-new", "quasiparticle"))
            replicated = run_cli("replicate", "--index", build, "--to", replicas[0], "--to", replicas[1])
            returned = time.monotonic()
            assert replicated.exit_code == 0, replicated.output
            seconds = [found_after(f"{replica}/api/documents/replica-new", returned) for replica in (first, second)]
            load.wait_for_answers(load.answered() + 40)
            os.killpg(victim.pid, signal.SIGKILL)  # gunicorn's master and every worker it forked
            victim.wait(timeout=10)
            load.wait_for_answers(load.answered() + 200)
            through_nginx = requests.get(f"{base}/api/search", params={"q": "quasiparticle"}, timeout=10).json()
        before = searches(second)
        for _ in range(5):
            assert requests.get(f"{second}/api/search", params={"q": "Gottwald"}, timeout=10).status_code == 200
        after = searches(second)
    with capsys.disabled():
        print(f"\nreplicas behind nginx: {load.answers} requests, {len(load.failures)} failed; the new record "
              f"found on the replicas {seconds[0]:.2f} s and {seconds[1]:.2f} s after replicate returned")
    assert not load.failures, load.failures[:5]
    assert load.answers >= 280
    assert [hit["id"] for hit in through_nginx["hits"]] == ["replica-new"]
    assert echoed.headers["X-Request-Id"] == "trace-7f3a" and re.fullmatch(r"[0-9a-f]{32}", made)
    assert static.status_code == 200 and static.headers["Cache-Control"] == "public, max-age=86400"
    assert before >= 1 and after == before + 5
    for path in ("/metrics", "/api/admin/queries", "/admin/queries"):  # asked of each replica directly instead
        assert requests.get(f"{base}{path}", timeout=10).status_code == 404
    logged = (tmp_path / "search-service.access.log").read_text()
    assert "id=trace-7f3a" in logged and f"upstream={second.removeprefix('http://')}" in logged
