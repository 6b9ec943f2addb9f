"""The translation layer holds every text to the three languages and to the glossary.

A failure here names the key and what is wrong with it; model/i18n/README.md says how to fix it.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from model import i18n
from model.catalogue import load_catalogue
from model.scenario import load_scenario, shipped_scenarios
from tests.support.languages import CITED

OTHER = ("ko", "ja")
ROOT_DIR = Path(__file__).resolve().parents[2]
ROOT = i18n.resources.files("model.i18n")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
KANA_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# A particle attached straight to a placeholder: wrong when the term's values end differently.
KO_PARTICLE = re.compile(r"\{(\w+)\}(을|를|이|가|은|는|과|와|으로|로|이나|나|이라|라)(?![\w가-힣])")


def english() -> dict[str, str]:
    """Every English text, the catalogue's included."""
    load_catalogue()
    return dict(i18n._table("en"))


def fields(text: str) -> list[tuple[str, str]]:
    """The ``{name:spec}`` fields of a format string, sorted (names and number formats)."""
    out = []
    for _, name, spec, _ in string.Formatter().parse(text):
        if name is not None:
            out.append((name, spec or ""))
    return sorted(out)


def contested_values(lang: str) -> dict[str, set[str]]:
    """Every rendering of each contested term in one language."""
    return {name: set(entry[lang].values()) for name, entry in i18n.glossary()["contested"].items()}


@pytest.mark.parametrize("lang", OTHER)
def test_every_english_key_has_its_translation(lang):
    """A key in en (the catalogue's too) is in ko and ja."""
    missing = sorted(k for k in english() if not i18n.translated(k, lang))
    assert not missing, (
        f"{len(missing)} keys have no {lang} text; add them to model/i18n/{lang}.yaml "
        f"(catalogue entries under event./decision./coefficient.<id>): {missing[:40]}"
    )


@pytest.mark.parametrize("lang", OTHER)
def test_no_translation_without_english(lang):
    """The Korean and Japanese files hold no key that English lacks (renamed or removed keys)."""
    en = english()
    stray = sorted(k for k in i18n._table(lang) if k not in en)
    assert not stray, f"keys in {lang}.yaml that en has not (renamed or removed?): {stray[:40]}"


@pytest.mark.parametrize("lang", OTHER)
def test_placeholders_and_number_formats_are_the_same(lang):
    """Same fields with the same formats: every language shows the same numbers."""
    en = english()
    wrong = []
    for key, text in i18n._table(lang).items():
        if key in en:
            try:
                if fields(text) != fields(en[key]):
                    wrong.append((key, fields(en[key]), fields(text)))
            except ValueError as err:
                wrong.append((key, "cannot parse", str(err)))
    assert not wrong, wrong[:20]


@pytest.mark.parametrize("lang", ("en", *OTHER))
def test_every_text_fills_without_leftover_braces(lang):
    """Each text, filled with sample values, leaves no brace and raises nothing."""
    bad = []
    for key in english():
        text = i18n._table(lang).get(key)
        if text is None:
            continue
        values = {}
        for name, spec in fields(text):
            values[name] = (2 if spec.endswith("d") else 1.5) if spec else "X"
        filled = i18n.tr(key, lang, **{k: v for k, v in values.items() if k not in i18n.place_values()})
        if re.search(r"[{}]", filled):
            bad.append((key, filled[:80]))
    assert not bad, bad[:20]


def test_glossary_contested_terms_are_complete_and_sourced():
    """Every contested term has all four settings in all three languages, each with a source."""
    for name, entry in i18n.glossary()["contested"].items():
        for lang in i18n.LANGUAGES:
            assert set(entry[lang]) == set(i18n.PLACE_SETTINGS), (name, lang)
            assert all(v.strip() for v in entry[lang].values()), (name, lang)
        assert set(entry["sources"]) == set(i18n.PLACE_SETTINGS), name
        for side in ("korean", "japanese", "neutral"):
            assert len(entry["sources"][side]) > 20, (name, side)


