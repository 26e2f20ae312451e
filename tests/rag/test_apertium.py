"""The Apertium pipelines: real Debian programs, kept running, restarted, timed out."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from rag.apertium import Pipeline, TranslationFailed, escape, superblank, unescape

needs_apertium = pytest.mark.skipif(
    shutil.which("apertium-wblank-mode") is None and os.environ.get("CI") != "true",
    reason="Apertium is not installed (apt-get install apertium apertium-eng-spa apertium-es-pt)")


def test_escape_and_unescape_are_inverse_for_every_special_character():
    text = r"a [b] ^c$ d/e <f> {g} \h @i #j ~k *l"
    assert unescape(escape(text)) == text


def test_a_superblank_comes_back_as_its_content():
    assert unescape("Which " + superblank("Kindred [Healthcare]") + " x") == "Which Kindred [Healthcare] x"


def test_a_nul_in_the_input_cannot_split_a_segment():
    assert "\x00" not in escape("a\x00b")


@pytest.mark.integration
@needs_apertium
def test_the_pipeline_translates_one_segment_at_a_time_and_stays_up():
    pipeline = Pipeline("spa-eng")
    try:
        first = pipeline.translate(escape("¿Quién financia la red?"))
        second = pipeline.translate(escape("La casa es grande."))
        assert "Who" in first and "network" in first or "net" in first
        assert "house" in second
        assert pipeline.starts == 1
    finally:
        pipeline.close()


@pytest.mark.integration
@needs_apertium
def test_a_killed_pipeline_is_started_again():
    pipeline = Pipeline("eng-spa")
    try:
        assert "casa" in pipeline.translate(escape("The house is big."))
        victim = pipeline._procs[len(pipeline._procs) // 2]
        victim.kill()
        victim.wait()
        assert "casa" in pipeline.translate(escape("The house is small."))
        assert pipeline.starts == 2
    finally:
        pipeline.close()


@pytest.mark.integration
@needs_apertium
def test_concurrent_segments_get_their_own_translations():
    pipeline = Pipeline("spa-eng")
    texts = [f"El fiscal investigó {n} casos de trata en la ciudad." for n in range(40)]
    try:
        expected = [pipeline.translate(escape(t)) for t in texts]
        results: dict[int, str] = {}

        def work(offset: int) -> None:
            for n in range(offset, len(texts), 8):
                results[n] = pipeline.translate(escape(texts[n]))

        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert [results[n] for n in range(len(texts))] == expected
        assert all(str(n) in expected[n] for n in range(len(texts)))
    finally:
        pipeline.close()


@pytest.mark.integration
@needs_apertium
def test_many_segments_in_one_exchange_come_back_as_each_alone_would():
    """Some 200 KB of morphological analysis comes out of 33 KB of text: far more than the pipes
    between the stages hold, so the exchange must read while it writes."""
    analyser, pipeline = Pipeline("spa-eng", stages=1), Pipeline("spa-eng")
    texts = [escape(f"El fiscal número {n} investigó [{n}] casos de trata en la ciudad y en la frontera.")
             for n in range(400)]
    try:
        for p in (analyser, pipeline):
            alone = [p.translate(t) for t in texts[:40]]
            assert p.translate_many(texts[:40]) == alone
            together = p.translate_many(texts)
            assert len(together) == len(texts) and together[:40] == alone
            assert all(f"{n} " in together[n] or f"{n}<" in together[n] for n in range(len(texts)))
            assert p.translate_many([]) == []
            assert p.starts == 1
        assert sum(map(len, analyser.translate_many(texts))) > 3 * 65536
    finally:
        analyser.close()
        pipeline.close()


def test_a_stage_that_never_answers_times_out_and_is_killed(tmp_path: Path):
    if shutil.which("apertium-wblank-mode") is None:
        pytest.skip("apertium-wblank-mode reads the mode file")
    (tmp_path / "hang.mode").write_text("tail -f /dev/null\n")  # reads nothing, says nothing
    pipeline = Pipeline("hang", timeout=0.5, modes_dir=tmp_path)
    started = time.monotonic()
    with pytest.raises(TranslationFailed, match="timed out"):
        pipeline.translate("x")
    assert time.monotonic() - started < 5
    assert pipeline._procs == []  # killed, to be started afresh next time


def test_a_missing_program_is_a_translation_failure_not_a_crash(tmp_path: Path):
    if shutil.which("apertium-wblank-mode") is None:
        pytest.skip("apertium-wblank-mode reads the mode file")
    (tmp_path / "gone.mode").write_text("no-such-program-anywhere -x\n")
    with pytest.raises(TranslationFailed):
        Pipeline("gone", timeout=1, modes_dir=tmp_path).translate("x")
