"""Translation: what Apertium is asked (names kept whole), real translations, and what the
engine does with them: questions searched in the documents' languages, quotes glossed."""

from __future__ import annotations

import logging
import os
import shutil
import threading
from pathlib import Path

import pytest

from rag.apertium import unescape
from rag.translation import ApertiumTranslator, NoTranslator, TranslationFailed, load_translator, protect

installed = shutil.which("apertium-wblank-mode") is not None
needs_apertium = pytest.mark.skipif(not installed and os.environ.get("CI") != "true",
                                    reason="Apertium is not installed (apt-get install apertium apertium-eng-spa "
                                           "apertium-es-pt)")
real = [pytest.mark.integration, needs_apertium]


@pytest.fixture
def translator():
    """The real Apertium translator, its pipelines stopped after the test."""
    started = ApertiumTranslator()
    yield started
    started.close()


def kept(text: str, unknown: set[str] | None = None) -> list[str]:
    """The parts of `text` that protect() hands to Apertium as superblanks."""
    stream, out, i = protect(text, unknown), [], 0
    while (start := stream.find("[", i)) >= 0:
        if start and stream[start - 1] == "\\":
            i = start + 1
            continue
        end = stream.index("]", start)
        out.append(unescape(stream[start:end + 1]))
        i = end + 1
    return out


def test_names_acronyms_numbers_and_quotations_are_kept_whole():
    assert kept('¿Qué anunció Gaby Coca sobre la Ley 26.364 y "trata de personas" en TRACK4TIP?', {"Gaby", "Coca"}) \
        == ["Gaby Coca", "26.364", '"trata de personas"', "TRACK4TIP"]
    assert kept("Kindred Healthcare runs hospitals.", {"Healthcare"}) == ["Kindred Healthcare"]
    assert kept("¿Cuántos miembros del Tren de Aragua extraditó?", {"Aragua"}) == ["Tren de Aragua"]


def test_names_made_of_dictionary_words_translate():
    assert kept("El Ministerio Público de Brasil investigó el caso.", set()) == []
    assert kept("¿Cuánto tiempo funcionó el Teatro de Verano?", set()) == []


def test_without_the_dictionaries_every_run_is_kept_but_a_sentences_first_capital_starts_none():
    assert kept("El Ministerio Público investigó el caso.") == ["Ministerio Público"]
    assert kept("Quién financia la red.") == []


@pytest.mark.integration
@needs_apertium
def test_the_dictionaries_tell_a_name_from_words_that_translate(translator):
    summer = translator.translate("¿Cuánto tiempo funcionó el Teatro de Verano?", "es", "en")
    assert "Theatre" in summer or "Theater" in summer, summer
    assert "Tren de Aragua" in translator.translate("Los miembros del Tren de Aragua huyeron.", "es", "en")
    assert "Gaby Coca" in translator.translate("¿Qué anunció Gaby Coca?", "es", "en")
    # Both in the dictionary as a person's names: kept together, not parted around "Carolina's".
    coleman = translator.translate("Carolina's secondary featured Pro Bowl safety Kurt Coleman.", "en", "es")
    assert "Kurt Coleman" in coleman, coleman


def test_a_person_name_is_read_from_the_analysis():
    from rag.apertium import person_names, unknown_words

    analysis = ("^Kurt/Kurt<np><ant><m><sg>$ ^Coleman/Coleman<np><ant><m><sg>$ ^England/England<np><loc><sg>$ "
                "^Pro/*Pro$ ^bowl/bowl<n><sg>$")
    assert person_names(analysis) == {"Kurt", "Coleman"}
    assert unknown_words(analysis) == {"Pro"}


@pytest.mark.parametrize(("text", "source", "target", "expected"), [
    ("¿Quién financia la red de fiscales?", "es", "en", ["Who", "prosecutors"]),
    ("Who funds the network of judges?", "en", "es", ["Quién", "jueces"]),
    ("Quais países fazem parte da rede?", "pt", "en", ["countries"]),  # through Spanish
    ("Which countries take part in the network?", "en", "pt", ["países"]),
    ("Quais países fazem parte da rede?", "pt", "es", ["países", "red"]),
])
@pytest.mark.integration
@needs_apertium
def test_real_translations_in_every_direction(translator, text, source, target, expected):
    out = translator.translate(text, source, target)
    assert all(word in out for word in expected), out


@pytest.mark.integration
@needs_apertium
def test_a_translation_keeps_names_numbers_and_acronyms_unchanged(translator):
    out = translator.translate("Kindred Healthcare paid 12.5 million dollars to UNODC in 2019.", "en", "es")
    for kept_word in ("Kindred Healthcare", "UNODC", "2019"):
        assert kept_word in out, out
    assert "12,5" in out  # the number kept, then written as a Spanish reader writes it
    assert "Parentela" not in out
    dated = translator.translate("El 6 de octubre de 1973 llegaron 500 000 personas, el 2,8 %.", "es", "en")
    assert "October 6, 1973" in dated and "500,000" in dated and "2.8%" in dated, dated
    special = translator.translate("Los fiscales [y] jueces / 3 <casos> {nuevos} #1 *2", "es", "en")
    assert "[" in special and "/" in special and "<" in special, special