def test_glossary_terms_have_every_language():
    for name, entry in i18n.glossary()["terms"].items():
        assert entry.get("en") and entry.get("ko") and entry.get("ja"), name
        re.compile(entry["en"], re.IGNORECASE)
        for lang, text in (entry.get("explain") or {}).items():
            assert lang in i18n.LANGUAGES and text.strip(), (name, lang)


@pytest.mark.parametrize("lang", ("en", *OTHER))
def test_contested_terms_are_never_written_out(lang):
    """Texts carry {dokdo}, {east_sea}... and never a side's name for them."""
    values = contested_values(lang)
    bad = []
    for key in english():
        text = i18n._table(lang).get(key)
        if text is None:
            continue
        text = re.sub(r"\{\w+\}", "", text)
        for name, renderings in values.items():
            for word in renderings:
                core = word.strip("'\"「」 ").removeprefix("the ")
                if len(core) >= 2 and re.search(re.escape(core), text, re.IGNORECASE):
                    bad.append((key, name, core))
    assert not bad, f"write the placeholder instead of the name: {bad[:20]}"


@pytest.mark.parametrize("lang", OTHER)
def test_key_terms_are_rendered_one_way(lang):
    """Where the English uses a glossary term, the translation uses the glossary's rendering.

    The texts of the tables and the sources of the catalogue's numbers (sources.yaml) alike.
    """
    en = {k: re.sub(r"\{[^}]*\}", "", v) for k, v in english().items()}  # words, not placeholders
    local = dict(i18n._table(lang))
    for source, entry in i18n._by_english("sources.yaml").items():
        en[f"sources.yaml: {source}"] = re.sub(r"--?[\w-]+|\w*_\w*", "", source)  # options and ids are not words
        local[f"sources.yaml: {source}"] = entry[lang]
    filled = {k: i18n.fill(v, lang=lang) for k, v in local.items()}
    bad = []
    for name, entry in i18n.glossary()["terms"].items():
        pattern = re.compile(entry["en"], re.IGNORECASE)
        want = entry[lang]
        avoid = (entry.get("avoid") or {}).get(lang, [])
        for key, text in local.items():
            if want not in filled[key] and pattern.search(en.get(key, "")):
                bad.append((key, name, f"wants {want!r}"))
            for other in avoid:
                if other in text:
                    bad.append((key, name, f"writes {other!r}; the glossary says {want!r}"))
    assert not bad, bad[:30]


def test_korean_particles_fit_every_naming_setting():
    """A particle after a placeholder must fit all four values (all end alike in Korean)."""

    def batchim(word: str) -> bool | None:
        last = word.rstrip("'\")）」 ")[-1:]
        if not HANGUL.match(last):
            return None
        return (ord(last) - 0xAC00) % 28 != 0

    values = contested_values("ko")
    bad = []
    for key, text in i18n._table("ko").items():
        for found in KO_PARTICLE.finditer(text):
            name = found.group(1)
            if name in values and len({batchim(v) for v in values[name]}) > 1:
                bad.append((key, found.group(0)))
    assert not bad, bad


# A number read aloud ends in a vowel or a consonant by its last digit (6.1 ends in 일, 6.2 in
# 이): a particle or copula straight after a number fits some values and not others (a
# percentage is read 퍼센트, which every particle fits).
KO_AFTER_NUMBER = re.compile(r"\{\w+:[^}]*[dfg]\}(였|이었|은|는|이[ ,.]|가[ ,.]|을|를|와|과|으로|로)")


def test_korean_particles_never_follow_a_number_straight():
    """Write a unit between a number and its particle (3.9포인트였습니다), never 3.9였습니다."""
    bad = [(key, m.group(0)) for key, text in i18n._table("ko").items() for m in KO_AFTER_NUMBER.finditer(text)]
    assert not bad, bad


def test_catalogue_entries_have_korean_and_japanese():
    """A new event, decision or coefficient fails here until its ko and ja texts exist."""
    cat = load_catalogue()
    needed = [f"event.{e}.{f}" for e in cat.events for f in ("label", "briefing")]
    needed += [f"decision.{d}.{f}" for d in cat.decisions for f in ("label", "briefing")]
    needed += [f"coefficient.{c}.{f}" for c in cat.coefficients for f in ("label", "meaning")]
    for lang in OTHER:
        missing = [k for k in needed if not i18n.translated(k, lang)]
        assert not missing, f"{lang}.yaml lacks: {missing[:30]}"


