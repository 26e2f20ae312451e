#!/usr/bin/env bash
# XQuAD in the four settings (questions over paragraphs): en/en, es/es, es/en, en/es, one table
# per embedding model, measured in one run. Each setting indexes the corpus's 240 paragraphs into
# a temporary index and asks its 1,190 questions; figures are for the held-out articles 24-47
# (rag eval --xquad prints both splits).
#   bash bench/xquad.sh [path/to/xquad-folder]
#   MODELS="all-MiniLM-L6-v2 multilingual-e5-small use-multilingual" bash bench/xquad.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/eval/xquad}
MODELS=${MODELS:-multilingual-e5-small}  # the default model
SETTINGS=${SETTINGS:-en/en es/es es/en en/es}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for model in $MODELS; do
  for setting in $SETTINGS; do
    q=${setting%/*}; c=${setting#*/}
    echo "xquad: $model, $q questions over $c paragraphs..." >&2
    RAG_EMBEDDING_MODEL=$model .venv/bin/rag eval --xquad "$DATA/xquad.$q.json" --corpus "$DATA/xquad.$c.json" \
      --json > "$OUT/$model-$q-$c.json"
  done
done
.venv/bin/python - "$OUT" "$MODELS" "$SETTINGS" <<'PY'
import json, sys
from pathlib import Path
cols = [("recall_at_1", "R@1"), ("recall_at_5", "R@5"), ("dense_recall_at_1", "dense R@1"),
        ("lexical_recall_at_1", "lex R@1"), ("answer_cites_gold", "cites gold"),
        ("answer_containment", "contains"), ("gloss_containment", "gloss"),
        ("naive_containment", "naive"), ("best_sentence_containment", "best sent."), ("answer_in_top_k", "in top 5"),
        ("answer_in_gold_paragraph", "in gold"), ("not_found_rate", "not found"), ("median_ms", "ms")]


def never_worse(row: dict) -> str:
    """Whether fusion is at least as good as the better single retriever, at 1 and at 5."""
    return "yes" if all(row[f"recall_at_{k}"] >= max(row[f"dense_recall_at_{k}"], row[f"lexical_recall_at_{k}"])
                        for k in (1, 5)) else "no"


for model in sys.argv[2].split():
    print(f"{model}, held-out articles 24-47")
    print("setting".ljust(10) + "".join(f"{label:>11}" for _, label in cols) + "  >= best single")
    for setting in sys.argv[3].split():
        name = setting.replace("/", "-")
        row = json.loads((Path(sys.argv[1]) / f"{model}-{name}.json").read_text())["held_out_24_47"]
        print(setting.ljust(10) + "".join(f"{row[key]:>11}" for key, _ in cols) + f"  {never_worse(row)}")
PY