@pytest.mark.integration
@needs_apertium
def test_the_translator_is_safe_under_concurrency(translator):
    questions = [(f"¿Cuántos casos investigó el fiscal número {n}?", "es", "en") for n in range(24)]
    questions += [(f"Quantos casos investigou o procurador número {n}?", "pt", "en") for n in range(24)]
    expected = [ApertiumTranslator._translate(translator, [text], source, target)[0]
                for text, source, target in questions]
    assert not translator._recent.found(questions)
    results: dict[int, str] = {}

    def work(k: int) -> None:
        for n in range(k, len(questions), 16):
            results[n] = translator.translate(*questions[n])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert [results[n] for n in range(len(questions))] == expected


@pytest.mark.integration
@needs_apertium
def test_many_texts_translate_at_once_as_each_would_alone_and_are_kept(translator):
    texts = [f"El fiscal {name} investigó {n} casos en 2019." for n, name in enumerate(["García", "Kindred", "Soto"])]
    texts += ["La red se reunió en Brasília.", texts[0]]  # a text twice is translated once
    alone = [ApertiumTranslator._translate(translator, [text], "es", "en")[0] for text in texts]
    assert translator.translate_many(texts, "es", "en") == alone
    assert "García" in alone[0] and "2019" in alone[0] and "Brasília" in alone[3]
    assert len(translator._recent) == 4  # kept: the next question's reading of them sends nothing
    starts = {mode: p.starts for mode, p in translator._pipelines.items()}
    translator.close()  # stopped: anything sent now would start the pipeline again
    assert translator.translate_many(texts[::-1], "es", "en") == alone[::-1]
    assert {mode: p.starts for mode, p in translator._pipelines.items()} == starts
    assert translator.translate_many([], "es", "en") == []
    with pytest.raises(TranslationFailed, match="at most"):
        translator.translate_many(["corto", "x" * 20_000], "es", "en")


def test_without_apertium_translation_is_off_with_the_command_that_installs_it(tmp_path: Path):
    translator = load_translator("apertium", modes_dir=tmp_path / "nothing-here")
    assert isinstance(translator, NoTranslator)
    assert not translator.supports("es", "en")
    assert "apt-get install apertium apertium-eng-spa apertium-es-pt" in translator.reason
    assert isinstance(load_translator("off"), NoTranslator)


# --- the engine across languages -------------------------------------------------------------------

TRACK = ("The project benefits eight countries in South America and the Caribbean: Argentina, Brazil, "
         "Chile, Colombia, Ecuador, Paraguay, Peru and Uruguay.\n\n"
         "The initiative is funded by the Department of State of the United States.\n\n"
         "Kindred Healthcare signed the agreement with the prosecutors of the network in 2019.\n")
REDE = ("A rede de procuradores contra o tráfico de pessoas reuniu-se em Brasília em março.\n\n"
        "O Ministério Público Federal coordena a rede desde 2015.\n")


@pytest.fixture
def bilingual(tmp_path, files, real_embedder):
    """MiniLM (English only): across languages its dense side reads the question's translation."""
    from rag.engine import Engine
    from rag.settings import BUNDLED_MODEL, Settings

    files.text("track.txt", TRACK)
    files.text("rede.txt", REDE)
    engine = Engine(Settings(index_dir=tmp_path / "index", embedding_model=BUNDLED_MODEL), embedder=real_embedder)
    engine.ingest_paths([files.root])
    yield engine
    engine.close()


@pytest.mark.integration
@needs_apertium
def test_a_spanish_question_is_searched_in_english_and_portuguese(bilingual):
    query = bilingual.analyzer.analyze("¿Quién financia la iniciativa?")
    assert query.language == "es"
    assert set(query.translations) == {"en", "pt"}
    assert "funds" in query.translations["en"].text or "finances" in query.translations["en"].text


@pytest.mark.integration
@needs_apertium
def test_a_cross_language_answer_quotes_exactly_and_glosses_beside_the_quote(bilingual, check):
    answer = bilingual.ask("¿Quién financia la iniciativa?")
    assert answer.found and answer.language == "es"
    check.citations(bilingual, answer)
    cited = answer.citations[0]
    assert cited.source == "track.txt" and cited.language == "en"
    assert "Department of State" in cited.quote  # the quote is the document's own words
    assert cited.gloss and "Departamento" in cited.gloss
    assert answer.answer_gloss and cited.gloss in answer.answer_gloss and "[1]" in answer.answer_gloss
    assert cited.quote in answer.answer and cited.quote not in answer.answer_gloss


