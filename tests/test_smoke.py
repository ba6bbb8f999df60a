from tests.conftest import ADMIN_AUTH


def test_health_names_the_served_apis(client):
    reply = client.get("/__admin/health")
    assert reply.status_code == 200
    assert reply.json()["apis"] == ["zstack"]


def test_a_query_lists_the_seeded_tickets(client):
    reply = client.get("/zstack/v1/tickets", headers=ADMIN_AUTH)
    assert reply.status_code == 200
    uuids = {t["uuid"] for t in reply.json()["inventories"]}
    assert uuids == {"e9377476db3f375bbff78dc3b9204f00", "3d7955e800593abcb49e89c372d6a5ce"}
