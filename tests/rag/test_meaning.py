"""Semantic evidence (rag/meaning.py): the real multilingual model decides between sentences that
share about as many of the question's words."""

from __future__ import annotations

import threading

import pytest

from rag.embedding import load_embedder
from rag.engine import Engine
from rag.meaning import MARGIN, SentenceSimilarity
from rag.query import Query
from rag.schema import Hit
from rag.selection import Scored
from rag.sentences import Span
from rag.settings import E5_MODEL, Settings

pytestmark = pytest.mark.integration


class Counting:
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, model) -> None:
        self.model = model
        self.name = model.name
        self.dimension = model.dimension
        self.embedded: list[str] = []

    def embed(self, texts, *, batch_size=32, kind="passage"):
        self.embedded += texts
        return self.model.embed(texts, batch_size=batch_size, kind=kind)


@pytest.fixture(scope="module")
def e5():
    return load_embedder(E5_MODEL)


def scored(text: str, score: float, position: int, doc_id: str = "d1") -> Scored:
    hit = Hit(1, doc_id, f"{doc_id}.txt", 0, 500, text, "en", 1.0, 0.8, None)
    return Scored(hit, 0, Span(0, len(text), text), {}, score, score, position)


def question(text: str) -> Query:
    return Query(text, "en", [], [])


PAID = "The victims said the farm owner paid them nothing for months of work."
FREED = "The victims were freed by labour inspectors during a raid on the farm."


def test_the_sentence_that_means_the_answer_wins_among_close_contenders(e5):
    meaning = SentenceSimilarity(embedder=e5, weight=4.0)
    ranked = [scored(PAID, 0.70, 1), scored(FREED, 0.66, 2), scored("The farm grows coffee.", 0.40, 3)]
    out = meaning.rerank(question("How were the victims freed from the farm?"), ranked)
    assert out[0].position == 2
    assert out[0].position == 2
    # Scores stay as they were: the others still join the answer on their words.
    assert {s.position: s.score for s in out} == {1: 0.70, 2: 0.66, 3: 0.40}


@pytest.mark.parametrize("asked", ["How were the victims freed from the farm?",
                                   "¿Cómo fueron liberadas las víctimas de la finca?",
                                   "Como as vítimas foram libertadas da fazenda?"])
def test_the_same_fact_asked_in_three_languages_picks_the_same_sentence(e5, asked):
    meaning = SentenceSimilarity(embedder=e5, weight=4.0)
    assert meaning.rerank(question(asked), [scored(PAID, 0.70, 1), scored(FREED, 0.66, 2)])[0].position == 2


def test_a_clear_lexical_winner_stays_first_and_without_the_likelihood_costs_no_embedding(e5):
    ranked = [scored("Operation Dawn was led by prosecutor Ana Ribeiro.", 0.9, 1),
              scored("The weather was mild.", 0.9 - MARGIN - 0.01, 2)]
    query = question("Who led Operation Dawn?")
    assert SentenceSimilarity(embedder=e5, weight=4.0).rerank(query, list(ranked))[0].position == 1
    counting = Counting(e5)
    words_only = SentenceSimilarity(embedder=counting, weight=4.0, likely=0)
    assert [s.position for s in words_only.rerank(query, list(ranked))] == [1, 2]
    assert counting.embedded == []


def test_only_the_sentences_weighed_are_embedded(e5):
    counting = Counting(e5)
    meaning = SentenceSimilarity(embedder=counting, weight=4.0, contenders=2, likely=2)
    ranked = [scored(PAID, 0.70, 1), scored(FREED, 0.66, 2), scored("The farm grows coffee.", 0.65, 3)]
    meaning.rerank(question("How were the victims freed from the farm?"), ranked)
    assert [t for t in counting.embedded if t.startswith("The ")] == [PAID, FREED]
    with pytest.raises(ValueError):
        SentenceSimilarity(embedder=e5, weight=4.0, contenders=1)
    with pytest.raises(ValueError):
        SentenceSimilarity(embedder=e5, weight=4.0, contenders=4, likely=3)


def test_the_followers_come_by_their_likelihood_after_the_best(e5):
    meaning = SentenceSimilarity(embedder=e5, weight=4.0, contenders=2, likely=3)
    ranked = [scored(PAID, 0.70, 1), scored("The farm grows coffee.", 0.50, 2),
              scored(FREED, 0.45, 3), scored("The owner was fined.", 0.30, 4)]
    out = meaning.rerank(question("How were the victims freed from the farm?"), ranked)
    assert out[0].position == 1  # far ahead on words: meaning does not displace it
    assert [s.likelihood is not None for s in out] == [True, True, True, False]
    assert out[1].likelihood >= out[2].likelihood
    assert out[1].position == 3  # the raid's sentence is likelier to answer than the coffee's
    assert out[3].position == 4


