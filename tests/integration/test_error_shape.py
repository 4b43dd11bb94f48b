"""Every endpoint answers errors in the one JSON shape; no answer reveals a server path."""

from __future__ import annotations

import re

import pytest

from service.web import create_app


def _urls(app) -> list[str]:
    """Every rule of the app with bogus values for its arguments (the first choice for `any`)."""
    urls = []
    for rule in app.url_map.iter_rules():
        url = rule.rule
        for converter, arguments, name in re.findall(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", url):
            choice = arguments.split(",")[0].strip().strip("'\"") if converter == "any" else "zzz-nothing"
            url = re.sub(rf"<[^>]*\b{name}>", choice, url, count=1)
        urls.append(url)
    return sorted(set(urls))


def _assert_shape(response) -> None:
    body = response.get_json()
    assert body is not None, response.data[:200]
    assert body["ok"] is False and body["status"] == response.status_code
    assert set(body["error"]) == {"code", "message", "details"}
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", body["error"]["code"])


def test_every_endpoint_answers_errors_in_one_shape(app, project):
    checked = 0
    for url in _urls(app):
        response = app.test_client().get(url)
        assert str(project) not in response.get_data(as_text=True)
        if response.status_code >= 400:
            _assert_shape(response)
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_method_is_405_in_the_one_shape(client, method):
    response = getattr(client, method)("/api/packages")
    assert response.status_code == 405
    _assert_shape(response)


def test_no_release_yet_is_503_with_retry_after(tmp_path):
    client = create_app({"root": str(tmp_path)}).test_client()
    for url in ("/api/packages", "/api/sql?sql=select+1", "/api/indicators", "/"):
        response = client.get(url)
        assert response.status_code == 503 and response.headers["Retry-After"]
        _assert_shape(response)
        assert "socsec release" in response.get_json()["error"]["message"]


def test_internal_errors_show_no_internals(make_app, project, monkeypatch):
    from service.web import query

    def explode(*args, **kwargs):
        raise RuntimeError(f"secret at {project}")
    monkeypatch.setattr(query, "sandbox_for", explode)
    response = make_app().test_client().get("/api/sql?sql=select+1")
    assert response.status_code == 500
    _assert_shape(response)
    assert "secret" not in response.get_data(as_text=True)
