"""The README's pictures, regenerated from a campaign's data (by default the demo's):

    .venv/bin/python scripts/readme_pictures.py [--data-dir var/demo] [--run-demo]
        [--out docs/pictures]

- console-dashboard.png: the coordinators' dashboard in headless Chromium (1280 px);
- bulletin.png, stage-summary.png: the first page of the 通报 and 阶段小结 drafts
  (LibreOffice → PDF → pdftoppm);
- workbook.png: the 汇总表's first sheet (LibreOffice, one page wide, landscape);
- chart-reporting-rate.png: the reporting-rate chart (campaign.results.charts).

Each PNG is reduced to a palette and, when still too big, narrowed until it is under
300 KB. Needs chromium, soffice and pdftoppm (scripts/setup.sh --system).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from PIL import Image, ImageOps

if TYPE_CHECKING:
    from campaign.plan.schema import Plan

LIMIT = 300_000  # bytes per picture
ROOT = Path(__file__).resolve().parent.parent


def shrink(png: Path, limit: int = LIMIT) -> Path:
    """Reduce the PNG to 256 colours, then narrow it until it is under `limit` bytes."""
    image = Image.open(png).convert("RGB")
    while True:
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(png, optimize=True)
        if png.stat().st_size < limit or image.width < 200:
            return png
        image = image.resize((int(image.width * 0.85), int(image.height * 0.85)), Image.LANCZOS)


def pdf_of(document: Path, folder: Path) -> Path:
    """The document converted to PDF by LibreOffice (a private profile, headless)."""
    profile = folder / "lo-profile"
    subprocess.run(
        [shutil.which("soffice") or "soffice", "--headless", "--norestore",
         f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf",
         "--outdir", str(folder), str(document)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return folder / f"{document.stem}.pdf"


def first_page_png(document: Path, out: Path, width: int = 900) -> Path:
    """The first page of a .docx or .xlsx as a PNG `width` pixels wide."""
    with tempfile.TemporaryDirectory() as folder:
        pdf = pdf_of(document, Path(folder))
        subprocess.run(
            ["pdftoppm", "-f", "1", "-l", "1", "-singlefile", "-png", "-scale-to-x", str(width),
             "-scale-to-y", "-1", str(pdf), str(out.with_suffix(""))],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    return shrink(out)


def crop_margins(png: Path, margin: int = 16) -> Path:
    """Cut the white page margins around what is printed."""
    with Image.open(png) as image:
        box = ImageOps.invert(image.convert("L")).getbbox()
        if box is not None:
            left, top, right, bottom = box
            image.crop((max(left - margin, 0), max(top - margin, 0),
                        min(right + margin, image.width), min(bottom + margin, image.height))
                       ).save(png)  # fmt: skip
    return png


def first_sheet_png(workbook: Path, out: Path, width: int = 2400) -> Path:
    """The workbook's first sheet alone, landscape, one page wide, its margins cut, as a
    PNG (rendered `width` pixels wide before the cut)."""
    with tempfile.TemporaryDirectory() as folder:
        book = load_workbook(workbook)
        for sheet in book.worksheets[1:]:
            book.remove(sheet)
        sheet = book.worksheets[0]
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        alone = Path(folder) / f"{workbook.stem}.xlsx"
        book.save(alone)
        first_page_png(alone, out, width)
    return shrink(crop_margins(out))


def dashboard_png(
    *, database_url: str, data_dir: Path, campaign_id: int, now: datetime, out: Path,
    width: int = 1280, height: int = 2200,
) -> Path:  # fmt: skip
    """The campaign's dashboard, logged in, screenshot in headless Chromium (full page)."""
    import uvicorn
    from playwright import sync_api

    from campaign import db as dbmod
    from campaign.web.app import create_app

    password = secrets.token_urlsafe(12)
    with socket_port() as port:
        pass
    os.environ.update(
        CAMPAIGN_DATABASE_URL=database_url,
        CAMPAIGN_DATA_DIR=str(data_dir),
        CAMPAIGN_COORDINATOR_PASSWORD=password,
        CAMPAIGN_PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    dbmod.get_settings.cache_clear()
    dbmod.reset()
    server = uvicorn.Server(
        uvicorn.Config(create_app(clock=lambda: now), host="127.0.0.1", port=port,
                       log_level="warning")
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        with tempfile.TemporaryDirectory() as profile, sync_api.sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile,
                executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                locale="zh-CN",
                viewport={"width": width, "height": 900},
                java_script_enabled=False,
            )
            page = context.new_page()
            page.goto(f"{base}/admin/login")
            page.fill("#name", "省局办公室")
            page.fill("#password", password)
            page.click("button[type=submit]")
            page.goto(f"{base}/admin/campaigns/{campaign_id}")
            page.screenshot(path=str(out), full_page=True)
            context.close()
        with Image.open(out) as shot:  # the top of a long page: overview, timeline, matrix
            shot.crop((0, 0, shot.width, min(shot.height, height))).save(out)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return shrink(out)


class socket_port:  # noqa: N801 (a context manager read as a phrase)
    """A free TCP port on loopback."""

    def __enter__(self) -> int:
        import socket

        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        return int(self._socket.getsockname()[1])

    def __exit__(self, *_: object) -> None:
        self._socket.close()


def last_action(plan: Plan) -> str | None:
    """The key of the last concentrated action (a stage with reports), else None (the
    stage `campaign report` would choose)."""
    actions = [key for key, (_, action) in plan.windows().items() if action is not None]
    return actions[-1] if actions else None


def pictures(*, data_dir: Path, out: Path, campaign_id: int = 1) -> list[Path]:
    """Every picture of the README from the campaign in `data_dir`'s database."""
    from campaign import db as dbmod
    from campaign.plan.stored import plan_of
    from campaign.results.load import load_frames
    from campaign.results.outputs import write_outputs
    from models.campaign import Campaign

    database_url = f"sqlite:///{(data_dir / 'campaign.db').resolve()}"
    out.mkdir(parents=True, exist_ok=True)
    with dbmod.session_scope(database_url) as session, tempfile.TemporaryDirectory() as work:
        campaign = session.get_one(Campaign, campaign_id)
        plan, zone = plan_of(campaign), ZoneInfo(campaign.timezone)
        frames = load_frames(session=session, campaign_id=campaign_id)
        made = write_outputs(frames, Path(work), stage=last_action(plan), today=plan.end)
        paths = [
            first_page_png(made.bulletin, out / "bulletin.png"),
            first_page_png(made.summary, out / "stage-summary.png"),
            first_sheet_png(made.workbook, out / "workbook.png"),
        ]
        if made.charts:
            chart = out / "chart-reporting-rate.png"
            shutil.copyfile(made.charts[0], chart)
            paths.append(shrink(chart))
    now = datetime.combine(plan.end, datetime.min.time(), tzinfo=zone).replace(hour=10)
    paths.append(
        dashboard_png(database_url=database_url, data_dir=data_dir, campaign_id=campaign_id,
                      now=now, out=out / "console-dashboard.png")
    )  # fmt: skip
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "demo")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "pictures")
    parser.add_argument("--run-demo", action="store_true", help="run the demo first")
    args = parser.parse_args(argv)
    if args.run_demo or not (args.data_dir / "campaign.db").exists():
        from campaign.demo.run import run_demo

        run_demo(data_dir=args.data_dir.resolve(), prefect=False)
    for path in pictures(data_dir=args.data_dir, out=args.out):
        print(f"{path}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
