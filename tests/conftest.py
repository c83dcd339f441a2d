"""Shared fixtures: the built-in catalog (loaded once) and a valid user system entry."""

from __future__ import annotations

import signal
import textwrap
from pathlib import Path

import pytest

from dcplan.models.catalog import Catalog, load_catalog

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C as a terminal delivers it: a test run started with SIGINT ignored (a background
    job of a non-interactive shell) would otherwise pass that on to every dcplan it starts,
    and the Ctrl-C tests would fail for the runner's reason, not dcplan's."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(use_env=False)


@pytest.fixture(scope="session")
def _cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dcplan-cache")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, _cache_dir):
    """Tests never pick up a developer's DCPLAN_CATALOG, nor read or fill their catalog cache."""
    monkeypatch.delenv("DCPLAN_CATALOG", raising=False)
    monkeypatch.delenv("DCPLAN_NO_CACHE", raising=False)
    monkeypatch.setenv("DCPLAN_CACHE_DIR", str(_cache_dir))


USER_SYSTEM = textwrap.dedent(
    """
    [sources]
    mine = "https://example.com/our-rack-spec"

    [[system]]
    id = "{id}"
    name = "Our test rack"
    vendor = "Test"
    family = "nvidia"
    software = "cuda"
    form = "rack-scale"
    status = "shipping"
    deployable_by = ["owned"]
    chip = "gb300-gpu"
    chips_per_unit = {{ value = {chips}, source = "mine", confidence = "vendor" }}
    scale_up_domain = {{ value = 72, source = "mine", confidence = "vendor" }}
    racks_per_unit = {{ value = 1, source = "mine", confidence = "vendor" }}
    chip_power = {{ value = "1400 W", source = "mine", confidence = "vendor" }}
    nameplate_power = {{ value = "{nameplate}", source = "mine", confidence = "vendor" }}
    design_power = {{ value = "{design}", source = "mine", confidence = "vendor" }}
    typical_power = {{ value = "{typical}", source = "mine", confidence = "vendor" }}
    idle_power = {{ value = "30 kW", source = "mine", confidence = "vendor" }}
    psu_efficiency = {{ value = 0.96, source = "mine", confidence = "vendor" }}
    transient_headroom = {{ value = 1.4, source = "mine", confidence = "vendor" }}
    liquid_capture_fraction = {{ value = {capture}, source = "mine", confidence = "vendor" }}
    cooling = [{cooling}]
    weight = {{ value = "{weight}", {weight_source} confidence = "vendor" }}
    rack_width = {{ value = "0.6 m", source = "mine", confidence = "vendor" }}
    rack_depth = {{ value = "1.2 m", source = "mine", confidence = "vendor" }}
    capex = {{ value = "3500000 USD", source = "mine", confidence = "vendor" }}
    """
)

USER_DEFAULTS = {
    "id": "test-rack",
    "chips": 72,
    "nameplate": "150 kW",
    "design": "140 kW",
    "typical": "110 kW",
    "capture": 0.9,
    "cooling": '"dlc-cdu"',
    "weight": "1400 kg",
    "weight_source": 'source = "mine",',
}


def user_system_toml(**changes: object) -> str:
    return USER_SYSTEM.format(**{**USER_DEFAULTS, **changes})


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "my-catalog"
    folder.mkdir()
    return folder
