from click.testing import CliRunner

from lianfang.cli import COMMANDS, main


def test_help_lists_every_declared_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output
