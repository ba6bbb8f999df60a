"""Connexion's per-request set-up done once (mockserver/hoisting.py): the handler of an operation
is decorated on its first request only, a security check's signature is inspected once, and
handlers still get what connexion gives them."""

from importlib.metadata import version

import pytest
from connexion.security import ApiKeySecurityHandler

from mockserver import hoisting
from tests.conftest import ADMIN_AUTH, Client, make_mock


def test_written_for_the_pinned_connexion():
    # hoisting.py swaps AsyncApp's innermost app and AsyncOperation.fn: check it on upgrades
    assert version("connexion") == "3.3.0"


@pytest.fixture
def counted(monkeypatch):
    calls = {"decorate": 0, "inspect": 0}
    decorate = hoisting._DecoratedOnce.decorate
    inspect = hoisting.inspect_function_arguments

    def counting_decorate(self, function):
        calls["decorate"] += 1
        return decorate(self, function)

    def counting_inspect(function):
        calls["inspect"] += 1
        return inspect(function)

    monkeypatch.setattr(hoisting._DecoratedOnce, "decorate", counting_decorate)
    monkeypatch.setattr(hoisting, "inspect_function_arguments", counting_inspect)
    return calls


def test_an_operation_is_decorated_and_its_check_inspected_once(counted):
    client = Client(make_mock())
    try:
        replies = [client.get("/zstack/v1/tickets", headers=ADMIN_AUTH) for _ in range(3)]
        assert [reply.status_code for reply in replies] == [200, 200, 200]
        assert replies[0].json() == replies[2].json()
        assert counted == {"decorate": 1, "inspect": 1}
        # another operation: decorated on its own first request
        assert client.get("/zstack/v1/ticket-types", headers=ADMIN_AUTH).status_code == 200
        assert counted["decorate"] == 2
    finally:
        client.close()


def test_handlers_get_path_query_body_and_token_info():
    client = Client(make_mock())
    try:
        listed = client.get("/zstack/v1/tickets", headers=ADMIN_AUTH, params={"limit": 1})
        assert listed.status_code == 200 and len(listed.json()["inventories"]) == 1
        uuid = listed.json()["inventories"][0]["uuid"]
        shown = client.get(f"/zstack/v1/tickets/{uuid}", headers=ADMIN_AUTH)
        assert shown.json()["inventories"][0]["uuid"] == uuid
        refused = client.get("/zstack/v1/tickets", headers={"Authorization": "OAuth nobody"})
        assert refused.status_code == 503  # the session check ran, and refused
    finally:
        client.close()


def test_api_key_check_reads_signatures_as_connexion_does():
    def plain(value, required_scopes=None): ...

    def with_request(value, required_scopes=None, request=None): ...

    def open_ended(value, **kwargs): ...

    for function in (plain, with_request, open_ended):
        for keyword in ("required_scopes", "request"):
            expected = ApiKeySecurityHandler._accepts_kwarg(function, keyword)
            assert hoisting.ApiKeyCheck._accepts_kwarg(function, keyword) == expected
