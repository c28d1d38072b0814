"""scripts/readme_pictures.py on a small campaign (the two-bureau world of the web tests):
each function gives a PNG of the size asked for and under the README's limit; the bytes
themselves are not compared."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image
from replies.factories import BEFORE_DUE, build_world
from sqlmodel import Session

from campaign import db as dbmod
from campaign.results.load import load_frames
from campaign.results.outputs import write_outputs
from tests.support.parts import need_chromium

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "readme_pictures.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_pictures", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _png(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        assert image.format == "PNG"
        return image.size


def test_shrink_keeps_a_picture_under_the_limit(tmp_path: Path) -> None:
    script = _script()
    noisy = tmp_path / "noisy.png"
    Image.effect_noise((1600, 1600), 120).convert("RGB").save(noisy)
    assert noisy.stat().st_size > 300_000
    script.shrink(noisy)
    width, _ = _png(noisy)
    assert noisy.stat().st_size < 300_000 and 200 <= width < 1600


def test_documents_and_the_workbook_as_pictures(
    sqlite_url: str, tmp_path: Path, libreoffice: str
) -> None:
    script = _script()
    with Session(dbmod.get_engine(sqlite_url)) as session:
        world = build_world(session)
        frames = load_frames(session=session, campaign_id=world.campaign.id)
    stage = _script().last_action(frames.plan)
    assert stage is not None and stage in frames.plan.windows()
    made = write_outputs(frames, tmp_path / "out", stage=stage, today=BEFORE_DUE.date())
    bulletin = script.first_page_png(made.bulletin, tmp_path / "bulletin.png", width=600)
    sheet = script.first_sheet_png(made.workbook, tmp_path / "workbook.png", width=800)
    assert _png(bulletin)[0] == 600 and _png(bulletin)[1] > 600  # an A4 page, portrait
    width, height = _png(sheet)
    assert 200 < width <= 800 and height < width  # the first sheet alone, landscape, cropped
    assert bulletin.stat().st_size < 300_000 and sheet.stat().st_size < 300_000


@pytest.mark.browser
def test_the_dashboard_as_a_picture(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from web.test_browser import CHROMIUM

    need_chromium(CHROMIUM)
    for name in ("CAMPAIGN_DATABASE_URL", "CAMPAIGN_DATA_DIR", "CAMPAIGN_COORDINATOR_PASSWORD",
                 "CAMPAIGN_PUBLIC_URL"):  # fmt: skip
        monkeypatch.setenv(name, "")  # restored after the test
    with Session(dbmod.get_engine(sqlite_url)) as session:
        world = build_world(session)
        campaign_id = world.campaign.id
    shot = _script().dashboard_png(
        database_url=sqlite_url,
        data_dir=tmp_path,
        campaign_id=campaign_id,
        now=BEFORE_DUE,
        out=tmp_path / "dashboard.png",
        width=1000,
        height=1500,
    )
    width, height = _png(shot)
    assert width == 1000 and 900 < height <= 1500  # logged in: the dashboard, not the login
    dbmod.get_settings.cache_clear()
    dbmod.reset()
