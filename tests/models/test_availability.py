"""The availability rule (models.availability.deployable_at) and where it shows: sizing, `dcplan size`, the planner."""

from __future__ import annotations

import json

import pytest

from dcplan.models.availability import deployable_at
from dcplan.models.sizing import SizingRequest, size
from dcplan.planner.cli import main


@pytest.mark.parametrize(
    ("system", "site", "operator", "blocked"),
    [
        ("trn3-ultraserver-gen2", "phoenix-az", None, True),  # owned site, AWS-only system
        ("trn3-ultraserver-gen2", "singapore-sg", None, True),  # colo
        ("trn3-ultraserver-gen2", "ashburn-va", None, False),  # AWS
        ("trn3-ultraserver-gen2", "phoenix-az", "aws", False),  # a scenario may say AWS runs the site
        ("gb300-nvl72", "phoenix-az", None, False),
        ("gb300-nvl72", "ashburn-va", "colo", False),
    ],
)
def test_deployable_at(catalog, system, site, operator, blocked):
    reason = deployable_at(catalog.system(system), catalog.site(site), operator)
    if blocked:
        assert reason is not None
        assert system in reason and site in reason and "deployable only at aws" in reason
    else:
        assert reason is None


def test_sizing_trainium_at_an_owned_site_warns(catalog):
    request = SizingRequest(system="trn3-ultraserver-gen2", cooling="dlc-l2a", site="phoenix-az", count=10)
    result = size(catalog, request)
    assert result.warnings == [deployable_at(catalog.system("trn3-ultraserver-gen2"), catalog.site("phoenix-az"))]
    assert result.to_json()["warnings"] == result.warnings
    fine = size(catalog, request.model_copy(update={"site": "ashburn-va"}))
    assert fine.warnings == []


def test_cli_size_shows_the_availability_warning(capsys):
    args = ["size", "-s", "trn3-ultraserver-gen2", "--site", "phoenix-az", "--count", "2"]
    assert main(args) == 0
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "NOT DEPLOYABLE trn3-ultraserver-gen2 is deployable only at aws sites; phoenix-az is owned" in out
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == [
        "trn3-ultraserver-gen2 is deployable only at aws sites; phoenix-az is owned"
    ]
    assert main(["size", "-s", "gb300-nvl72", "--site", "phoenix-az", "--count", "2"]) == 0
    assert "NOT DEPLOYABLE" not in capsys.readouterr().out
