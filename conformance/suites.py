"""The suite of each API: which vendor checks it adds and which generic checks they replace."""

from typing import Any

from conformance import huawei, zstack
from conformance.suite import Suite


def zstack_suite(session: Any) -> Suite:
    behaviour, observers = zstack.ticket_checks(session)
    return Suite(
        api="zstack",
        checks=[*zstack.ZSTACK_CHECKS, *behaviour],
        replaced=zstack.excluded_for,
        observers=observers,
        creates={"createTicket": zstack.undo_ticket(session)},
        tags={"createTicket": (("params", "name"), 255)},
    )


BUILDERS = {
    "zstack": zstack_suite,
    "coc": huawei.coc_suite,
    "osm": huawei.osm_suite,
    "iam": huawei.iam_suite,
}


def build_suite(session: Any) -> Suite:
    return BUILDERS[session.api](session)
