"""`poise report`: a visit's report as HTML and PDF, checked against the store it is
made from, rendered to images (pdftoppm) and read back as text (pdftotext)."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from poise.metrics.sway import ellipse95, ellipse_area95
from poise.reports.svg import nice_ticks, padded
from poise.reports.traces import PLOT_POINTS, _block_means
from poise.store.sqlite import Store
from poise_process import poise_env, train_config

#: One condition of each kind of figure: stance (stabilogram, tilt), hop (landings),
#: lunge and hip (reps); both legs.
BATTERY = """
name = "mini"
title = "A short clinic battery"
source = "A test of ours"
rest_s = 0

[[conditions]]
drill = "stance"
trials = 2
metrics = ["time_held_s", "sway_rms_deg"]
score = "best"
settings = { stance_s = 6.0 }

[[conditions]]
drill = "hop"
trials = 1
metrics = ["mean_tts_s", "mean_height_m"]
score = "mean"
settings = { hop_s = 6.0 }

[[conditions]]
drill = "lunge"
trials = 1
metrics = ["max_inclination_deg"]
settings = { lunge_reps = 2 }

[[conditions]]
drill = "hip"
trials = 1
metrics = ["internal_rotation_deg"]
settings = { hip_reps = 2 }
"""
#: Athlete-supplied text reaches the page: it must arrive as text, never as markup.
ATHLETE = "Ana <i>O'Neil</i> & co"
PLOTS = ("left-right", "trend", "stabilogram", "tilt-time", "events")
NOTE = '=cmd|"/c calc"!A1 <img src=x onerror=alert(1)>'


def _env(root: Path) -> dict[str, str]:
    return {**poise_env(root / "data", root), "XDG_CONFIG_HOME": str(root / "config")}


def poise(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "poise", "--config", str(root / "config.toml"), *argv],
        env=_env(root), capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two visits of the battery on the simulator; the folder (its store: store.sqlite3)."""
    root = tmp_path_factory.mktemp("clinic")
    (root / "config" / "poise" / "batteries").mkdir(parents=True)
    (root / "config" / "poise" / "batteries" / "mini.toml").write_text(BATTERY)
    (root / "config.toml").write_text(train_config())
    store = str(root / "store.sqlite3")
    for seed in ("3", "4"):
        done = poise(root, "battery", "run", "mini", "--athlete", ATHLETE, "--involved",
                     "left", "--store", store, "--seed", seed, "--fast", "--quiet")  # fmt: skip
        assert done.returncode == 0, done.stderr
    with Store.open_readonly(root / "store.sqlite3") as s:
        visit = s.visits(ATHLETE)[-1]
        first = next(t for t in s.trials(ATHLETE) if t.session_id in visit.sessions)
    for argv in (
        ["athlete", "edit", ATHLETE, "--birth-year", "1991", "--sex", "female"],
        ["athlete", "note", ATHLETE, "--trial", str(first.id), NOTE],
        ["trial", "invalid", str(first.id), "--reason", "hand on the wall"],
    ):
        done = poise(root, *argv, "--store", store)
        assert done.returncode == 0, done.stderr
    return root


def _store_scores(store_path: Path) -> dict[tuple[int, str, str], float]:
    """The latest visit's scores computed here from the store's trials: best by the
    metric's direction, or the mean (the battery's rules, independently)."""
    lower_better = {"mean_tts_s", "sway_rms_deg"}  # less sway, a quicker settle: better
    with Store.open_readonly(store_path) as store:
        visit = store.visits(ATHLETE)[-1]
        trials = [t for t in store.trials(ATHLETE) if t.session_id in visit.sessions]
    rules = {1: "best", 2: "mean", 3: "best", 4: "best"}
    metrics = {1: ("time_held_s", "sway_rms_deg"), 2: ("mean_tts_s", "mean_height_m"),
               3: ("max_inclination_deg",), 4: ("internal_rotation_deg",)}  # fmt: skip
    out = {}
    for condition, names in metrics.items():
        for leg in ("left", "right"):
            counted = [
                t
                for t in trials
                if visit.sessions[t.session_id] == condition and t.leg == leg
                and t.status == "complete" and t.validity != "invalid" and not t.marked_invalid
            ]  # fmt: skip
            for name in names:
                values = [t.metrics[name] for t in counted if t.metrics.get(name) is not None]
                if not values:
                    continue
                if rules[condition] == "mean":
                    out[condition, leg, name] = sum(values) / len(values)
                else:
                    out[condition, leg, name] = min(values) if name in lower_better else max(values)
    return out


