"""Where a system may be deployed: the one availability rule the sizer, optimiser and re-check share.

A catalog system lists the operators whose sites may host it (``deployable_by``: AWS
Trainium only in AWS-operated facilities, NVIDIA systems anywhere); a site has one operator,
which a scenario may override for its own sites.
"""

from __future__ import annotations

from dcplan.models.catalog import Site, System


def deployable_at(system: System, site: Site, operator: str | None = None) -> str | None:
    """Why ``system`` cannot be deployed at ``site``, or None when it can.

    ``operator`` overrides the site's catalog operator (a scenario's ``[[site]] operator``).
    """
    who = operator or site.operator
    if who in system.deployable_by:
        return None
    return f"{system.id} is deployable only at {', '.join(system.deployable_by)} sites; {site.id} is {who}"