@pytest.mark.integration
@needs_apertium
def test_portuguese_and_english_meet_through_spanish(bilingual, check):
    answer = bilingual.ask("Quais países fazem parte do projeto?")
    assert answer.found
    check.citations(bilingual, answer)
    assert answer.citations[0].source == "track.txt"
    assert "Uruguay" in answer.answer and "Uruguai" in answer.answer_gloss
    english = bilingual.ask("Who coordinates the network of prosecutors?")
    assert english.found and "Ministério Público Federal" in english.answer
    portuguese = [c for c in english.citations if c.source == "rede.txt"]
    assert portuguese and all(c.gloss and c.language == "pt" for c in portuguese)
    assert all(c.gloss is None for c in english.citations if c.source == "track.txt")
    assert english.answer_gloss and portuguese[0].gloss in english.answer_gloss


@pytest.mark.integration
@needs_apertium
def test_a_foreign_sentence_is_also_read_through_its_own_translation(translator):
    """The question's translation says "squads" for "equipos"; the sentence's own translation
    gives "teams" back as "equipos": the question matches more of it, the evidence rises."""
    from rag.analysis import LanguageDetector
    from rag.answer import Composer
    from rag.glossary import Glossary
    from rag.query import QueryAnalyzer
    from rag.schema import Hit

    text = "From 2005 to 2014, two soccer teams played at the StubHub Center in Los Angeles."
    analyzer = QueryAnalyzer(detector=LanguageDetector(), glossary=Glossary.load(None), translator=translator,
                             document_languages=lambda: {"en"})
    query = analyzer.analyze("¿Dónde jugaban los dos equipos de fútbol?")
    assert "teams" not in query.translations["en"].text
    hit = Hit(1, "d", "teams.txt", 0, len(text), text, "en", 1.0, None, None)

    def best(with_translator):
        composer = Composer(idf=lambda q: {g.word: 1.0 for g in q.groups}, text_of=lambda d: text,
                            translator=with_translator)
        return max(composer.score(query, [hit]), key=lambda s: s.evidence)

    glossed, plain = best(translator), best(None)
    assert "equipos" in glossed.matched and "equipos" not in plain.matched
    assert glossed.evidence > plain.evidence
    assert glossed.span.text == text  # the quote is still the document's own sentence


@pytest.mark.integration
@needs_apertium
def test_a_question_across_languages_sends_its_passages_sentences_in_one_exchange_per_language(bilingual):
    """Each sentence a reading through a translation reads is translated ahead, all of a language at
    once: one exchange per pipeline and language, not one per sentence."""
    exchanges = []
    for pipeline in [*bilingual.translator._pipelines.values(), *bilingual.translator._analysers.values()]:
        def counted(streams, inner=pipeline.translate_many, mode=pipeline.mode):
            exchanges.append((mode, len(streams)))
            return inner(streams)
        pipeline.translate_many = counted
    answer = bilingual.ask("¿Qué países se benefician del proyecto?")
    assert answer.found and "Uruguay" in answer.answer
    batches = [n for _, n in exchanges]
    assert max(batches) >= 3  # the English passages' sentences, together
    assert len(exchanges) <= 12, exchanges  # question, sentences, quotes: a few exchanges each


def test_a_composer_refuses_a_translator_that_is_not_one():
    from rag.answer import Composer

    with pytest.raises(TypeError, match="Translator"):
        Composer(idf=lambda q: {}, text_of=lambda d: "", translator=object())


@pytest.mark.integration
@needs_apertium
def test_same_language_answers_have_no_gloss(bilingual):
    answer = bilingual.ask("Who funds the initiative?")
    assert answer.found and answer.answer_gloss is None
    assert all(c.gloss is None and c.language == "en" for c in answer.citations)


def test_without_a_translator_everything_else_works_and_it_is_said_once(make_engine, files, caplog):
    files.text("track.txt", TRACK)
    with caplog.at_level(logging.WARNING, logger="rag.engine"):
        engine = make_engine(translator=NoTranslator("translation is off: Apertium is not installed; install "
                                                     "it with: apt-get install apertium"))
    assert [r.getMessage() for r in caplog.records if "Apertium" in r.getMessage()] != []
    engine.ingest_paths([files.root])
    answer = engine.ask("Which countries does the project benefit?")
    assert answer.found and answer.answer_gloss is None
    assert engine.analyzer.analyze("¿Quién financia la iniciativa?").translations == {}


@pytest.mark.integration
@needs_apertium
def test_the_default_multilingual_model_answers_across_languages(tmp_path, files, check):
    from rag.engine import Engine
    from rag.settings import Settings

    files.text("track.txt", TRACK)
    files.text("rede.txt", REDE)
    settings = Settings(index_dir=tmp_path / "index")
    assert settings.embedding_model == "multilingual-e5-small" and settings.across_languages() is not None
    engine = Engine(settings)
    try:
        engine.ingest_paths([files.root])
        spanish = engine.ask("¿Qué países se benefician del proyecto?")
        assert spanish.found and spanish.citations[0].source == "track.txt"
        assert "Uruguay" in spanish.answer and spanish.answer_gloss
        english = engine.ask("Since when has the Federal Public Ministry coordinated the network?")
        assert english.found and any(c.source == "rede.txt" and c.gloss for c in english.citations)
        assert "2015" in english.answer
        for answer in (spanish, english):
            check.citations(engine, answer)
    finally:
        engine.close()
