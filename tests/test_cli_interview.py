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
    child.expect("> ")
    child.sendline("It learns patterns from data")
    child.sendline("and generates new similar content.")
    child.sendline("")
    child.expect(r"Score: \d\.\d/5")
    child.expect("> ")
    child.sendintr()
    child.expect("Saved. Continue later")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")
    rows = turns(db)
    assert rows[0] == ("main", "It learns patterns from data\nand generates new similar content.")

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
    child.sendline(ANSWER)
    child.sendline("")
    child.expect(r"Score: \d\.\d/5")
    child.expect("> ")
    child.sendline("half an answer being typed when the power goes")
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
