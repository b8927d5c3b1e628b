"""The CLI is built once per process: calling it many times must not register the commands again."""

from __future__ import annotations

from shopmine.cli.app import app, command, main


def test_repeated_calls_keep_one_registration_of_each_command(capsys):
    for _ in range(3):
        assert main(["--version"]) == 0
        assert main(["runs", "--help"]) == 0
    capsys.readouterr()
    names = [info.name for info in app.registered_commands]
    assert len(names) == len(set(names))
    groups = [info.name for info in app.registered_groups]
    assert len(groups) == len(set(groups))
    assert command() is command()
