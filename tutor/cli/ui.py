"""`tutor ui`: the Streamlit app in the browser, bound to this machine by default."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import click

from tutor.cli.common import load, profile_option
from tutor.core.errors import MissingExtraError, TutorError


def app_path() -> Path:
    """The app's entry script (`ui/app.py`), found without importing the `tutor.ui` package."""
    spec = importlib.util.find_spec("tutor.ui")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / "app.py"
        if candidate.is_file():
            return candidate
    raise TutorError("The tutor's ui/ folder is missing: reinstall with `pip install -e '.[ui]'`")


def streamlit_command(app: Path, port: int, host: str, debug: bool = False) -> list[str]:
    """The `streamlit run` command line: headless, no usage statistics, no file watching."""
    return [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(port),
        "--server.address", host,
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
        # Unexpected errors show their type only; library errors are one sentence anyway.
        "--client.showErrorDetails", "full" if debug else "type",
    ]


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 exposes the app to your network.")
@profile_option
@click.pass_context
def ui(ctx: click.Context, port: int, host: str) -> None:
    """Open the tutor in your browser: interview, grade, ask, progress."""
    settings = load(ctx)  # a bad TUTOR_* setting fails here, in one line, not in the browser
    if importlib.util.find_spec("streamlit") is None:
        raise MissingExtraError("streamlit", "ui")
    env = {**os.environ, "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1")}
    if "tutor.profile" in ctx.meta:  # --profile pins the app to one learner
        env["TUTOR_PROFILE"] = settings.profile
    command = streamlit_command(app_path(), port, host, bool(env.get("TUTOR_DEBUG")))
    click.echo(f"tutor UI on http://{host}:{port} (Ctrl+C to stop)", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # Replace this process, so Ctrl+C and SIGTERM reach the server directly and no child
    # outlives the command; TUTOR_* variables go with the environment.
    os.execve(sys.executable, command, env)


