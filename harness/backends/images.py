"""Reference images for the docker backend: built locally from `docker/`, cached by a hash of the inputs.

The tag is the digest of everything that goes into the image, so a second run (or another checkout of
the same code) reuses it and any change to the code or the Dockerfile builds a new one. Where no registry
can be reached, the Debian base image is made with debootstrap and `docker import`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import docker.errors

import docker
from harness.backends import Progress
from harness.errors import StackError

SOURCE_ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = "docker/wheels"
PUBLIC_BASE = "debian:bookworm-slim"
BOOTSTRAPPED_BASE = "camunda-harness/base:bookworm"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
BUILD_TIMEOUT_S = 1800


@dataclasses.dataclass(frozen=True)
class ImageSpec:
    """One image the harness builds from this checkout: its Dockerfile and everything that goes into it."""

    name: str
    dockerfile: str
    repository: str
    inputs: tuple[str, ...]


# The reference stack's services (docker backend), and the harness itself with its scenarios (CI, Kubernetes).
REFERENCE = ImageSpec("reference", "docker/reference.Dockerfile", "camunda-harness/reference",
                      ("docker/reference.Dockerfile", "pyproject.toml", "README.md", "harness"))
HARNESS = ImageSpec("harness", "docker/harness.Dockerfile", "camunda-harness/harness",
                    ("docker/harness.Dockerfile", "pyproject.toml", "README.md", "harness", "scenarios"))


def input_digest(spec: ImageSpec = REFERENCE, root: Path = SOURCE_ROOT) -> str:
    digest = hashlib.sha256()
    for name in spec.inputs:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts or file.suffix == ".pyc":
                continue
            digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def _present(client: docker.DockerClient, image: str) -> bool:
    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        return False
    return True


def _pullable(client: docker.DockerClient, image: str) -> bool:
    try:
        client.images.pull(image)
    except docker.errors.APIError:
        return False
    return True


def bootstrap_base(progress: Progress) -> str:
    """Debian bookworm (minbase) from Debian's packages, imported as a local image."""
    if shutil.which("debootstrap") is None or os.geteuid() != 0:
        raise StackError(f"no base image: {PUBLIC_BASE} cannot be pulled and building one needs root and "
                         "Debian's debootstrap (apt-get install debootstrap), or set HARNESS_BASE_IMAGE")
    progress(f"building the base image {BOOTSTRAPPED_BASE} with debootstrap (once)")
    with tempfile.TemporaryDirectory(prefix="harness-rootfs-") as rootfs:
        subprocess.run(["debootstrap", "--variant=minbase", "bookworm", rootfs, DEBIAN_MIRROR], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=BUILD_TIMEOUT_S)
        tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(["docker", "import", "-", BOOTSTRAPPED_BASE], stdin=tar.stdout, check=True,
                       stdout=subprocess.DEVNULL, timeout=BUILD_TIMEOUT_S)
        tar.wait()
    return BOOTSTRAPPED_BASE


def base_image(client: docker.DockerClient, progress: Progress) -> str:
    """HARNESS_BASE_IMAGE, else the public Debian image (present or pullable), else a bootstrapped one."""
    if os.environ.get("HARNESS_BASE_IMAGE"):
        return os.environ["HARNESS_BASE_IMAGE"]
    if _present(client, PUBLIC_BASE) or _pullable(client, PUBLIC_BASE):
        return PUBLIC_BASE
    if _present(client, BOOTSTRAPPED_BASE):
        return BOOTSTRAPPED_BASE
    return bootstrap_base(progress)


def requirements(root: Path = SOURCE_ROOT) -> list[str]:
    """Runtime dependencies plus the build backend, so the image installs the package offline too."""
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    return [*pyproject["build-system"]["requires"], *pyproject["project"]["dependencies"]]


def fill_wheelhouse(progress: Progress, root: Path = SOURCE_ROOT) -> None:
    """Build the image's wheels with the host's pip, which has the host's index settings and CAs.

    Host and image are both Debian bookworm with CPython 3.11, so the host's wheels install in the image.
    Skipped when the wheelhouse already matches the requirements; on failure the image build falls back
    to installing from the index itself.
    """
    wheelhouse = root / WHEELHOUSE
    wanted = "\n".join(requirements(root))
    stamp = wheelhouse / "requirements.txt"
    if stamp.is_file() and stamp.read_text() == wanted and any(wheelhouse.glob("*.whl")):
        return
    progress("collecting the image's Python wheels with the host's pip")
    for old in wheelhouse.glob("*.whl"):
        old.unlink()
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "-w",
                             str(wheelhouse), *requirements(root)], capture_output=True, text=True,
                            check=False, timeout=BUILD_TIMEOUT_S)
    if result.returncode != 0:
        for partial in wheelhouse.glob("*.whl"):
            partial.unlink()
        progress("host pip could not build the wheels; the image build installs from the index")
        return
    stamp.write_text(wanted)


def build_image(client: docker.DockerClient, progress: Progress, spec: ImageSpec) -> str:
    """The image for this source tree, built unless an identical one exists; its tag is the inputs' digest."""
    if not (SOURCE_ROOT / spec.dockerfile).is_file():
        raise StackError(f"the {spec.name} image is built from a source checkout: {spec.dockerfile} is not "
                         f"next to the harness package ({SOURCE_ROOT})")
    tag = f"{spec.repository}:{input_digest(spec)[:16]}"
    if _present(client, tag):
        return tag
    base = base_image(client, progress)
    fill_wheelhouse(progress)
    progress(f"building {tag} from {spec.dockerfile} on {base} (cached for later runs)")
    output: list[str] = []
    for chunk in client.api.build(path=str(SOURCE_ROOT), dockerfile=spec.dockerfile, tag=tag, rm=True,
                                  forcerm=True, decode=True, buildargs={"BASE_IMAGE": base},
                                  labels={"harness.image": spec.name}, timeout=BUILD_TIMEOUT_S):
        line = chunk.get("stream", "").strip()
        if line:
            output.append(line)
        if "error" in chunk:
            detail = " | ".join(output[-5:])
            raise StackError(f"building {tag} failed: {chunk['error'].strip()} ({detail})")
        if line.startswith("Step "):
            progress(line)
    return tag


def reference_image(client: docker.DockerClient, progress: Progress) -> str:
    return build_image(client, progress, REFERENCE)