def test_translations_are_written_in_their_language():
    """A Korean text has Hangul and a Japanese one kana or kanji (no English copied over)."""
    allowed = re.compile(r"^[\W\d_]*$|^[A-Z]{2,6}$|^(#|x)$")
    for lang, script in (("ko", HANGUL), ("ja", KANA_KANJI)):
        bad = []
        for key, text in i18n._table(lang).items():
            plain = re.sub(r"\{[^}]*\}", "", text).strip()
            if plain and not allowed.match(plain) and not script.search(plain):
                bad.append((key, text[:60]))
        assert not bad, (lang, bad[:20])


def test_shipped_scenarios_have_korean_and_japanese_texts():
    """Titles, questions, descriptions and notes of the shipped scenarios, in ko and ja.

    The replay's notes (rows of the data files, the CNS counts) have their own tests below.
    """
    missing = []
    for sid, path in shipped_scenarios().items():
        sc = load_scenario(path)
        texts = [sc.title, sc.question, sc.description]
        if not sid.startswith("history-"):
            texts += [e.note for e in sc.events if e.note] + [d.note for d in sc.decisions if d.note]
        for lang in OTHER:
            missing += [(sid, lang, t[:50]) for t in texts if t and not i18n.scenario_text_known(t, lang)]
    assert not missing, f"add them to model/i18n/scenarios.yaml: {missing[:20]}"


# A replay note that quotes a row of a data file: the file, the row's date, the source's words.
CITATION = i18n.CITATION


