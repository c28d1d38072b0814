"""The report page says to whom the report goes when it is not only the office."""

from __future__ import annotations

from web.conftest import Web


def test_the_page_names_the_recipients_stored_on_the_request(web: Web) -> None:
    assert "报送对象" not in web.client.get(web.url()).text  # the office alone goes unsaid
    request = web.world.request
    request.recipients = [
        {"name": "省局领导小组办公室", "code": None},
        {"name": "武汉市人民政府", "code": "g4201"},
    ]
    web.session.add(request)
    web.session.commit()
    page = web.client.get(web.url()).text
    assert "<dt>报送对象</dt><dd>省局领导小组办公室、武汉市人民政府</dd>" in page
