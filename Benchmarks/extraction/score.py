#!/usr/bin/env python3
"""Scores article-body predictions against the extraction benchmark's ground truth.

The metric follows the benchmark's FORMAT.md: word 4-gram shingles counted as a multiset, per-page
TP/FP/FN normalised to sum to 1, macro precision and recall over pages, F1 from the two means, and
exact-token accuracy.

Usage: score.py GROUND_TRUTH.json PREDICTIONS.json [--worst N]
"""
import json
import re
import sys
from collections import Counter

TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text):
    return TOKEN.findall(text or "")


def shingles(words, n=4):
    if not words:
        return Counter()
    return Counter(tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1)))


def page_counts(truth, prediction):
    """Normalised (tp, fp, fn) for one page."""
    expected, predicted = shingles(tokens(truth)), shingles(tokens(prediction))
    tp = sum(min(count, predicted[s]) for s, count in expected.items())
    fp = sum(max(0, count - expected[s]) for s, count in predicted.items())
    fn = sum(max(0, count - predicted[s]) for s, count in expected.items())
    total = tp + fp + fn
    if total > 0:
        tp, fp, fn = tp / total, fp / total, fn / total
    return tp, fp, fn


def ratio(tp, other):
    if other == 0 and tp == 0:
        return 0.0
    return tp / (tp + other)


def page_precision(tp, fp, fn):
    if fp == 0 and fn == 0:
        return 1.0
    if tp == 0 and fp == 0:
        return 0.0
    return tp / (tp + fp)


def page_recall(tp, fp, fn):
    if fp == 0 and fn == 0:
        return 1.0
    if tp == 0 and fn == 0:
        return 0.0
    return tp / (tp + fn)


def score(truth, predictions):
    """Returns (f1, precision, recall, accuracy, per-page rows)."""
    precisions, recalls, rows, exact = [], [], [], 0
    for key, item in truth.items():
        expected = item["articleBody"]
        predicted = (predictions.get(key) or {}).get("articleBody") or ""
        tp, fp, fn = page_counts(expected, predicted)
        p, r = page_precision(tp, fp, fn), page_recall(tp, fp, fn)
        if tp + fp > 0:
            precisions.append(p)
        if tp + fn > 0:
            recalls.append(r)
        if tokens(expected) == tokens(predicted):
            exact += 1
        rows.append((key, p, r))
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall, exact / len(truth), rows


def load_predictions(path):
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if isinstance(data, dict) and "output" in data and "version" in data:
        data = data["output"]
    return data


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        truth = json.load(handle)
    predictions = load_predictions(argv[2])
    worst = int(argv[argv.index("--worst") + 1]) if "--worst" in argv else 0
    f1, precision, recall, accuracy, rows = score(truth, predictions)
    print(f"F1 {f1:.4f}  precision {precision:.4f}  recall {recall:.4f}  accuracy {accuracy:.4f}")
    for key, p, r in sorted(rows, key=lambda row: 2 * row[1] * row[2] / (row[1] + row[2] or 1))[:worst]:
        print(f"  {key}  P {p:.3f}  R {r:.3f}  {truth[key]['url']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