def test_a_sentence_that_could_not_join_is_not_embedded(e5):
    counting = Counting(e5)
    meaning = SentenceSimilarity(embedder=counting, weight=4.0, contenders=2, likely=4)
    coffee, fine = "The farm grows coffee.", "The owner was fined."
    ranked = [scored(PAID, 0.70, 1), scored(FREED, 0.40, 2), scored(coffee, 0.35, 3), scored(fine, 0.30, 4)]
    out = meaning.rerank(question("How were the victims freed from the farm?"), ranked,
                         lambda best: lambda s: s.span.text != coffee)
    assert coffee not in counting.embedded and {PAID, FREED, fine} <= set(counting.embedded)
    assert [s.span.text for s in out][-1] == coffee and out[-1].likelihood is None


def test_sentence_vectors_are_kept_between_questions(e5):
    counting = Counting(e5)
    meaning = SentenceSimilarity(embedder=counting, weight=4.0)

    def ranked():
        return [scored("The network moved migrants through Tacna.", 0.6, 1),
                scored("The network was dismantled in 2019.", 0.55, 2)]
    meaning.rerank(question("Where did the network move migrants?"), ranked())
    meaning.rerank(question("When was the network dismantled?"), ranked())
    sentences = [t for t in counting.embedded if t.startswith("The network")]
    assert sorted(sentences) == ["The network moved migrants through Tacna.", "The network was dismantled in 2019."]


def test_a_sentence_repeated_across_documents_is_embedded_once(e5):
    counting = Counting(e5)
    meaning = SentenceSimilarity(embedder=counting, weight=4.0)
    copied = "The network moved migrants through Tacna."
    ranked = [scored(copied, 0.6, 1, doc_id="a"), scored(copied, 0.59, 4, doc_id="b"),
              scored("The network was dismantled in 2019.", 0.58, 2, doc_id="a")]
    out = meaning.rerank(question("Where did the network move migrants?"), ranked)
    assert [t for t in counting.embedded if t.startswith("The network")] == [copied, "The network was dismantled in 2019."]
    assert [(s.hit.doc_id, s.position) for s in out][:2] == [("a", 1), ("b", 4)]  # the same meaning: words decide
    meaning.rerank(question("Which city did the migrants cross?"), [scored(copied, 0.6, 7, doc_id="c"),
                                                                    scored("Tacna is a city.", 0.58, 8, doc_id="c")])
    assert counting.embedded.count(copied) == 1


def test_concurrent_questions_share_the_cache_safely(e5):
    meaning = SentenceSimilarity(embedder=e5, weight=4.0)
    texts = [f"Report {n} says the smugglers moved {n} migrants through the northern border." for n in range(12)]
    errors, results = [], []

    def ask(n: int) -> None:
        try:
            ranked = [scored(texts[n % 12], 0.6, n % 12, doc_id=f"d{n % 3}"),
                      scored(texts[(n + 1) % 12], 0.58, (n + 1) % 12, doc_id=f"d{n % 3}")]
            results.append(meaning.rerank(question("How many migrants were moved?"), ranked))
        except Exception as exc:  # noqa: BLE001 - any failure under threads is the finding
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(results) == 24


def test_each_model_has_its_own_weight_and_a_setting_turns_it_off(tmp_path):
    assert Settings().sentence_similarity_weight() == 4.0
    assert Settings(embedding_model="all-MiniLM-L6-v2").sentence_similarity_weight() == 0.0  # not calibrated
    assert Settings(sentence_similarity=0).sentence_similarity_weight() == 0.0
    assert Settings().answer_likelihood() and not Settings(embedding_model="all-MiniLM-L6-v2").answer_likelihood()
    off = Engine(Settings(index_dir=tmp_path / "off", embedding_model="hash"))
    on = Engine(Settings(index_dir=tmp_path / "on", embedding_model="hash", sentence_similarity=2.5))
    try:
        assert off.composer.meaning is None
        assert on.composer.meaning is not None and on.composer.meaning.weight == 2.5
        assert on.composer.meaning.likely == 0  # the likelihood was fitted with e5's cosines only
    finally:
        off.close()
        on.close()
    with pytest.raises(ValueError):
        SentenceSimilarity(embedder=load_embedder("hash"), weight=0)
    with pytest.raises(TypeError):
        SentenceSimilarity(embedder=object(), weight=1.0)


def test_a_question_the_documents_do_not_answer_embeds_no_sentence(tmp_path, e5):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "raid.txt").write_text(f"{PAID}\n\n{FREED}\n", "utf-8")
    engine = Engine(Settings(index_dir=tmp_path / "index"), embedder=e5)
    try:
        engine.ingest_paths([tmp_path / "docs"])
        counting = Counting(e5)
        engine.composer.meaning.embedder = counting
        assert not engine.ask("What is the capital of Mongolia's northern province?").found
        assert counting.embedded == []  # "not found" is decided on words and kind: meaning never embeds for it
        assert engine.ask("How were the victims freed from the farm?").found
        assert FREED in counting.embedded
    finally:
        engine.close()
