"""The analysis's progress lines: a key and values, English as before, said in every language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from model import i18n
from model.analysis.progress import progress_line

HANGUL = re.compile(r"[\uac00-\ud7a3]")
KANA_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _samples():
    """Each line the analysis reports, with values, and the English it printed at f049403 (its f-strings)."""
    t, accepted, n, evaluations, size, rate, seconds = 3, 17, 20, 412, 64, 0.04125, 12.345
    db_path = Path("/tmp/abc-1.db")
    gens, eps = 4, [30.0, 12.3456]
    origin, structure, train, test = "2016-12", "contact", 15, 9
    method, rule = "model", "relax"
    rates, gaps = {"kr": 0.1234, "jp": 0.05}, {"kr": -1.54, "jp": 2.0}
    factors = {"kr_visitors": 1.2345, "jp_visitors": 0.9}
    return [
        (progress_line("progress.generation", t=t, accepted=accepted, n=n, evaluations=evaluations, size=size,
                       rate=rate, seconds=seconds),
         f"generation {t}: {accepted}/{n} accepted after {evaluations} simulations "
         f"(batch of {size}, acceptance {rate:.1%}, {seconds:.1f} s)"),
        (progress_line("progress.resuming", path=db_path, done=2),
         f"resuming from {db_path}: {2} generation(s) already done"),
        (progress_line("progress.done", generations=gens, tolerance=eps[-1], evaluations=evaluations),
         f"done: {gens} generations, final tolerance {eps[-1]:.2f}, {evaluations} simulations"),
        (progress_line("progress.origin", origin=origin, structure=structure, train=train, test=test),
         f"origin {origin}: calibrating {structure} on {train} targets, forecasting {test}"),
        (progress_line("progress.assimilated", origin=origin, method=method, rule=rule,
                       rates=[progress_line("progress.gap", series=k, rate=v, gap=gaps[k]) for k, v in rates.items()],
                       factors=[progress_line("progress.factor", series=k, factor=v) for k, v in factors.items()]),
         f"origin {origin}: {method} assimilated the last polls ({rule}); monthly fading rate "
         + ", ".join(f"{k} {v:.3f} (gap {gaps[k]:+.1f})" for k, v in rates.items())
         + "; travel scaled to the last visitor totals: "
         + ", ".join(f"{k} x{v:.2f}" for k, v in factors.items())),
        (progress_line("progress.origin_done", origin=origin, evaluations=evaluations, seconds=seconds),
         f"origin {origin}: done ({evaluations} simulations, {seconds:.0f} s)"),
    ]


@pytest.mark.parametrize("line, before", _samples(), ids=lambda x: getattr(x, "key", ""))
def test_the_english_progress_lines_read_as_before(line, before):
    """Logs and scripts read the English lines: the same words and numbers as the analysis wrote them."""
    assert str(line) == before
    assert line.text("en") == before


@pytest.mark.parametrize("line, before", _samples(), ids=lambda x: getattr(x, "key", ""))
@pytest.mark.parametrize("lang, script", [("ko", HANGUL), ("ja", KANA_KANJI)])
def test_every_progress_line_reads_in_korean_and_japanese(line, before, lang, script):
    """Each line has its own text in ko and ja, filled, with the numbers the English line shows."""
    said = line.text(lang)
    assert i18n.translated(line.key, lang)
    assert script.search(said) and "{" not in said and said != before
    for number in re.findall(r"\d+(?:\.\d+)?%?", before):
        assert number in said, (number, said)


def test_the_command_line_says_a_line_in_its_language(capsys):
    """``relay`` says the analysis's line in the language the command chose, its list items too."""
    from model.cli import relay

    line = _samples()[4][0]
    with i18n.language("ja"):
        relay(line)
    err = capsys.readouterr().err
    assert err.strip() == line.text("ja")
    assert "0.123（差-1.5）、jp 0.050（差+2.0）" in err and "1.23倍" in err
