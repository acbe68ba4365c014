"""GET /api/openapi.json describes every /api/ route, every search parameter and the download."""
import re

from indexer.store.schema import FACETS
from search_app.params import PARAMS


def spec(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def openapi_path(rule: str) -> str:
    """/api/records/<record_id>/pages/<int:page>.png -> /api/records/{record_id}/pages/{page}.png"""
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_it_is_openapi_3(client):
    data = spec(client)
    assert data["openapi"].startswith("3.")
    assert data["info"]["title"] and data["info"]["version"]
    for path, item in data["paths"].items():
        for method, operation in item.items():
            assert method in ("get", "patch", "put", "delete"), (path, method)
            assert operation["responses"] and operation["summary"], path


def test_every_api_route_is_described(app, client):
    described = spec(client)["paths"]
    routes = {openapi_path(rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/")}
    assert routes and routes <= set(described), routes - set(described)
    for rule in app.url_map.iter_rules():  # and every method of each (the corrections' writes)
        if rule.rule.startswith("/api/"):
            methods = {m.lower() for m in rule.methods} - {"head", "options"}
            assert methods <= set(described[openapi_path(rule.rule)]), rule.rule
    assert "/records/{record_id}/download" in described


def test_path_parameters_match_the_templates(client):
    for path, item in spec(client)["paths"].items():
        names = set(re.findall(r"\{([a-z_]+)\}", path))
        for operation in item.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert names == declared, path


def test_every_search_parameter_is_described(client):
    params = {p["name"]: p for p in spec(client)["paths"]["/api/search"]["get"]["parameters"]}
    assert set(PARAMS) <= set(params)
    for name in FACETS:
        assert params[name]["schema"]["type"] == "array" and params[name]["explode"] is True
    assert params["sort"]["schema"]["enum"] == ["relevance", "date", "-date"]


def test_page_image_width_is_described(client):
    operation = spec(client)["paths"]["/api/records/{record_id}/pages/{page}.png"]["get"]
    width = next(p for p in operation["parameters"] if p["name"] == "width")
    assert width["schema"]["enum"] == [400, 1000, 1600]


def test_references_resolve(client):
    data = spec(client)
    refs = set(re.findall(r'"\$ref":\s*"#/components/schemas/([A-Za-z]+)"',
                          client.get("/api/openapi.json").get_data(as_text=True)))
    assert refs and refs <= set(data["components"]["schemas"])


def test_every_key_of_a_search_answer_is_described(client):
    """The answer keys a search gives (notices; a snippet of a catalog field) are described."""
    schemas = spec(client)["components"]["schemas"]
    data = client.get("/api/search", query_string={"q": "李秀英 电话:0717 OR 李秀英"}).get_json()
    assert data["notices"] and data["hits"]
    assert set(data) - {"took_ms"} <= set(schemas["SearchResult"]["properties"])
    (snippet,) = data["hits"][0]["snippets"]
    assert snippet["field"] == "人员" and snippet["page"] is None
    assert set(snippet) <= set(schemas["Snippet"]["properties"])
    assert "null" in schemas["Snippet"]["properties"]["page"]["type"]
