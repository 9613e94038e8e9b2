#!/usr/bin/env python3
"""Runs one Python extractor over a folder of pages for Benchmarks/extraction/run.

Usage: python_extractors.py NAME PAGES_DIR PREDICTIONS.json [TRUTH.json]
NAME is trafilatura, trafilatura-precision or readability-lxml. Prints one JSON line with the pages per CPU
second of extraction alone (reading files excluded) and the process's peak RSS in MB. With TRUTH.json (whose
entries give each page's `url`), pages are extracted at their address, and trafilatura's predictions also
carry its title, author and date (its metadata pass is not timed).
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
        return lambda html, url=None: trafilatura.extract(html, url=url, favor_precision=precision) or ""
    if name == "readability-lxml":
        import lxml.html
        from readability import Document

        def run(html, url=None):
            summary = Document(html).summary(html_partial=True)
            return lxml.html.fromstring(summary).text_content() if summary.strip() else ""

        return run
    raise SystemExit(f"unknown extractor {name}")


def metadata(name, html, url):
    """Title, author and date as the extractor gives them, when it gives any."""
    if not name.startswith("trafilatura"):
        return {}
    import trafilatura

    document = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if document is None:
        return {}
    fields = {"title": document.title, "author": document.author, "published": document.date}
    return {key: value for key, value in fields.items() if value}


def main(name, folder, output, truth_path=None):
    extract = extractor(name)
    urls = {}
    if truth_path:
        with open(truth_path, encoding="utf-8") as handle:
            urls = {key: value.get("url") for key, value in json.load(handle).items()}
    predictions, cpu = {}, 0.0
    for file in sorted(os.listdir(folder)):
        if not file.endswith(".html"):
            continue
        # Saved pages of the old web are in their own encodings: such a page goes in as bytes, which both
        # extractors decode themselves (declared charset, then detection).
        with open(os.path.join(folder, file), "rb") as handle:
            raw = handle.read()
        try:
            html = raw.decode("utf-8")
        except UnicodeDecodeError:
            html = raw
        page = file[:-5]
        start = time.process_time()
        try:
            text = extract(html, urls.get(page))
        except Exception as error:  # an extractor crash counts as an empty prediction
            print(f"{name}: {file}: {error}", file=sys.stderr)
            text = ""
        cpu += time.process_time() - start
        predictions[page] = {"articleBody": text}
        if urls:
            try:
                predictions[page].update(metadata(name, html, urls.get(page)))
            except Exception as error:
                print(f"{name}: {file}: metadata: {error}", file=sys.stderr)
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(predictions, handle)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"mode": name, "pages": len(predictions), "cpu_seconds": cpu,
                      "pages_per_second": len(predictions) / cpu, "peak_rss_mb": peak}))


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
