"""The terminal interview as a real interactive program under a pty (pexpect)."""

import os
import signal
import sqlite3
import sys

import pytest

pexpect = pytest.importorskip("pexpect")

ANSWER = "Generative AI creates new content such as text or images by learning patterns in data."


def spawn(args, indexed_settings, db):
    env = {**os.environ, "TUTOR_DATA_DIR": str(indexed_settings.data_dir),
           "TUTOR_DB_PATH": str(db), "HF_HUB_OFFLINE": "1"}
    return pexpect.spawn(sys.executable, ["-m", "tutor.cli", *args], env=env, timeout=120,
                         encoding="utf-8")


def turns(db):
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT kind, answer FROM turns ORDER BY position").fetchall()


def test_answer_then_ctrl_c_saves_and_resume_continues(indexed_settings, tmp_path):
    db = tmp_path / "tutor.db"
    child = spawn(["interview", "-n", "2", "--seed", "1", "--mix", "concept"], indexed_settings, db)
    child.expect(r"Question 1/2")
    child.expect('"""')  # the prompt says how to write several lines
    child.expect("> ")
    child.sendline('"""')
    child.expect(r"\.\.\. ")
    for line in ("It learns patterns from data", "", "and generates new similar content.\"\"\""):
        child.sendline(line)
    child.expect(r"Score: \d\.\d/5")
    child.expect("> ")
    child.sendintr()
    child.expect("Saved. Continue later")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")
    rows = turns(db)
    assert rows[0] == ("main", "It learns patterns from data\n\nand generates new similar content.")

    again = spawn(["interview", "--resume"], indexed_settings, db)
    again.expect(r"(Follow-up|Question 2/2)")
    again.expect("> ")
    again.sendline("quit")
    again.expect("Saved")
    again.expect(pexpect.EOF)
    again.close()
    assert again.exitstatus == 0


def test_kill_9_after_a_graded_turn_loses_nothing(indexed_settings, tmp_path):
    db = tmp_path / "tutor.db"
    child = spawn(["interview", "-n", "3", "--seed", "2", "--mix", "concept"], indexed_settings, db)
    child.expect(r"Question 1/3")
    child.expect("> ")
    child.sendline(ANSWER)  # Enter submits a one-line answer
    child.expect(r"Score: \d\.\d/5")
    child.expect("> ")
    child.send("half an answer being typed when the power goes")
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    assert turns(db) == [("main", ANSWER)]

    resumed = spawn(["interview", "--resume"], indexed_settings, db)
    resumed.expect(r"(Follow-up|Question 2/3)")
    resumed.sendeof()
    resumed.expect("Saved")
    resumed.expect(pexpect.EOF)


def test_eof_before_any_answer_exits_cleanly(indexed_settings, tmp_path):
    child = spawn(["interview", "-n", "1"], indexed_settings, tmp_path / "db.sqlite")
    child.expect("Question 1/1")
    child.sendeof()
    child.expect("Saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_pasted_answer_stays_one_answer(indexed_settings, tmp_path):
    db = tmp_path / "tutor.db"
    child = spawn(["interview", "-n", "1", "--seed", "3", "--mix", "concept", "--profile",
                   "paster"], indexed_settings, db)
    child.expect(r"Mock interview for paster")
    child.expect("> ")
    child.send("First paragraph of a pasted answer.\n\nSecond paragraph, after a blank line.\n")
    child.expect(r"Score: \d\.\d/5")
    child.sendeof()
    child.expect(pexpect.EOF)
    assert turns(db)[0] == ("main", "First paragraph of a pasted answer.\n\n"
                                    "Second paragraph, after a blank line.")


def test_read_answer_modes(monkeypatch):
    """Enter submits one line; \"\"\" opens and closes a block; a one-line block works too."""
    from tutor.cli.interview import read_answer

    def feed(*lines):
        queue = list(lines)

        def fake_input(prompt=""):
            if not queue:
                raise EOFError
            return queue.pop(0)

        monkeypatch.setattr("builtins.input", fake_input)

    feed("", "  one line  ", "never read")
    assert read_answer() == "  one line  "
    feed('"""', "first", "", "  indented", 'last"""')
    assert read_answer() == "first\n\n  indented\nlast"
    feed('"""first', '"""')
    assert read_answer() == "first"
    feed('"""all in one"""')
    assert read_answer() == "all in one"
    feed('"""', "never closed")
    with pytest.raises(EOFError):
        read_answer()


def test_difficulty_filter_on_a_guide_without_markers_is_one_clear_line(indexed_settings):
    from click.testing import CliRunner

    from tutor.cli.main import cli

    result = CliRunner().invoke(cli, ["interview", "--difficulty", "hard", "-n", "1"],
                                env={"TUTOR_DATA_DIR": str(indexed_settings.data_dir)},
                                input="quit\n")
    assert result.exit_code == 1
    assert "No questions of difficulty hard" in result.stderr
    assert "no difficulty markers" in result.stderr
