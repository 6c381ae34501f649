"""A small market, built by the factories, whose figures the tests write out by hand.

VCS: 2 projects, 1,700 issued, 300 retired.
GLD: 1 project, 400 issued, 400 retired (350 retirements + 50 cancellations).
ACR: 1 project, no credits.  A community proposal is not part of the market's figures.
"""

from __future__ import annotations

from tests.factories import make_credit, make_project, make_user


def seed_market() -> dict:
    brazil = make_project(
        "VCS100",
        country="Brazil",
        scope="Forestry",
        status_group="registered",
        issued=1500,
        retired=300,
        first_vintage=2018,
        last_vintage=2019,
    )
    make_credit(brazil, kind="issuance", year=2019, vintage=2018, quantity=1000)
    make_credit(brazil, kind="issuance", year=2020, vintage=2019, quantity=500)
    make_credit(brazil, kind="retirement", year=2021, vintage=2018, quantity=300)

    india_vcs = make_project(
        "VCS101", country="India", scope="Energy", status_group="completed", issued=200
    )
    make_credit(india_vcs, kind="issuance", year=2020, vintage=2020, quantity=200)

    india_gld = make_project(
        "GLD200",
        registry="GLD",
        country="India",
        scope="Energy",
        status_group="registered",
        issued=400,
        retired=400,
    )
    make_credit(india_gld, kind="issuance", year=2021, vintage=2020, quantity=400)
    make_credit(india_gld, kind="retirement", year=2021, vintage=2020, quantity=350)
    # A cancellation takes credits off the market too: it counts as retired.
    make_credit(india_gld, kind="cancellation", year=2021, vintage=2020, quantity=50)

    acr = make_project(
        "ACR300", registry="ACR", country="United States", scope="Forestry", status_group="listed"
    )
    proposal = make_project(owner=make_user(), name="A community proposal", country="Kenya")
    return {
        "VCS100": brazil,
        "VCS101": india_vcs,
        "GLD200": india_gld,
        "ACR300": acr,
        "proposal": proposal,
    }
