"""List pages and APIs of twenty-odd real-world layouts, written here, for Benchmarks/new/run.

Each layout is a page (or a JSON answer) with a known set of item links and the fields its rows carry, and
the furniture real sites put around them (menus, "most read" boxes, footers, pagination). `write(folder)`
writes them and returns the truth: for each layout, its path, the item links and the fields a pipeline
could take from the rows.
"""
import json, os

WORDS = ["harbour", "pier", "council", "tide", "river", "otters", "lanes", "plant", "bridge", "ferry", "market",
         "library", "school", "festival", "storm", "budget", "railway", "museum", "park", "election"]


def headline(i):
    a, b, c = WORDS[i % 20], WORDS[(i * 7 + 3) % 20], WORDS[(i * 11 + 5) % 20]
    return f"The {a} and the {b}: what the {c} vote means for the town"


def slug(i):
    return f"{WORDS[i % 20]}-{WORDS[(i * 7 + 3) % 20]}-story-{i}"


NAV = """<header class="site-header"><nav class="menu"><ul><li><a href="/">Home</a></li><li><a href="/world/">World news</a></li>
<li><a href="/politics/">Politics and power today</a></li><li><a href="/about/">About this site and team</a></li></ul></nav></header>"""
FOOT = """<footer class="site-footer"><a href="/contact/">Contact the newsroom today</a> <a href="/privacy/">Privacy and cookies policy</a></footer>"""
MOST = "".join(f'<li><a href="/2026/10/most-read-story-{k}">Most read: a story everyone read this week {k}</a></li>' for k in range(4))
ASIDE = f'<aside class="most-read"><h3>Most read</h3><ol>{MOST}</ol></aside>'


def page(title, body, head=""):
    return f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>{head}</head><body>{NAV}<main>{body}</main>{ASIDE}{FOOT}</body></html>"


