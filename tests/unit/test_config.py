from pathlib import Path

import pytest

from service.config import SETTINGS, load_settings
from service.errors import ConfigError


def test_defaults_resolve_paths_against_root(tmp_path):
    s = load_settings({"root": str(tmp_path)}, env={})
    assert s.packages_dir == tmp_path / "datapackages"
    assert s.store_dir == tmp_path / "var" / "store"
    assert s.max_returned_rows == 1000


def test_precedence_file_then_env_then_overrides(tmp_path):
    config = tmp_path / "socsec.toml"
    config.write_text("max_returned_rows = 10\nsql_time_limit_ms = 50\nport = 9000\n")
    env = {"SOCSEC_CONFIG": str(config), "SOCSEC_SQL_TIME_LIMIT_MS": "70", "SOCSEC_PORT": "9100"}
    s = load_settings({"root": str(tmp_path), "port": 9200}, env=env)
    assert (s.max_returned_rows, s.sql_time_limit_ms, s.port) == (10, 70, 9200)


def test_bad_value_names_the_setting(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_settings({"root": str(tmp_path)}, env={"SOCSEC_MAX_RETURNED_ROWS": "lots"})
    assert "max_returned_rows" in info.value.message


def test_unknown_setting_in_file_is_refused(tmp_path):
    config = tmp_path / "socsec.toml"
    config.write_text("max_rows = 10\n")
    with pytest.raises(ConfigError) as info:
        load_settings({}, env={"SOCSEC_CONFIG": str(config)})
    assert "max_rows" in info.value.message


def test_every_setting_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    for setting in SETTINGS:
        assert f"`SOCSEC_{setting.name.upper()}`" in readme, setting.name


def _commands(group, prefix="socsec"):
    import click

    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}", command


def test_every_command_and_option_is_documented_in_the_readme():
    from service.cli import main

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    for name, command in _commands(main):
        assert f"`{name}" in readme, name
        for param in command.params:
            for flag in getattr(param, "opts", []):
                if flag.startswith("--") and flag != "--help":
                    assert flag in readme, f"{name} {flag}"
