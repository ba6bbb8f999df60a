"""Huawei Cloud COC tickets against the target: every operation, then the stateful workflows."""

from conformance.plugin import session

test_operation, TestWorkflow, test_lifecycle = session("coc").tests()