def layouts():
    n = 8
    out = {}

    def add(name, text, links, fields, kind="html"):
        out[name] = {"text": text, "links": links, "fields": fields, "kind": kind}

    links = [f"/2026/11/{slug(i)}" for i in range(n)]
    add("ul-headlines", page("News", "<ul class=\"stories\">" + "".join(
        f'<li><a class="headline" href="{l}">{headline(i)}</a></li>' for i, l in enumerate(links)) + "</ul>"), links, [])
    add("cards-time-summary-image", page("News", "".join(
        f'<article class="card"><h2><a href="{l}">{headline(i)}</a></h2><time datetime="2026-11-{i + 1:02d}T08:00:00Z">{i + 1} Nov</time>'
        f'<p>A summary of the story in a sentence of its own, number {i}.</p><img src="/img/{i}.jpg" alt="">'
        f'<a class="tag" href="/tag/{WORDS[i % 20]}">{WORDS[i % 20]}</a></article>'
        for i, l in enumerate(links))), links, ["date", "summary", "image", "categories"])
    add("cards-read-more", page("News", "".join(
        f'<div class="teaser"><h3>{headline(i)}</h3><p>What happened, in a line or two of text, number {i}.</p>'
        f'<a class="more" href="{l}">Read more</a></div>' for i, l in enumerate(links))), links, ["title", "summary"])
    rel = [f"/releases/v{3 - i // 4}.{7 - i % 4}" for i in range(n)]
    add("table-releases", page("Releases", "<table class=\"releases\"><tr><th>Version</th><th>Date</th><th>Notes</th></tr>" + "".join(
        f'<tr><td><a href="{l}">Version {3 - i // 4}.{7 - i % 4} release notes and changes</a></td><td><time datetime="2026-{10 - i % 9:02d}-01">Oct</time></td><td>Fixes and changes in this release {i}.</td></tr>'
        for i, l in enumerate(rel)) + "</table>"), rel, ["date"])
    add("wordpress-theme", page("Blog", "<div class=\"post-list\">" + "".join(
        f'<div class="post"><h2 class="entry-title"><a href="{l}" rel="bookmark">{headline(i)}</a></h2><span class="posted-on"><time class="entry-date" datetime="2026-11-{i + 1:02d}">{i + 1} November</time></span>'
        f'<div class="entry-summary"><p>The excerpt of the post, as the theme prints it, number {i}.</p></div></div>' for i, l in enumerate(links)) + "</div>"),
        links, ["date", "summary"])
    add("figure-grid", page("Photos", "<section class=\"grid\">" + "".join(
        f'<figure class="tile"><a href="{l}"><img src="/img/{i}.jpg" alt=""></a><figcaption><a href="{l}">{headline(i)}</a></figcaption></figure>'
        for i, l in enumerate(links)) + "</section>"), links, ["image"])
    add("definition-list", page("Index", "<dl class=\"index\">" + "".join(
        f'<dt><a href="{l}">{headline(i)}</a></dt><dd>A line about the story, number {i}, for the index.</dd>' for i, l in enumerate(links)) + "</dl>"),
        links, [])
    add("paginated-blog", page("Blog", "".join(
        f'<article class="entry"><h2><a href="{l}">{headline(i)}</a></h2><p>The opening of the post, in a sentence, number {i}.</p></article>'
        for i, l in enumerate(links)) + '<nav class="pagination"><a rel="next" href="/page/2/">Older posts</a></nav>'), links, ["summary", "next"])
    add("ordered-with-sidebar", page("Top", "<ol class=\"top\">" + "".join(
        f'<li class="item"><a href="{l}">{headline(i)}</a> <span class="source">(example.org)</span></li>' for i, l in enumerate(links)) + "</ol>"),
        links, [])
    add("news-front-with-furniture", page("Front page", "<section class=\"top-stories\">" + "".join(
        f'<div class="story"><h3 class="title"><a href="{l}">{headline(i)}</a></h3><span class="byline">By Writer {i}</span></div>'
        for i, l in enumerate(links)) + "</section><section class=\"promo\"><a href=\"/subscribe/\">Subscribe to the newspaper today</a></section>"),
        links, ["author"])
    topics = [f"/forum/topic/{1000 + i}-{slug(i)}" for i in range(n)]
    add("forum-topics", page("Forum", "<table class=\"topics\"><tbody>" + "".join(
        f'<tr class="topic"><td class="title"><a href="{l}">{headline(i)}</a></td><td class="replies">{i * 3}</td><td class="last"><time datetime="2026-11-{i + 1:02d}T12:00:00Z">Nov</time></td></tr>'
        for i, l in enumerate(topics)) + "</tbody></table>"), topics, ["date"])
    episodes = [f"/podcast/episode-{40 - i}" for i in range(n)]
    add("podcast-episodes", page("Podcast", "".join(
        f'<div class="episode"><h3><a href="{l}">Episode {40 - i}: {headline(i)}</a></h3><audio src="/audio/{40 - i}.mp3" controls></audio><p>Show notes for the episode, number {i}.</p></div>'
        for i, l in enumerate(episodes))), episodes, ["summary", "enclosure"])
    results = [f"/docs/guide/{slug(i)}" for i in range(n)]
    add("search-results", page("Search", "<ul class=\"results\">" + "".join(
        f'<li class="result"><a href="{l}"><h3>{headline(i)}</h3></a><cite>example.org/docs</cite><p>A snippet of the page with the words searched for, number {i}.</p></li>'
        for i, l in enumerate(results)) + "</ul>"), results, ["summary"])
    hn = [f"https://other{i}.example.net/2026/{slug(i)}" for i in range(n)]
    add("link-aggregator", page("Links", "<table class=\"itemlist\">" + "".join(
        f'<tr class="athing"><td class="rank">{i + 1}.</td><td class="title"><span class="titleline"><a href="{l}">{headline(i)}</a></span></td></tr>'
        f'<tr><td class="subtext"><span class="score">{i * 10} points</span> <a href="/item?id={i}">{i} comments</a></td></tr>'
        for i, l in enumerate(hn)) + "</table>"), hn, [])
    add("read-more-arrows", page("Updates", "".join(
        f'<div class="update"><h2>{headline(i)}</h2><time datetime="2026-11-{i + 1:02d}">Nov</time><p>The first lines of the update, number {i}.</p><a href="{l}" aria-label="Continue reading: {headline(i)}">→</a></div>'
        for i, l in enumerate(links))), links, ["title", "date", "summary"])
    lookalike = "".join(f'<article class="story"><h2><a href="/2026/10/popular-{k}-{slug(k)}">Popular: {headline(k + 30)}</a></h2></article>' for k in range(3))
    add("rows-with-lookalike-box", page("Front", "<section class=\"top-stories\">" + "".join(
        f'<article class="story"><h2><a href="{l}">{headline(i)}</a></h2><p>A line of summary text for the story {i}.</p></article>'
        for i, l in enumerate(links)) + f"</section><section class=\"popular\">{lookalike}</section>"), links, ["summary"])
    long_rows = "".join(
        f'<article class="note"><h2><a href="{l}">{headline(i)}</a></h2><div class="text">' + " ".join(
            f"This is sentence {k} of note {i}, which carries the whole of its text in the list itself." for k in range(12)) + "</div></article>"
        for i, l in enumerate(links))
    add("rows-carry-text", page("Notes", long_rows), links, ["content"])

    api = [f"https://api-site.example.org/posts/{slug(i)}" for i in range(n)]
    add("json-object-api", json.dumps({"meta": {"page": 1, "total": n}, "data": {"articles": [
        {"id": i, "headline": headline(i), "permalink": l, "published_at": f"2026-11-{i + 1:02d}T09:00:00Z",
         "author": {"name": f"Writer {i}"}, "excerpt": f"Short text {i}.", "cover": {"url": f"https://cdn.example.org/{i}.jpg"}}
        for i, l in enumerate(api)]}}), api, ["date", "author", "summary", "image"], "json")
    add("json-array-api", json.dumps([
        {"title": headline(i), "url": l, "date": f"2026-11-{i + 1:02d}", "tags": ["a", "b"], "body": f"<p>Text {i}.</p>"}
        for i, l in enumerate(api)]), api, ["date", "categories", "content"], "json")
    wp = [f"https://blog.example.org/2026/11/{slug(i)}/" for i in range(n)]
    add("wordpress-rest", json.dumps([
        {"id": 100 + i, "date_gmt": f"2026-11-{i + 1:02d}T08:00:00", "link": l, "title": {"rendered": headline(i)},
         "content": {"rendered": f"<p>Post {i}.</p>"}, "excerpt": {"rendered": f"<p>Excerpt {i}.</p>"}}
        for i, l in enumerate(wp)]), wp, ["date", "summary", "content"], "json")
    ld = [f"https://shop.example.org/blog/{slug(i)}" for i in range(n)]
    itemlist = {"@context": "https://schema.org", "@type": "ItemList", "itemListElement": [
        {"@type": "ListItem", "position": i + 1, "item": {"@type": "BlogPosting", "headline": headline(i), "url": l,
                                                            "datePublished": f"2026-10-{i + 1:02d}"}} for i, l in enumerate(ld)]}
    add("jsonld-itemlist", page("Shop blog", "<div id=\"app\"></div>", f'<script type="application/ld+json">{json.dumps(itemlist)}</script>'),
        ld, ["date"])
    nx = [f"/events/{slug(i)}" for i in range(n)]
    next_data = {"props": {"pageProps": {"events": [
        {"name": headline(i), "url": l, "startsAt": f"2026-12-{i + 1:02d}T10:00:00Z", "blurb": f"What happens, {i}."}
        for i, l in enumerate(nx)]}}}
    add("nextjs-data", page("Events", "<div id=\"__next\"></div>",
                            f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(next_data)}</script>'),
        nx, ["date", "summary"])
    return out


def write(folder):
    os.makedirs(folder, exist_ok=True)
    truth = {}
    for name, layout in layouts().items():
        ext = "json" if layout["kind"] == "json" else "html"
        with open(os.path.join(folder, f"{name}.{ext}"), "w", encoding="utf-8") as f:
            f.write(layout["text"])
        truth[name] = {"path": f"/{name}.{ext}", "links": layout["links"], "fields": layout["fields"]}
    return truth


if __name__ == "__main__":
    import sys
    print(json.dumps(write(sys.argv[1]), indent=1))
