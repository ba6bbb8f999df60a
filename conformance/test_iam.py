"""Huawei Cloud IAM look-ups against the target: every operation, then the stateful workflows."""

from conformance.plugin import session

test_operation, test_workflow, test_lifecycle = session("iam").tests()
