"""rag.analysis: folding, stop words, stemming and language detection for English, Spanish, Portuguese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.analysis import (LANGUAGES, PREFIX_LEN, LanguageDetector, fold, index_terms, is_informative, prefixes, stem,
                          stems, words)


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


@pytest.mark.parametrize("text,folded", [
    ("Ministério Público", "ministerio publico"),
    ("INVESTIGAÇÃO", "investigacao"),
    ("Niño Año Pingüino", "nino ano pinguino"),
    ("Fiscalía, Policía; Sesión", "fiscalia, policia; sesion"),
    ("ﬁnal ﬂow", "final flow"),  # ligatures decompose
    ("café" + "\u0301", "cafe"),  # an extra combining accent goes too
    ("plain ascii 123", "plain ascii 123"),
])
def test_fold_lowercases_and_strips_accents(text, folded):
    assert fold(text) == folded


def test_words_drop_stop_words_of_all_three_languages():
    assert words("The Minister and the police of Chile") == ["minister", "police", "chile"]
    assert words("El Ministerio de Justicia y la Policía") == ["ministerio", "justicia", "policia"]
    assert words("O Ministério da Justiça e a Polícia") == ["ministerio", "justica", "policia"]
    assert words("Quién, qué, cuántos; quem, quantos; who, how") == []
    assert words("snake_case __init__ x_y") == ["snake_case", "__init__", "x_y"]
    assert words("") == []


def test_words_keep_numbers_and_codes():
    assert words("TRACK4TIP 2019-2022 COP10") == ["track4tip", "2019", "2022", "cop10"]


@pytest.mark.parametrize("language,forms", [
    ("en", ["prosecutor", "prosecutors"]),
    ("en", ["investigation", "investigations"]),
    ("en", ["trafficking", "trafficked", "traffick"]),
    ("en", ["training", "trained", "trains"]),
    ("es", ["fiscal", "fiscales"]),
    ("es", ["investigación", "investigaciones", "investigacion"]),
    ("es", ["capacitados", "capacitado", "capacitadas"]),
    ("es", ["migrante", "migrantes"]),
    ("pt", ["procurador", "procuradores"]),
    ("pt", ["ministério", "ministérios", "ministerio"]),
    ("pt", ["vítima", "vítimas"]),
    ("pt", ["capacitados", "capacitado", "capacitadas"]),
    ("pt", ["fronteira", "fronteiras"]),
])
def test_forms_of_a_word_share_a_stem(language, forms):
    assert len({stem(fold(f), language) for f in forms}) == 1
    assert len(set(stems(" ".join(forms), language))) == 1


@pytest.mark.parametrize("forms", [["investigação", "investigações"], ["reunião", "reuniões"]])
def test_portuguese_cao_plurals_share_a_stem(forms):
    assert len(set(stems(" ".join(forms), "pt"))) == 1


def test_stems_differ_between_unrelated_words():
    assert len(set(stems("police prosecutor border victim", "en"))) == 4


def test_unknown_language_stems_as_english():
    assert stems("prosecutors trained", "xx") == stems("prosecutors trained", "en")


def test_prefixes_join_cognates_across_languages():
    groups = [("minister", "ministro", "ministra"), ("investigation", "investigación", "investigação"),
              ("organization", "organización", "organização"), ("cooperation", "cooperación", "cooperação")]
    for group in groups:
        assert len({p for w in group for p in prefixes(w)}) == 1, group
    assert all(len(p) <= PREFIX_LEN for p in prefixes("a short investigation of migrants"))
    assert prefixes("el de la") == []


@pytest.mark.parametrize("token,informative", [("2019", True), ("7", True), ("iom", True), ("us", False),
                                               ("ii", False), ("s", False)])
def test_is_informative(token, informative):
    assert is_informative(token) is informative


QUESTIONS = {
    "en": ["Who implements TRACK4TIP?", "How many prosecutors were trained?", "When did the session take place?",
           "What is human trafficking?", "Where was the meeting held?", "Who is the National Prosecutor of Chile?",
           "Which countries signed the agreement?"],
    "es": ["¿Quién implementa TRACK4TIP?", "¿Cuántos fiscales fueron capacitados?", "¿Cuándo se celebró la sesión?",
           "Qué es la trata de personas", "¿Dónde fue la reunión?", "¿Quién es el Fiscal Nacional de Chile?",
           "Cuales paises firmaron el acuerdo"],
    "pt": ["Quem implementa o TRACK4TIP?", "Quantos procuradores foram capacitados?", "Quando aconteceu a sessão?",
           "O que é o tráfico de pessoas?", "Onde foi a reunião?", "Quem é o Procurador-Geral do Chile?",
           "Quais países assinaram o acordo?"],
}


@pytest.mark.parametrize("language,question", [(lang, q) for lang, qs in QUESTIONS.items() for q in qs])
def test_detects_the_language_of_short_questions(detector, language, question):
    assert detector.detect(question) == language


PASSAGES = {
    "en": ("From 2 to 6 December, a European expert provided training to strengthen the knowledge of "
           "prosecutors and police officers in Chile, in order to establish coordination procedures with "
           "judicial authorities to combat trafficking in human beings and the smuggling of migrants."),
    "es": ("Del 2 al 6 de diciembre, un experto europeo impartió una capacitación para fortalecer los "
           "conocimientos de fiscales y policías en Chile, con el fin de establecer procedimientos de "
           "coordinación con las autoridades judiciales para combatir la trata de seres humanos."),
    "pt": ("De 2 a 6 de dezembro, um especialista europeu ministrou uma formação para fortalecer os "
           "conhecimentos de procuradores e policiais no Chile, a fim de estabelecer procedimentos de "
           "coordenação com as autoridades judiciais para combater o tráfico de seres humanos."),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_detects_the_language_of_documents(detector, language):
    assert detector.detect(PASSAGES[language]) == language
    # Headings in capitals, without accents, do not change it.
    assert detector.detect(PASSAGES[language].upper()) == language


@pytest.mark.parametrize("text", ["", "   ", "2019 2020 2021", "TRACK4TIP", "!!!", "漢字のテキスト"])
def test_detection_always_answers_one_of_the_three(detector, text):
    assert detector.detect(text) in LANGUAGES


def test_detectors_agree(detector):
    other = LanguageDetector()
    for language, passage in PASSAGES.items():
        assert other.detect(passage) == detector.detect(passage) == language


def test_stems_come_from_snowballs_c_stemmers_and_equal_its_pure_python_ones():
    """PyStemmer (Snowball compiled) is what stems, for speed; an index's stems, written at ingest,
    must be what any later reader computes, so they equal snowballstemmer's pure-Python ones."""
    import importlib

    import snowballstemmer
    import Stemmer

    from rag.analysis import _STEMMER_NAMES, _stemmer

    seeds = Path(__file__).resolve().parents[2] / "seeds"
    text = " ".join(p.read_text("utf-8") for p in sorted(seeds.iterdir()))
    vocabulary = sorted({w.lower() for w in re.findall(r"[^\W\d_]{2,}", text)})
    assert len(vocabulary) > 500
    for lang in LANGUAGES:
        assert isinstance(_stemmer(lang), Stemmer.Stemmer)
        name = _STEMMER_NAMES[lang]
        module = importlib.import_module(f"snowballstemmer.{name}_stemmer")
        pure = getattr(module, f"{name.capitalize()}Stemmer")()
        assert not isinstance(pure, Stemmer.Stemmer)
        assert [_stemmer(lang).stemWord(w) for w in vocabulary] == [pure.stemWord(w) for w in vocabulary]
    assert snowballstemmer.stemmer is Stemmer.Stemmer


