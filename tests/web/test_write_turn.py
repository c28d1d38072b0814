"""WriteTurn: a page's write section waits while another process holds the turn of the
same SQLite database, and goes on as soon as that process lets go."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from campaign.web.write_turn import WriteTurn, sqlite_turn_file

HOLDER = """
import sys
from pathlib import Path
from campaign.web.write_turn import WriteTurn
with WriteTurn(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_a_turn_held_by_another_process_is_waited_for(tmp_path: Path) -> None:
    lock_file = sqlite_turn_file(str(tmp_path / "campaign.db"))
    assert lock_file == tmp_path / "campaign.db-writes"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "held"
        turn, taken = WriteTurn(lock_file), threading.Event()

        def write() -> None:
            with turn:
                taken.set()

        writer = threading.Thread(target=write)
        writer.start()
        assert not taken.wait(0.3)  # the other process holds it
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert taken.wait(30)  # given up by the other process: taken at once
        writer.join()
        turn.close()
    finally:
        holder.kill()
        holder.wait()


def test_an_in_memory_database_has_no_lock_file() -> None:
    assert sqlite_turn_file(":memory:") is None
    assert sqlite_turn_file(None) is None