def placeholders(text: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", text)


def replay_notes() -> set[str]:
    sc = load_scenario(shipped_scenarios()["history-2012-2025"])
    return {e.note for e in sc.events if e.note} | {d.note for d in sc.decisions if d.note}


def quoted_rows() -> list[str]:
    """Every note of a shipped scenario that quotes a data file's row."""
    notes = set()
    for path in shipped_scenarios().values():
        sc = load_scenario(path)
        notes |= {e.note for e in sc.events if e.note} | {d.note for d in sc.decisions if d.note}
    return sorted(n for n in notes if CITATION.match(n))


def test_the_replays_generated_notes_are_translated():
    """The replay's notes the build script writes (the CNS missile counts) are translated."""
    generated = [n for n in replay_notes() if not CITATION.match(n)]
    assert generated
    for lang in OTHER:
        left = [n for n in generated if not i18n.scenario_text_known(n, lang)]
        assert not left, f"add a scenario_note.<id> pattern to {lang}.yaml: {left[:5]}"


def test_every_quoted_row_of_the_replay_reads_in_korean_and_japanese():
    """A row the replay quotes shows in the reader's language, its citation kept for provenance."""
    rows = quoted_rows()
    assert len(rows) > 50 and len(i18n._quoted_rows()) >= len(rows)
    for lang, script in (("ko", HANGUL), ("ja", KANA_KANJI)):
        left = []
        for note in rows:
            shown = i18n.scenario_text(note, lang)
            cite = CITATION.match(note)["cite"]
            words = shown.removeprefix(f"{cite}: ")
            if shown == note or words == shown or not script.search(words):
                left.append(note[:70])
        assert not left, f"add the row to model/i18n/rows.yaml ({lang}): {left[:5]}"


def test_quoted_rows_write_no_contested_name_out():
    """In every language and setting, a quoted row names contested terms as the setting says.

    The texts in rows.yaml carry placeholders: none writes a contested name out, in any of its
    forms (the English source's hyphenated "comfort-women", "forced-labour" too).
    """
    literal = {v for lang in ("en", *OTHER) for vals in contested_values(lang).values() for v in vals}
    literal = {v.strip("'\"「」（）() ").lower() for v in literal} - {"", "the emperor"}
    literal |= {"dokdo", "takeshima", "comfort-women", "forced-labour", "forced labourer", "treated-water", "emperor"}
    bad = []
    for entry in i18n._quoted_rows().values():
        for lang in ("en", *OTHER):
            text = entry.get(lang, entry["source"] if lang == "en" else "")
            assert text, (entry["cite"], lang)
            bad += [(entry["cite"], lang, v) for v in literal if v in re.sub(r"\{[^}]*\}", "", text).lower()]
            if lang == "ko":
                assert not KO_PARTICLE.search(text), (entry["cite"], text)
            if lang != "en":
                assert set(placeholders(text)) == set(placeholders(entry.get("en", ""))), (entry["cite"], lang)
    assert not bad, bad[:20]


@pytest.mark.parametrize(
    ("lang", "places", "name"),
    [("en", "korean", "lands on Dokdo,"), ("en", "japanese", "lands on Takeshima,"),
     ("en", "both", "lands on Dokdo/Takeshima,"), ("en", "neutral", "lands on the Liancourt Rocks,"),
     ("ko", "korean", "독도 방문"), ("ko", "japanese", "다케시마 방문"), ("ja", "japanese", "竹島に上陸"),
     ("ja", "korean", "独島に上陸"), ("ja", "both", "竹島/独島に上陸")],
)
def test_a_quoted_row_names_dokdo_as_the_setting_says(lang, places, name):
    note = next(n for n in replay_notes() if n.startswith("events.csv 2012-08-10: "))
    shown = i18n.scenario_text(note, lang, places)
    assert shown.startswith("events.csv 2012-08-10: ")
    assert name in shown
    others = {"Dokdo", "Takeshima", "독도", "다케시마", "独島", "竹島"} - set(re.findall(r"\w+", name))
    assert not [o for o in others if o in shown.replace(name, "")], shown


def test_quoted_rows_use_the_glossarys_terms():
    """Where a row's English uses a key term, its Korean and Japanese use the glossary's rendering."""
    bad = []
    for entry in i18n._quoted_rows().values():
        en = re.sub(r"\{[^}]*\}", "", entry.get("en", entry["source"]))
        for name, term in i18n.glossary()["terms"].items():
            pattern = re.compile(term["en"], re.IGNORECASE)
            for lang in OTHER:
                if pattern.search(en) and term[lang] not in entry[lang]:
                    bad.append((entry["cite"], name, lang))
                bad += [(entry["cite"], name, other) for other in (term.get("avoid") or {}).get(lang, [])
                        if other in entry[lang]]
    assert not bad, bad


def test_scenario_texts_fall_back_to_what_was_written():
    """A text nobody translated (a teacher's own) is shown as written, in any language."""
    assert i18n.scenario_text("My class's own what-if", "ko") == "My class's own what-if"
    assert i18n.scenario_text("우리 반의 시나리오", "ja") == "우리 반의 시나리오"


def test_terms_follow_the_naming_setting_in_each_language():
    assert i18n.tr("event.dokdo_visit.label", "en", "japanese").endswith("Takeshima")
    assert "독도" in i18n.term("dokdo", "ko", "korean")
    assert i18n.term("dokdo", "ja", "japanese") == "竹島"
    assert i18n.term("east_sea", "ja", "japanese") == "日本海"
    assert i18n.place("dokdo", "neutral") == "the Liancourt Rocks"
    assert i18n.fill("{East_sea}", "korean") == "The East Sea"


def test_months_are_written_as_each_language_writes_them():
    assert i18n.month_text("2026-03", "en") == "2026-03"
    assert i18n.month_text("2026-03", "ko") == "2026년 3월"
    assert i18n.month_text("2026-03", "ja") == "2026年3月"
    assert i18n.month_text("not a month", "ko") == "not a month"


@pytest.mark.parametrize(
    ("value", "lang"),
    [("ko-KR", "ko"), ("ja", "ja"), ("ja_JP.UTF-8", "ja"), ("en-US", "en"), ("fr-FR", None), (None, None), ("", None)],
)
def test_browser_locales_choose_the_language(value, lang):
    assert i18n.language_from_locale(value) == lang


def test_the_command_line_reads_the_language_from_the_environment():
    assert i18n.language_from_env({"LANG": "ko_KR.UTF-8"}) == "ko"
    assert i18n.language_from_env({"LC_ALL": "ja_JP.UTF-8", "LANG": "ko_KR.UTF-8"}) == "ja"
    assert i18n.language_from_env({"LANGUAGE": "fr:ja", "LANG": "C"}) == "ja"
    assert i18n.language_from_env({"LANG": "C.UTF-8"}) == "en"
    assert i18n.language_from_env({}) == "en"


def test_the_data_provenance_note_is_translated_and_in_step():
    """model/data/README.md has a Korean and a Japanese version listing the same files and checksums."""
    from importlib import resources

    folder = resources.files("model").joinpath("data")
    english = folder.joinpath("README.md").read_text(encoding="utf-8")
    facts = set(re.findall(r"`([\w.]+\.csv)`|\b([0-9a-f]{12})\b", english))
    assert facts
    for lang in OTHER:
        text = folder.joinpath(f"README.{lang}.md").read_text(encoding="utf-8")
        missing = [f for f in facts if (f[0] or f[1]) not in text]
        assert not missing, f"README.{lang}.md is behind README.md: {missing}"


def test_japanese_has_no_stray_spaces_between_characters():
    """Japanese runs characters together; a space between two is a line fold of the YAML file."""
    cjk = r"[\u3040-\u30ff\u4e00-\u9fff。、）」]"
    texts = dict(i18n._table("ja")) | {e: v["ja"] for e, v in i18n._by_english("scenarios.yaml").items()}
    bad = [(k, m.group(0)) for k, t in texts.items() if (m := re.search(f"{cjk} {cjk}", t))]
    assert not bad, bad[:10]


@pytest.mark.parametrize(("english", "stem"), [("README.md", "README"), ("docs/GAME.md", "docs/GAME")])
def test_the_korean_and_japanese_documents_keep_up_with_the_english(english, stem):
    """Every command option and page of the English document is in its Korean and Japanese copies."""
    root = ROOT_DIR
    text = (root / english).read_text(encoding="utf-8")
    if english == "README.md":  # the README's translations cover its first part (what, commands, class)
        facts = {"./dev app", "./dev test", "--lang", "--link-lang", "game new"}
    else:
        facts = set(re.findall(r"(--[a-z][a-z-]+|/(?:play|instructor|projector|debrief)\b)", text))
    assert facts
    for lang in OTHER:
        other = (root / f"{stem}.{lang}.md").read_text(encoding="utf-8")
        missing = sorted(f for f in facts if f not in other)
        assert not missing, f"{stem}.{lang}.md lacks what {english} says about: {missing}"
        assert len((HANGUL if lang == "ko" else KANA_KANJI).findall(other)) > 500


def test_every_decision_tag_has_a_name():
    """The Model & data page names each rule's likes and dislikes (decision tags) in words."""
    from model.agents.rules import RULES

    cat = load_catalogue()
    tags = {t for d in cat.decisions.values() for t in d.tags}
    tags |= {t for rules in RULES.values() for r in rules for t in r.tag_weights(cat.defaults())}
    missing = sorted(t for t in tags if not i18n.translated(f"tag.{t}", "en"))
    assert not missing, f"add tag.<id> to en.yaml, ko.yaml and ja.yaml: {missing}"


def catalogue_sources() -> list[str]:
    """Every source the app shows: coefficients', effects' and triggers' (events and decisions)."""
    cat = load_catalogue()
    out = [c.source for c in cat.coefficients.values()]
    for entries in (cat.events, cat.decisions):
        for entry in entries.values():
            out += [e.source for e in getattr(entry, "effects", None) or []]
            out += [t.source for t in getattr(entry, "triggers", None) or []]
    return list(dict.fromkeys(s for s in out if s))


# What a citation keeps whatever the language: dates, years and file names.
KEPT = re.compile(r"\d{4}(?:-\d{2}){0,2}|[\w./-]+\.(?:csv|yaml|py|md)")


@pytest.mark.parametrize("lang", OTHER)
def test_every_source_reads_in_the_language_with_its_citations_as_published(lang):
    """Where a number comes from reads in Korean or Japanese; what is cited stays as published.

    No English word of ours is left (ids, files and commands may stay), and every date, year and
    file name of the English is still there to look it up.
    """
    script = HANGUL if lang == "ko" else KANA_KANJI
    sources = catalogue_sources()
    assert len(sources) > 100
    problems = []
    for source in sources:
        local = i18n.source_text(source, lang)
        prose = local
        for name in CITED:
            prose = prose.replace(name, " ")
        prose = re.sub(r"--?[\w-]+|[A-Za-z0-9-]*(?:[/_]|\.(?=[A-Za-z0-9]))[A-Za-z0-9./_-]*", " ", prose)
        english = [w for w in re.findall(r"\b[a-z][a-z']+\b", prose) if w not in ("ln", "python")]
        lost = set(KEPT.findall(source)) - set(KEPT.findall(local))
        if english or lost or "{" in local or not script.search(local):
            problems.append((source, local, english, sorted(lost)))
    assert not problems, f"add or fix the entry in model/i18n/sources.yaml: {problems[:3]}"


def test_sources_yaml_holds_only_the_catalogues_sources():
    """An entry whose English the catalogue no longer has is stale: edit it with the catalogue."""
    known = {i18n._normal(s) for s in catalogue_sources()}
    known |= {i18n._normal(s.split("; ", 1)[1]) for s in catalogue_sources() if "; " in s}
    stale = [en for en in i18n._by_english("sources.yaml") if en not in known]
    assert not stale, stale


def test_a_source_the_table_does_not_know_still_names_its_kind():
    """An edited catalogue's source shows its kind in the reader's language, its words as written."""
    assert i18n.source_text("assumption: my own reason", "ko") == "가정: my own reason"
    assert i18n.source_text("calibration run; range an assumption", "ko") == "보정 실행; range an assumption"
    assert i18n.source_text("assumption", "en") == "assumption"
    noted = i18n.source_text("calibrated (calibrated.yaml); assumption: rally effect", "ja")
    assert noted == "較正値（calibrated.yaml）。仮定：結集効果"
    assert "{" not in i18n.source_text("data: x.csv, shared with the {dokdo} visit", "en")


# What takes a key as its first argument: the lookups, and the analysis's progress lines
# (``progress_line("progress.done", ...)``, said later with ``tr``).
LOOKUPS = ("tr", "has", "translated", "progress_line")


def _keys_in_code() -> list[tuple[str, str, bool]]:
    """Every key the code looks up by a literal (file, key, whether only its prefix is written).

    ``tr("a.b")`` gives the key, ``tr("a" if x else "b")`` both; ``tr(f"a.{x}")`` the prefix ``a.``.
    """
    import ast

    found = []
    for folder in ("model", "ui"):
        for path in sorted((ROOT_DIR / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                name = getattr(node, "func", None)
                name = getattr(name, "id", None) or getattr(name, "attr", None)
                if not isinstance(node, ast.Call) or name not in LOOKUPS or not node.args:
                    continue
                where = str(path.relative_to(ROOT_DIR))
                first = node.args[0]
                for arg in (first.body, first.orelse) if isinstance(first, ast.IfExp) else (first,):
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.append((where, arg.value, False))
                    elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
                        found.append((where, arg.values[0].value, True))
    return found


def test_every_key_the_code_looks_up_exists():
    """A key the code asks for but no table holds shows as the raw key (``charts.yes``) in every language.

    YAML reads a bare ``yes:``/``no:``/``on:`` as a boolean: such a key must be quoted.
    """
    keys = set(english())
    looked_up = _keys_in_code()
    assert len(looked_up) > 500
    missing = sorted({(where, key) for where, key, prefix in looked_up
                      if not (any(k.startswith(key) for k in keys) if prefix else key in keys)})
    assert not missing, f"add these keys to en.yaml, ko.yaml and ja.yaml: {missing[:10]}"
    assert not [k for k in keys if k.split(".")[-1] in ("True", "False")], "quote yes/no/on/off keys in the YAML"
