import tomllib

import pytest

from conftest import ROOT
from poise.errors import PoiseError
from poise.settings import Settings, load_settings, render_settings, settings_from_dict


def test_config_default_toml_is_exactly_the_built_in_defaults():
    """config/default.toml is generated (`poise config --defaults`); it must not drift."""
    text = (ROOT / "config" / "default.toml").read_text()
    assert text == render_settings(Settings())
    assert settings_from_dict(tomllib.loads(text)) == Settings()


def test_every_key_is_documented():
    text = render_settings(Settings())
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if " = " in line and not line.startswith("#"):
            assert lines[i - 1].startswith("# "), f"undocumented key: {line}"


def test_user_file_overrides_some_keys(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[orientation]\ngain = 0.3\n[sensor]\nrate_hz = 833\nplacement = "board"\n')
    s = load_settings(path)
    assert s.orientation.gain == 0.3 and s.sensor.rate_hz == 833.0
    assert s.sensor.placement == "board" and s.still == Settings().still


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[orientation]\ngian = 0.3\n", "c.toml: [orientation] unknown key 'gian'"),
        ("[orientation]\ngain = 'high'\n", "c.toml: [orientation] gain: must be a number"),
        ("[sensor]\nrate_hz = 100\n", "c.toml: [sensor] LSM6DSO32 has no 100 Hz rate"),
        ("[lever_arm]\nshank_m = [0.1]\n", "c.toml: [lever_arm] shank_m: must be a list of 3"),
        ("[nope]\n", "c.toml: unknown section [nope]"),
        ("[sensor\n", "c.toml: "),
    ],
)
def test_mistakes_name_file_section_and_key(tmp_path, text, message):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(PoiseError) as err:
        load_settings(path)
    assert str(err.value).startswith(str(tmp_path / message.split(": ", 1)[0]))
    assert message.split(": ", 1)[1] in str(err.value)