def test_the_detection_sample_names_each_seed_window_s_language_as_the_whole_window_does(detector, monkeypatch):
    """Only the first DETECTION_SAMPLE characters are read (py3langid is slow at ingest): every
    1,500-character window of the seeds must come out as it does read whole."""
    import rag.analysis as analysis

    seeds = Path(__file__).resolve().parents[2] / "seeds"
    windows = [text[start:start + 1500] for text in (p.read_text("utf-8") for p in sorted(seeds.iterdir()))
               for start in range(0, len(text) - 1499, 300)]
    assert len(windows) > 20 and analysis.DETECTION_SAMPLE < 1500
    sampled = [detector.detect(w) for w in windows]
    monkeypatch.setattr(analysis, "DETECTION_SAMPLE", 5000)
    assert sampled == [detector.detect(w) for w in windows]


def test_stems_are_the_same_from_many_threads_at_once():
    """Snowball stemmers keep state between calls: one shared by request threads raised IndexError
    and, worse, stemmed silently wrong ("achieved" -> "age"), and the cache kept the wrong stem."""
    import sys
    import threading

    import snowballstemmer

    from rag.analysis import _STEMMER_NAMES

    seeds = Path(__file__).resolve().parents[2] / "seeds"
    text = " ".join(p.read_text("utf-8") for p in sorted(seeds.iterdir()))
    vocabulary = sorted({w.lower() for w in re.findall(r"[^\W\d_]{3,}", text)})
    cases = [(w, lang) for lang in LANGUAGES for w in vocabulary]
    # The single-threaded truth, from stemmers of this test's own.
    own = {lang: snowballstemmer.stemmer(_STEMMER_NAMES[lang]) for lang in LANGUAGES}
    expected = {(w, lang): stem.__wrapped__(w, lang) for w, lang in cases}
    assert all(expected[w, lang] == fold(own[lang].stemWord(w)) for w, lang in cases if not w.endswith(("ões", "ães")))
    stem.cache_clear()  # the cache is filled by the threads below, racing
    wrong, failures = [], []

    def work(k: int) -> None:
        try:
            for n in range(len(cases)):
                w, lang = cases[(n * 7 + k * 997) % len(cases)]  # each thread in its own order
                for got in (stem(w, lang), stem.__wrapped__(w, lang)):
                    if got != expected[w, lang]:
                        wrong.append((w, lang, got))
        except Exception as exc:  # noqa: BLE001 — an IndexError from a shared stemmer is the failure
            failures.append(repr(exc))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch mid-word far more often than under real load
    try:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert len(cases) > 2000
    assert failures == [] and wrong == [], (failures[:3], len(wrong), wrong[:5])
    assert all(stem(w, lang) == expected[w, lang] for w, lang in cases)  # nothing wrong kept in the cache


@pytest.mark.parametrize(("text", "language"), [
    ("As investigações da Polícia Federal começaram em 2019.", "pt"),
    ("La Fiscalía, según el artículo 145 bis, investiga la trata de personas.", "es"),
    ("Smugglers' networks moved 1,200 people; the UNODC report says so.", "en"),
])
def test_index_terms_are_the_stems_prefixes_and_words_of_the_text(text, language):
    assert index_terms(text, language) == (stems(text, language), prefixes(text), words(text))