class _Page(HTMLParser):
    """The primary table's cells and every plot's drawn elements, from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[int, str, str], str] = {}
        self.plots: list[dict[str, int]] = []
        self._row: tuple[int, str] | None = None
        self._leg: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and "data-metric" in a:
            self._row = (int(a["data-condition"] or 0), a["data-metric"] or "")
        elif tag == "td" and "data-leg" in a and self._row:
            self._leg = a["data-leg"]
        elif tag == "svg":
            self.plots.append({"name": a.get("data-plot") or "", "drawn": 0})
        elif (
            self.plots
            and a.get("data-series") in ("line", "point", "band", "ellipse")
            and (tag != "polyline" or (a.get("points") or "").count(",") >= 2)
        ):
            self.plots[-1]["drawn"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._leg = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._row and self._leg:
            self.cells[(*self._row[:1], self._leg, self._row[1])] = data.strip()


def _html(clinic: Path, name: str, *extra: str) -> str:
    out = clinic / name
    athlete = "ana" if "--store" in extra else ATHLETE
    store = [] if "--store" in extra else ["--store", str(clinic / "store.sqlite3")]
    done = poise(clinic, "report", "--athlete", athlete, *store, "-o", str(out), *extra)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    return out.read_text()


def test_the_primary_numbers_are_the_stores_scores_and_every_plot_is_drawn(clinic):
    page = _Page()
    html = _html(clinic, "visit.html")
    page.feed(html)
    expected = _store_scores(clinic / "store.sqlite3")
    assert expected and {k for k, v in page.cells.items() if v != "-"} == set(expected)
    for (condition, leg, metric), value in expected.items():
        shown = page.cells[condition, leg, metric]
        scale = 100.0 if metric == "mean_height_m" else 1.0  # printed in cm
        places = len(shown.partition(".")[2])
        assert float(shown) == pytest.approx(value * scale, abs=0.51 * 10.0**-places), metric
    kinds = {p["name"] for p in page.plots}
    assert kinds == set(PLOTS)
    assert all(p["drawn"] >= 1 for p in page.plots), page.plots
    # Two stance legs: a stabilogram and a tilt trace each.
    assert sum(p["name"] == "stabilogram" for p in page.plots) == 2
    assert "visit 2" in html.lower() and "A test of ours" in html
    assert "marked invalid: hand on the wall" in html and "Born 1991, female" in html


def test_a_upst_score_is_placed_in_springers_norm_by_the_athletes_age(tmp_path):
    (tmp_path / "config.toml").write_text(train_config())
    store = str(tmp_path / "upst.sqlite3")
    for argv in (
        ["athlete", "add", "ana", "--birth-year", "1990", "--sex", "female", "--store", store],
        ["battery", "run", "upst", "--athlete", "ana", "--store", store, "--fast", "--quiet"],
    ):
        done = poise(tmp_path, *argv)
        assert done.returncode == 0, done.stderr
    page = _Page()
    page.feed(_html(tmp_path, "upst.html", "--store", store))
    text = " ".join(page.text)
    # Eyes open: each leg above or below the 18-39 band's mean of bests (44.7 s).
    assert re.search(r"left: (above|below) the band's mean \(44\.7\) of adults 18-39", text)
    assert "Springer" in text
    # Eyes closed: no table could be verified, and the report does not pretend.
    assert "eyes closed" in text


def test_what_the_athlete_typed_is_text_not_markup(clinic):
    html = _html(clinic, "escaped.html")
    assert "<i>O'Neil</i>" not in html and "<img" not in html
    assert "=cmd|&#34;/c calc&#34;!A1 &lt;img src=x onerror=alert(1)&gt;" in html
    assert "Ana &lt;i&gt;O&#39;Neil&lt;/i&gt; &amp; co" in html
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_an_earlier_visit_and_what_is_refused(clinic):
    html = _html(clinic, "first.html", "--visit", "1")
    assert "Visit 1:" in html
    store = str(clinic / "store.sqlite3")
    cases = [
        (["--visit", "3", "-o", str(clinic / "x.html")], "has visits 1 to 2, not 3"),
        (["-o", str(clinic / "x.docx")], "written as .html or .pdf"),
        (["-o", str(clinic / "first.html")], "already exists; not overwritten"),
    ]
    for argv, said in cases:
        done = poise(clinic, "report", "--athlete", ATHLETE, "--store", store, *argv)
        assert done.returncode == 2 and said in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    done = poise(clinic, "report", "--athlete", "nobody", "--store", store, "-o", "y.html")
    assert done.returncode == 2 and "has no visit" in done.stderr


def _pdf_tools() -> None:
    for tool in ("pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt install poppler-utils; CI installs it)")
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as e:
        pytest.skip(f"WeasyPrint cannot load ({e}); CI installs Pango")


def test_the_pdf_renders_every_page_with_its_plots_and_the_stores_numbers(clinic, tmp_path):
    _pdf_tools()
    out = clinic / "visit.pdf"
    done = poise(clinic, "report", "--athlete", ATHLETE, "--store",
                 str(clinic / "store.sqlite3"), "-o", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3
    from PIL import Image

    left, right = (0x00, 0x72, 0xB2), (0xD5, 0x5E, 0x00)
    coloured = {"left": 0, "right": 0}
    for png in pages:
        pixels = np.asarray(Image.open(png).convert("RGB")).astype(int)
        ink = (pixels.sum(axis=2) < 600).mean()
        assert ink > 0.002, f"{png.name} is blank"
        for leg, rgb in (("left", left), ("right", right)):
            coloured[leg] += int((np.abs(pixels - rgb).sum(axis=2) < 60).sum())
    assert min(coloured.values()) > 500, coloured  # both legs' bars, paths and lines drawn
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    for title in ("Primary results", "Left against right", "Over visits", "sway path",
                  "tilt against time", "landings", "reps", "Trials, their verdicts"):  # fmt: skip
        assert title in text, title
    assert "Ana <i>O'Neil</i> & co" in text  # the name as typed, shown as text
    page = _Page()
    page.feed(_html(clinic, "for-pdf.html"))
    for shown in page.cells.values():
        if shown != "-":
            assert re.search(rf"(?<![\d.]){re.escape(shown)}(?![\d])", text), shown


def test_the_pdf_fetches_nothing(tmp_path):
    _pdf_tools()
    from PIL import Image

    from poise.reports.page import render_pdf

    picture = tmp_path / "on-disk.png"
    Image.new("RGB", (40, 40), (200, 0, 0)).save(picture)
    html = f'<p>x</p><img src="file://{picture}"><img src="http://10.255.255.1/x.png">'
    out = tmp_path / "fetched.pdf"
    out.write_bytes(render_pdf(html))
    listed = subprocess.run(
        ["pdfimages", "-list", str(out)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert len(listed) == 2, listed  # the header lines only: no image was fetched


def test_ticks_padding_ellipse_and_thinning():
    assert nice_ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0.0, 1.0, count=2) == [0.0, 0.5, 1.0]
    assert nice_ticks(3.0, 3.0) == [3.0]
    assert padded(44.98, 44.99, 0.0, least=9.0) == pytest.approx((40.485, 49.485))
    rng = np.random.default_rng(20261203)
    ap = rng.normal(0.0, 1.3, 5000)
    ml = 0.6 * ap + rng.normal(0.0, 0.7, 5000)
    _, _, major, minor, angle = ellipse95(ap, ml)
    assert np.pi * major * minor == pytest.approx(ellipse_area95(ap, ml), rel=1e-9)
    assert 0.0 < angle < 90.0  # AP grows with ML: the major axis leans up to the right
    x = np.arange(4500, dtype=float)
    means = _block_means(x)
    assert len(means) <= PLOT_POINTS and means[0] == pytest.approx(4.0)
    assert means.mean() == pytest.approx(x.mean(), rel=0.01)


def test_a_report_imports_nothing_at_start_up():
    code = "import poise.cli, sys; assert not {'weasyprint', 'jinja2'} & set(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ})


def test_a_trace_tracked_by_the_defaults_says_so(tmp_path):
    import dataclasses

    from poise.formats.poise_csv import write_recording
    from poise.reports.traces import tilt_trace
    from poise.sim import simulate

    sim = simulate("stance", duration_s=12.0)
    ours = tmp_path / "ours.csv"
    write_recording(ours, sim.recording.samples, sim.recording.meta)
    foreign = tmp_path / "foreign.csv"
    meta = dataclasses.replace(
        sim.recording.meta, store={"session": {"settings": {"a_later_poise": {"x": 1}}}}
    )
    write_recording(foreign, sim.recording.samples, meta)
    assert not tilt_trace(ours, (4.0, 10.0)).default_settings
    assert tilt_trace(foreign, (4.0, 10.0)).default_settings
