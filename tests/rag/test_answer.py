"""Extractive answer composition over a small index built with the fake embedder."""

from __future__ import annotations

import pytest

from rag import answer_types as types
from rag.engine import Engine
from rag.settings import Settings

LONG = ("The regional network of prosecutors, which was created in 2010, has since then met every year "
        "in a different capital, " * 8)


def indexed(tmp_path, texts: dict[str, str]) -> Engine:
    """An engine with the fake embedder over these files (name -> text)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in texts.items():
        (docs / name).write_text(text, "utf-8")
    engine = Engine(Settings(index_dir=tmp_path / "index", embedding_model="hash"))
    engine.ingest_paths([docs])
    return engine


@pytest.fixture()
def engine(tmp_path):
    engine = indexed(tmp_path, {
        "cases.md": "# Case notes\n\n"
                    "Operation Dawn was led by prosecutor Ana Ribeiro in 2019. The network moved migrants through "
                    "Tacna. Investigators seized 14 passports.\n\n"
                    "The taskforce includes the following countries: Chile, Peru, Bolivia, Ecuador and Colombia.\n",
        "long.txt": LONG + "The registry office is in Quito.",
    })
    yield engine
    engine.close()


def grounded(engine, answer):
    return all(engine.index.text(c.doc_id)[c.start:c.end] == c.quote for c in answer.citations)


def test_who_question_picks_the_sentence_with_the_name(engine):
    answer = engine.ask("Who led Operation Dawn?")
    assert answer.found and "Ana Ribeiro" in answer.answer
    assert answer.answer.startswith(answer.citations[0].quote + " [1]")
    assert grounded(engine, answer)


def test_how_many_question_picks_the_number(engine):
    answer = engine.ask("How many passports did investigators seize?")
    assert "14 passports" in answer.citations[0].quote


def test_answer_is_never_longer_than_the_limit_and_quotes_stay_exact(engine):
    answer = engine.ask("When was the regional network of prosecutors created?")
    assert answer.found
    assert len(answer.answer) <= 500
    assert grounded(engine, answer)


def test_unrelated_question_is_not_found(engine):
    answer = engine.ask("What is the boiling point of mercury?")
    assert (answer.found, answer.citations) == (False, [])
    assert answer.answer == "Not found in the documents."


def test_empty_and_overlong_questions_are_refused(engine):
    from rag.errors import InvalidInput

    with pytest.raises(InvalidInput):
        engine.ask(" \n ")
    with pytest.raises(InvalidInput):
        engine.ask("why " * 600)


@pytest.mark.parametrize("question, kind", [
    ("Who implements TRACK4TIP?", types.Expect.PERSON),
    ("¿Qué ministro chileno anunció la ofensiva?", types.Expect.PERSON),
    ("In how many countries is IOM present?", types.Expect.NUMBER),
    ("Quantos representantes participaram?", types.Expect.NUMBER),
    ("When were the actions first initiated?", types.Expect.DATE),
    ("¿Dónde se realizó el seminario?", types.Expect.PLACE),
    ("What is REDTRAM?", types.Expect.DEFINITION),
    ("How did criminal organisations change their business model?", types.Expect.OTHER),
    ("How long does the TRACK4TIP initiative last?", types.Expect.DURATION),
    ("¿Cuánto tiempo dura la iniciativa?", types.Expect.DURATION),
    ("Por quanto tempo o acordo vigora?", types.Expect.DURATION),
    ("What is the maximum fine a carrier faces?", types.Expect.MONEY),
    ("¿Qué multa se aplica al transportista?", types.Expect.MONEY),
    ("What percentage of the victims were women?", types.Expect.PERCENT),
    ("Qual a porcentagem de trabalhadores resgatados?", types.Expect.PERCENT),
    ("What sentence did the court impose on the smuggler?", types.Expect.PENALTY),
    ("What is the penalty for migrant smuggling?", types.Expect.PENALTY),
    ("¿Qué pena prevé el artículo 149?", types.Expect.PENALTY),
    ("Qual a pena para quem reduz alguém à condição de escravo?", types.Expect.PENALTY),
    ("How much do coyotes typically charge per migrant?", types.Expect.MONEY),
    ("¿Cuánto cobran los coyotes por persona?", types.Expect.MONEY),
    ("How much of the region has been left undeveloped?", types.Expect.AMOUNT),
    ("What amount of carbon does the forest store?", types.Expect.AMOUNT),
    ("How was it determined how many from each camp would be appointed?", types.Expect.OTHER),
    ("On what date is the International Day against Trafficking marked?", types.Expect.DATE),
    ("¿En qué fecha se promulgó la ley?", types.Expect.DATE),
    ("Is the refugee status extended to the applicant's family?", types.Expect.YESNO),
    ("¿Se castiga al funcionario que facilita la entrada ilegal aunque no busque lucro?", types.Expect.YESNO),
    ("Pode o estrangeiro ser extraditado durante o pedido de refúgio?", types.Expect.YESNO),
])
def test_expected_answer_kinds(question, kind):
    assert types.expected(question) is kind


@pytest.mark.parametrize("kind, sentence, holds", [
    (types.Expect.DURATION, "TRACK4TIP is a three-year initiative (2019-2022).", True),
    (types.Expect.DURATION, "La pena es de 5 años y un día.", True),
    (types.Expect.DURATION, "The initiative is implemented by UNODC.", False),
    (types.Expect.MONEY, "A fine of US$ 5,000 applies.", True),
    (types.Expect.MONEY, "multa de 200 UTM", True),
    (types.Expect.MONEY, "A fine applies to carriers.", False),
    (types.Expect.PERCENT, "56.2% were Catholics.", True),
    (types.Expect.PERCENT, "el 35 por ciento", True),
    (types.Expect.PERCENT, "Most were Catholics.", False),
    (types.Expect.PERCENT, "The Amazon represents over half of the planet's rainforests.", True),
    (types.Expect.DURATION, "deberá informar dentro de cuarenta y ocho horas", True),
    (types.Expect.DURATION, "se mantuvo en funcionamiento desde 1870 hasta 1939", True),
    (types.Expect.MONEY, "gerando cerca de 150 bilhões de dólares por ano", True),
    (types.Expect.MONEY, "multa de cincuenta a cien unidades tributarias mensuales", True),
    (types.Expect.PENALTY, "Pena - reclusão, de dois a oito anos, e multa.", True),
    (types.Expect.PENALTY, "será castigado con reclusión menor en su grado medio a máximo", True),
    (types.Expect.PENALTY, "He surrendered to Chile to be prosecuted on two counts of kidnapping.", False),
    (types.Expect.AMOUNT, "They were reborn, often many times, to continue their vow.", True),
])
def test_a_sentence_holds_a_duration_an_amount_or_a_percentage(kind, sentence, holds):
    assert types.holds(kind, sentence, "?") is holds


@pytest.mark.parametrize("sentence, holds", [
    ("Investigators seized 14 passports.", True),
    ("A dinner attended by 2000 guests.", True),
    ("None of the original treaties protected fundamental rights.", True),
    ("Lady Gaga, la seis veces ganadora del Grammy, cantó el himno.", True),
    # Numbers that name rather than count: years, articles, laws, days of a month.
    ("la Convención sobre el Estatuto de los Refugiados de 1951 y el Protocolo de 1967.", False),
    ("Artículo 78 bis.- Protección de las víctimas de trata de personas.", False),
    ("existen medidas de protección como son la Ley Nº 27378.", False),
    ("On Sept. 30, the United States extradited the fugitives.", False),
    ("El 30 de septiembre la fiscalía presentó cargos.", False),
    ("Un grupo de fiscales viajó a Lima.", False),
])
def test_how_many_is_answered_by_a_count_not_by_a_year_an_article_or_a_day(sentence, holds):
    assert types.holds(types.Expect.NUMBER, sentence, "How many?") is holds


def test_the_years_a_question_is_pinned_to():
    assert types.years("How many victims were identified in 2023?") == {"2023"}
    assert types.years("¿Qué pasó entre 2000 y 2005?") == {"2000", "2005"}
    assert types.years("How many passports were seized?") == frozenset()
    assert types.mentions_a_year("a change in the 1970s", frozenset({"1970"}))
    assert not types.mentions_a_year("in 2015", frozenset({"2023"}))


REPORT = ("# Rescue report\n\nIn 2015 the labour ministry rescued 1,010 workers from conditions analogous to "
          "slavery. Most of the workers were rescued in urban areas. The inspectors visited 140 sites.\n\n"
          "Coyotes in the Western Highlands are expensive but available in every community. "
          "Article 411 punishes whoever smuggles migrants for profit.\n")


@pytest.mark.parametrize("question, found", [
    ("How many workers did the ministry rescue in 2015?", True),
    # Pinned to a year the document never names: the 2015 count does not answer it.
    ("How many workers did the ministry rescue in 2023?", False),
    ("How many workers did the labour ministry rescue from slavery?", True),
    # Asking for a kind of thing no sentence holds: words shared are not an answer.
    ("How much do coyotes in the Western Highlands charge?", False),
    ("What penalty does Article 411 impose on whoever smuggles migrants?", False),
])
def test_a_question_pinned_to_an_absent_year_or_kind_is_not_found(tmp_path, question, found):
    engine = indexed(tmp_path, {"report.md": REPORT})
    try:
        answer = engine.ask(question)
        assert answer.found is found, answer.answer
        if found:
            assert "1,010" in answer.answer
    finally:
        engine.close()


def test_a_document_that_names_no_year_is_not_refused_for_a_question_pinned_to_one(tmp_path):
    # An excerpt or a note says nothing of its time; only one that names other years is of another time.
    engine = indexed(tmp_path, {"note.md": REPORT.replace("In 2015 the", "The")})
    try:
        answer = engine.ask("How many workers did the ministry rescue in 2023?")
        assert answer.found and "1,010" in answer.answer, answer.answer
    finally:
        engine.close()


def test_a_yes_no_question_turning_on_a_negation_quotes_the_sentence_that_settles_it(tmp_path):
    engine = indexed(tmp_path, {"ley.md": (
        "Artículo 411 bis. El que con ánimo de lucro facilite la entrada ilegal al país de un extranjero "
        "será castigado con reclusión menor y multa.\n\n"
        "Artículo 411 ter. Se impondrá además inhabilitación absoluta temporal si el hecho fuere ejecutado, "
        "aun sin ánimo de lucro, por un funcionario público que facilite la entrada ilegal.\n")})
    try:
        answer = engine.ask("¿Se castiga al funcionario público que facilita la entrada ilegal aunque no "
                            "busque ánimo de lucro?")
        assert "aun sin ánimo de lucro" in answer.citations[0].quote, answer.answer
    finally:
        engine.close()


def test_a_law_s_numbered_list_answers_a_which_question(tmp_path):
    engine = indexed(tmp_path, {"lei.txt": (
        "Art. 12. Compete ao CONARE analisar o pedido de refúgio.\n\n"
        "Art. 14. O CONARE será constituído por:\n\n"
        "I - um representante do Ministério da Justiça, que o presidirá;\n\n"
        "II - um representante do Ministério das Relações Exteriores;\n\n"
        "III - um representante do Ministério do Trabalho;\n\n"
        "Art. 15. A participação no CONARE será considerada serviço relevante.\n")})
    try:
        answer = engine.ask("Quais ministérios têm representante no CONARE?")
        for item in ("Ministério da Justiça", "Relações Exteriores", "Ministério do Trabalho"):
            assert item in answer.answer, answer.answer
        assert "Art. 15" not in answer.answer
        assert grounded(engine, answer)
    finally:
        engine.close()


def test_a_sentence_from_another_document_joins_only_if_it_would_answer_on_its_own(tmp_path):
    engine = indexed(tmp_path, {
        "list.md": "By 2006, about 178 companies had been placed on the dirty list of slave labour.\n",
        "other.md": "The list of companies published by the ministry was later contested in court.\n"})
    try:
        answer = engine.ask("How many companies had been placed on the dirty list by 2006?")
        assert [c.source for c in answer.citations] == ["list.md"], answer.answer
    finally:
        engine.close()


@pytest.mark.parametrize("question, is_list", [
    ("Which countries are in TRACK4TIP?", True),
    ("Quais países fazem parte do TRACK4TIP?", True),
    ("¿Qué países forman parte?", True),
    ("What is REDTRAM?", False),
    ("What does REDTRAM do?", False),
    ("According to the prosecutor, what must borders not be seen as?", False),
    ("List the countries that take part.", True),
    ("Enumere los países que participan.", True),
    # "list" as a noun is not the imperative "List…".
    ("How many companies had been placed on the slave-labour \"dirty list\" by 2006?", False),
])
def test_list_questions(question, is_list):
    assert types.is_list_question(question) is is_list


@pytest.mark.parametrize("question, noun", [
    ("Which countries are in TRACK4TIP?", "countries"),
    ("Quais países participam do projeto?", "paises"),
    ("¿Qué dos dimensiones tiene?", "dimensiones"),
    ("List the agencies involved", None),  # a list, but its noun is not in the cue
    ("What is REDTRAM?", None),
])
def test_the_noun_a_list_question_asks_for(question, noun):
    assert types.listed_noun(question) == noun


def test_a_sentence_that_counts_the_listed_noun_announces_the_list():
    assert types.announces("The project benefits eight countries in South America: Ecuador, Peru.", "countries")
    assert types.announces("El proyecto beneficia a 8 países: Ecuador, Perú.", "paises")
    assert types.announces("Foram assinados dois grandes tratados.", "tratados")
    assert not types.announces("una serie de tratados de adhesión, desde el Reino Unido, Irlanda", "tratados")
    assert not types.announces("Kenya is active in several sports, among them cricket, rallying", "sports")


def test_person_names_are_told_from_titles_and_bodies():
    assert types.holds(types.Expect.PERSON, "It was attended by National Prosecutor Jorge Abbott.", "Who?")
    assert not types.holds(types.Expect.PERSON, "The Foreign Affairs Minister met the European Union.", "Who?")
    assert not types.holds(types.Expect.PERSON, "The Anti-Money Laundering Working Group met.", "Who?")


def test_the_sentence_after_the_one_naming_the_subject_joins_the_answer(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    filler = " ".join(f"Unrelated remark number {n} about the weather in the valley." for n in range(6))
    (docs / "company.txt").write_text(
        "In 1886 Tesla partnered with two businessmen to found Tesla Electric Light & Manufacturing. "
        "The company installed arc light illumination systems designed by Tesla. " + filler +
        " Tesla Electric Light & Manufacturing was later mentioned again in the press.", "utf-8")
    engine = Engine(Settings(index_dir=tmp_path / "index", embedding_model="hash"))
    try:
        engine.ingest_paths([docs])
        answer = engine.ask("What did Tesla Electric Light & Manufacturing do?")
        # The neighbour holds the answer though it adds no question word; the far repetition does not join.
        assert [c.quote[:25] for c in answer.citations] == ["In 1886 Tesla partnered w", "The company installed arc"]
        assert grounded(engine, answer)
        # The best sentence here is the second: the two still read in the document's order.
        answer = engine.ask("Who designed the arc light illumination systems the company installed?")
        assert [c.quote[:25] for c in answer.citations] == ["In 1886 Tesla partnered w", "The company installed arc"]
        assert answer.citations[1].score > answer.citations[0].score
    finally:
        engine.close()


def test_a_best_sentence_that_refers_back_brings_the_one_it_refers_to(tmp_path):
    engine = indexed(tmp_path, {"merit.md": (
        "The weather in the valley was mild that year.\n\n"
        "Merit connected Ethernet hosts first, then TCP/IP, and public universities in Michigan joined the "
        "network. All of this set the stage for Merit's role in the NSFNET project in the mid-1980s.\n")})
    try:
        answer = engine.ask("What set the stage for Merit's role in the NSFNET project?")
        assert [c.quote[:12] for c in answer.citations] == ["Merit connec", "All of this "], answer.answer
        assert grounded(engine, answer)
    finally:
        engine.close()


def test_a_close_sentence_past_a_blank_line_does_not_join_for_nearness(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ships.md").write_text("The schooner Albatross was built in 1901 in Valparaíso for the nitrate trade.\n\n"
                                   "The steamer Condor was built in 1923 in Glasgow for the coastal mail service.\n",
                                   "utf-8")
    engine = Engine(Settings(index_dir=tmp_path / "index", embedding_model="hash"))
    try:
        engine.ingest_paths([docs])
        answer = engine.ask("Where was the steamer Condor built?")
        assert [c.quote[:18] for c in answer.citations] == ["The steamer Condor"]
    finally:
        engine.close()


def _scored(language: str, evidence: float, dense: float | None):
    from rag.answer import Scored
    from rag.schema import Hit
    from rag.sentences import Span

    hit = Hit(1, "d", "s.txt", 0, 10, "x" * 10, language, 1.0, dense, None)
    return Scored(hit, 0, Span(0, 10, "x" * 10), {}, evidence, evidence)


def test_a_sentence_read_through_a_translation_stands_on_less_evidence_if_its_passage_is_similar():
    from rag.answer import AcrossLanguages, Composer
    from rag.query import Query

    composer = Composer(idf=lambda q: {}, text_of=lambda d: "", threshold=0.38,
                        across=AcrossLanguages(threshold=0.25, similarity=0.8))
    spanish = Query("¿…?", "es", [], [])
    assert composer._stands(_scored("es", 0.38, None), spanish)  # the one bar, as before
    assert not composer._stands(_scored("es", 0.30, 0.95), spanish)  # same language: no lower bar
    assert composer._stands(_scored("en", 0.30, 0.85), spanish)
    assert not composer._stands(_scored("en", 0.30, 0.79), spanish)  # not similar enough
    assert not composer._stands(_scored("en", 0.20, 0.95), spanish)  # too little evidence still
    assert not Composer(idf=lambda q: {}, text_of=lambda d: "", threshold=0.38)._stands(
        _scored("en", 0.30, 0.95), spanish)  # a model without a calibrated bar keeps the one bar


def test_a_list_that_counts_what_a_list_question_asks_for_stands_on_less_evidence():
    from rag.answer import LISTED_THRESHOLD, Composer
    from rag.query import Query

    composer = Composer(idf=lambda q: {}, text_of=lambda d: "", threshold=0.38)
    listing = Query("Which countries take part in TRACK4TIP?", "en", [], [], wants_list=True, listed="countries")
    counted = _scored("en", LISTED_THRESHOLD + 0.01, None)
    counted.fits = True  # "benefits eight countries … Ecuador, Peru, Brazil…"
    assert composer._stands(counted, listing)
    assert not composer._stands(_scored("en", LISTED_THRESHOLD + 0.01, None), listing)  # a list of other things
    assert not composer._stands(counted, Query("What does TRACK4TIP do?", "en", [], []))
    counted.evidence = LISTED_THRESHOLD - 0.01
    assert not composer._stands(counted, listing)


def test_each_model_has_its_own_bar_across_languages_and_settings_override_it():
    assert Settings().across_languages() == (0.25, 0.80)  # multilingual-e5-small, the default
    assert Settings(embedding_model="all-MiniLM-L6-v2").across_languages() == (0.22, 0.40)
    assert Settings(embedding_model="use-multilingual").across_languages() is None
    assert Settings(embedding_model="use-multilingual", cross_language_threshold=0.3,
                    cross_language_similarity=0.5).across_languages() == (0.3, 0.5)
    assert Settings(cross_language_similarity=0.9).across_languages() == (0.25, 0.9)


def test_a_sentence_that_introduces_a_list_is_answered_with_the_list(tmp_path):
    engine = indexed(tmp_path, {"declaration.md": (
        "# The Declaration\n\nThe ministers met in Quito in 2019.\n\n"
        "The Declaration is organized around four key pillars:\n\n"
        "- **Prevention** of trafficking\n- Protection of victims\n- Prosecution of traffickers\n"
        "- Partnership among states\n\nIt was signed by twelve countries.\n")})
    try:
        answer = engine.ask("How is the Declaration organized?")
        assert answer.found
        for item in ("Prevention of trafficking", "Protection of victims", "Prosecution of traffickers",
                     "Partnership among states"):
            assert item in answer.answer, answer.answer
        assert "**" not in answer.answer and "twelve" not in answer.answer
        assert grounded(engine, answer)
    finally:
        engine.close()


def test_a_sentence_cut_to_fit_keeps_the_enumeration_it_began(tmp_path):
    long_sentence = ("Since 2017, UNODC has welcomed the invitation of REDTRAM and has facilitated the last three "
                     "annual meetings of the Network in Cartagena, Colombia, Buenos Aires Argentina and Santa Cruz "
                     "Bolivia, from which important results have been achieved, such as the incorporation of the "
                     "migrant trafficking component to the Protocol of action of the Network, the construction of a "
                     "close cooperation relationship with other networks of national authorities such as the "
                     "INTERPOL ISON Network and the creation of working groups within the Network.")
    assert len(long_sentence) > 500
    engine = indexed(tmp_path, {"redtram.txt": long_sentence})
    try:
        answer = engine.ask("Where were REDTRAM's last three annual meetings held?")
        assert answer.found and len(answer.answer) <= 500
        for place in ("Cartagena", "Buenos Aires", "Santa Cruz Bolivia"):
            assert place in answer.answer, answer.answer
        # The cut keeps the clauses around the matched ones as far as the room allows, the subject first.
        assert answer.answer.startswith("Since 2017, UNODC") and "…" in answer.answer
        assert grounded(engine, answer)
    finally:
        engine.close()
