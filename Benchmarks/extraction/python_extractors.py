#!/usr/bin/env python3
"""Runs one Python extractor over a folder of pages for Benchmarks/extraction/run.

Usage: python_extractors.py NAME PAGES_DIR PREDICTIONS.json
NAME is trafilatura, trafilatura-precision or readability-lxml. Prints one JSON line with the pages per CPU
second of extraction alone (reading files excluded) and the process's peak RSS in MB.
"""
import json
import os
import resource
import sys
import time


def extractor(name):
    if name.startswith("trafilatura"):
        import trafilatura

        precision = name.endswith("precision")
        return lambda html: trafilatura.extract(html, favor_precision=precision) or ""
    if name == "readability-lxml":
        import lxml.html
        from readability import Document

        def run(html):
            summary = Document(html).summary(html_partial=True)
            return lxml.html.fromstring(summary).text_content() if summary.strip() else ""

        return run
    raise SystemExit(f"unknown extractor {name}")


def main(name, folder, output):
    extract = extractor(name)
    predictions, cpu = {}, 0.0
    for file in sorted(os.listdir(folder)):
        if not file.endswith(".html"):
            continue
        with open(os.path.join(folder, file), encoding="utf-8") as handle:
            html = handle.read()
        start = time.process_time()
        try:
            text = extract(html)
        except Exception as error:  # an extractor crash counts as an empty prediction
            print(f"{name}: {file}: {error}", file=sys.stderr)
            text = ""
        cpu += time.process_time() - start
        predictions[file[:-5]] = {"articleBody": text}
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(predictions, handle)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"mode": name, "pages": len(predictions), "cpu_seconds": cpu,
                      "pages_per_second": len(predictions) / cpu, "peak_rss_mb": peak}))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
