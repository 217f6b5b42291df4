"""The host's CA store is found at start-up on each distribution's layout.

Each layout exists alone inside a private mount namespace (`unshare -m`): an overlay over
`/etc` where `/etc/ssl` and `/etc/pki` are replaced by the layout, and an empty tmpfs over
`/usr/lib/ssl` (OPENSSLDIR of Debian's OpenSSL, which the other distributions lack). The
bundle holds one test CA, so the binary's trust store shows exactly where it was read from.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from oxidizer_it import WORKSPACE, Bazel, clean_env

PKG = "//tests/integration/tls"
TEST_CA = WORKSPACE / "tests" / "integration" / "tls" / "test_ca.pem"
TEST_CA_NAME = "rules_oxidizer test CA"
# For unshare, mount and the shell; the binary itself runs with clean_env().
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"

# Layouts: (bundle files, symlinks link -> target, directories); every file gets the test CA.
LAYOUTS: dict[str, tuple[list[str], dict[str, str], list[str]]] = {
    "debian": (["/etc/ssl/certs/ca-certificates.crt"], {}, ["/etc/ssl/certs"]),
    "fedora": (
        ["/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"],
        {"/etc/pki/tls/certs/ca-bundle.crt": "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
         "/etc/ssl/certs": "/etc/pki/tls/certs"},
        ["/etc/pki/tls/certs"],
    ),
    "rhel7": (["/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"], {}, []),
    "alpine": (["/etc/ssl/cert.pem"], {}, ["/etc/ssl/certs"]),
    "suse": (["/etc/ssl/ca-bundle.pem"], {}, ["/etc/ssl/certs"]),
    "none": ([], {}, []),
}
# What the probe must choose on each layout (SSL_CERT_FILE, SSL_CERT_DIR).
EXPECTED = {
    "debian": ("/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs"),
    "fedora": ("/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs"),
    "rhel7": ("/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", None),
    "alpine": ("/etc/ssl/cert.pem", "/etc/ssl/certs"),
    "suse": ("/etc/ssl/ca-bundle.pem", "/etc/ssl/certs"),
    "none": (None, None),
}


def layout_script(layout: str, tmp: Path) -> str:
    """Shell commands that replace the CA locations by `layout` (inside the namespace)."""
    files, links, dirs = LAYOUTS[layout]
    q = shlex.quote
    lines = [
        "set -eu",
        f"mount -t tmpfs tmpfs {q(str(tmp))}",
        f"mkdir {q(str(tmp / 'upper'))} {q(str(tmp / 'work'))}",
        f"mount -t overlay overlay -o lowerdir=/etc,upperdir={tmp / 'upper'},workdir={tmp / 'work'} /etc",
        "rm -rf /etc/ssl /etc/pki",
        "if [ -d /usr/lib/ssl ]; then mount -t tmpfs tmpfs /usr/lib/ssl; fi",
    ]
    for d in dirs:
        lines.append(f"mkdir -p {q(d)}")
    for f in files:
        lines += [f"mkdir -p {q(str(Path(f).parent))}", f"cat >{q(f)} <<'PEM'\n{TEST_CA.read_text()}PEM"]
    for link, target in links.items():
        lines += [f"mkdir -p {q(str(Path(link).parent))}", f"ln -sfn {q(target)} {q(link)}"]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def built(bazel: Bazel) -> Bazel:
    bazel.build(f"{PKG}:ca_report", f"{PKG}:ca_report_no_probe")
    return bazel


@pytest.fixture(scope="module")
def namespaces(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Skips unless this process may make a private mount namespace with overlay and tmpfs."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed")
    tmp = tmp_path_factory.mktemp("ns_probe")
    proc = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", layout_script("none", tmp)],
        capture_output=True, text=True, timeout=60, env={"PATH": SYSTEM_PATH},
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot make a private mount namespace with overlay/tmpfs mounts (needs root or "
                    f"CAP_SYS_ADMIN): {proc.stderr.strip()}")


def report(binary: Path, layout: str, tmp: Path, **env: str) -> dict[str, object]:
    """Runs `binary` with `layout` alone in a private mount namespace; its JSON report."""
    bare = " ".join(shlex.quote(f"{k}={v}") for k, v in clean_env(**env).items())
    script = layout_script(layout, tmp) + f"\nexec env -i {bare} {shlex.quote(str(binary))}"
    proc = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
        capture_output=True, text=True, timeout=60, env={"PATH": SYSTEM_PATH},
    )
    assert proc.returncode == 0, f"{layout}: {proc.stderr}"
    return json.loads(proc.stdout)


@pytest.mark.usefixtures("namespaces")
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_default_context_finds_the_layouts_store(built: Bazel, layout: str, tmp_path: Path) -> None:
    got = report(built.bin(f"{PKG}:ca_report"), layout, tmp_path)
    want_file, want_dir = EXPECTED[layout]
    assert (got["SSL_CERT_FILE"], got["SSL_CERT_DIR"]) == (want_file, want_dir)
    if want_file is None:
        assert got["x509_ca"] == 0
    else:
        assert got["x509_ca"] > 0
        assert got["subjects"] == [TEST_CA_NAME]


@pytest.mark.usefixtures("namespaces")
def test_without_the_probe_openssl_finds_nothing_off_debian(built: Bazel, tmp_path: Path) -> None:
    got = report(built.bin(f"{PKG}:ca_report_no_probe"), "fedora", tmp_path)
    assert (got["SSL_CERT_FILE"], got["SSL_CERT_DIR"], got["x509_ca"]) == (None, None, 0)


@pytest.mark.usefixtures("namespaces")
def test_user_variables_win(built: Bazel, tmp_path: Path) -> None:
    got = report(built.bin(f"{PKG}:ca_report"), "fedora", tmp_path, SSL_CERT_DIR="/nonexistent")
    assert (got["SSL_CERT_FILE"], got["SSL_CERT_DIR"], got["x509_ca"]) == (None, "/nonexistent", 0)
    (tmp_path / "2").mkdir()
    got = report(built.bin(f"{PKG}:ca_report"), "none", tmp_path / "2", SSL_CERT_FILE=str(TEST_CA))
    assert (got["SSL_CERT_FILE"], got["SSL_CERT_DIR"], got["subjects"]) == (str(TEST_CA), None, [TEST_CA_NAME])
