"""Texts that put multilingual-e5-small's tokenizer to the test: awkward ones, XQuAD's paragraphs
and questions in English and Spanish (where ../shared is present), and the seeds."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
XQUAD = ROOT.parent / "shared" / "eval" / "xquad"
AWKWARD = [
    "", " ", "   ", "a", "Hello world", " leading space", "trailing space ", "two  spaces\tand a tab\nand a line",
    "¿Quién coordina la red REDTRAM?", "Quem implementa o programa EL PAcCTO? Não sei.",
    "Ｆｕｌｌ－ｗｉｄｔｈ ＡＢＣ １２３ and the ﬁ ligature", "emoji 😀🚀 and 日本語のテキスト, Ελληνικά, русский",
    "control\x01\x02characters\x7f here", "a\u2581literal metaspace", "x" * 300, "Antidisestablishmentarianism's",
    "Art. 149-A do Código Penal (Lei nº 13.344/2016): R$ 1.500,00; US$ 2,3 milhões; 14/03/2019.",
]


def texts() -> list[str]:
    found = list(AWKWARD)
    for name in ("xquad.en.json", "xquad.es.json"):
        if (XQUAD / name).exists():
            for article in json.loads((XQUAD / name).read_text("utf-8"))["data"][:12]:
                for paragraph in article["paragraphs"]:
                    found.append(paragraph["context"])
                    found.extend(q["question"] for q in paragraph["qas"])
    found.extend(path.read_text("utf-8", errors="replace")[:4000] for path in sorted((ROOT / "seeds").iterdir())
                 if path.suffix in {".txt", ".md", ".html", ".eml"})
    return found
