from sqlmodel import select

from models.bureau import Bureau


def test_hubei_bureaus_import(hubei_bureaus, session):
    assert len(session.exec(select(Bureau)).all()) == 18
