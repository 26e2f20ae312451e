"""How an answer is judged against the dev set's rules."""

from rag.evaluation import Case, judge
from rag.schema import Answer, Citation


def answer(text, found=True, sources=("004_3859dbde07010b13.txt",)):
    cites = [Citation("id", s, 0, 4, "quote", 1.0) for s in sources] if found else []
    return Answer("q", text, found, "en", cites)


CASE = Case("d25", "en", "Who implements TRACK4TIP?", ["3859dbde07010b13"], [["UNODC", "United Nations Office"]])


def test_facts_are_matched_case_and_accent_insensitively():
    assert judge(CASE, answer("It is implemented by unodc [1]"))
    assert judge(Case("x", "es", "q", ["3859dbde07010b13"], [["décima"]]), answer("la DECIMA sesion [1]"))


def test_every_group_must_hold():
    case = Case("d27", "pt", "q", ["3859dbde07010b13"], [["effectiveness"], ["human rights"]])
    assert not judge(case, answer("Strengthening effectiveness [1]"))
    assert judge(case, answer("Strengthening effectiveness and human rights [1]"))


def test_citations_must_point_into_the_listed_documents():
    assert not judge(CASE, answer("UNODC [1]", sources=("000_83b66ac27a9fbe20.txt",)))


def test_answers_over_500_characters_do_not_count():
    assert not judge(CASE, answer("UNODC " + "x" * 500))


def test_unanswerable_needs_not_found_without_citations():
    case = Case("n02", "en", "What is the recipe for paella?", [], None)
    assert judge(case, answer("Not found in the documents.", found=False))
    assert not judge(case, answer("Paella is rice [1]"))
