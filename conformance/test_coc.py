"""Huawei Cloud COC tickets against the target: every operation, then the stateful workflows."""

from conformance.plugin import session

test_operation, test_workflow, test_lifecycle = session("coc").tests()
