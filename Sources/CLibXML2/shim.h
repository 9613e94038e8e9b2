#ifndef FEEDPIPE_CLIBXML2_SHIM_H
#define FEEDPIPE_CLIBXML2_SHIM_H

// Foundation ships its own ICU; libxml2's ICU types would clash with it in any module that sees both.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <libxml/xmlerror.h>
#include <string.h>

/// `xmlFree` is a mutable global function pointer, which Swift cannot call safely; call it through here.
static inline void feedpipe_xmlFree(void *pointer) { xmlFree(pointer); }

static void feedpipe_ignore_generic_error(void *context, const char *message, ...) {
    (void)context;
    (void)message;
}

/// Whether `name` is one of the NULL-terminated `names`.
static inline int feedpipe_is_one_of(const char *name, const char *const *names) {
    for (const char *const *candidate = names; *candidate != NULL; candidate++) {
        if (strcmp(name, *candidate) == 0) return 1;
    }
    return 0;
}

/// The elements whose end tag closes every element left open inside them (the end tags of "address,
/// article, aside, … ul" and of list items in the HTML standard's tree construction).
static const char *const feedpipe_closing_elements[] = {
    "address", "article", "aside", "blockquote", "button", "center", "details", "dialog", "dir", "dl",
    "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "listing", "main", "menu", "nav",
    "ol", "pre", "search", "section", "summary", "ul", "li", "dd", "dt", NULL};

/// The elements that bound the scope an end tag may close through: table parts and the page's own
/// elements (libxml2 gives these a higher rank than `div` too).
static const char *const feedpipe_scope_bounds[] = {
    "table", "caption", "tbody", "thead", "tfoot", "tr", "td", "th", "html", "head", "body", "object",
    "applet", "marquee", "template", NULL};

/// The structured error handler: ignores every error but one, a mismatched end tag in HTML, where it closes
/// what libxml2 2.9 would leave open.
///
/// libxml2 lets an end tag close only the elements it ranks no higher than itself, and it ranks `div` above
/// all but table parts: in `<button><div></button>` the `</button>` is dropped, the button stays open, and
/// everything after it — in one common template the whole article — ends up inside the page's header
/// button. Browsers pop the open elements down to the button. libxml2 reports the mismatch ("X and div")
/// just before it gives up on the end tag, with its stack of open elements in the context; this handler pops
/// that stack down to X there, as a browser would, so that libxml2 then closes X itself. Nothing changes
/// when X is not open, when a table part or the body stands between, or for any other error.
static void feedpipe_structured_error(void *context, xmlErrorPtr error) {
    (void)context;
    if (error == NULL || error->domain != XML_FROM_HTML || error->code != XML_ERR_TAG_NAME_MISMATCH ||
        error->str1 == NULL || error->str2 == NULL || error->ctxt == NULL || strcmp(error->str2, "div") != 0 ||
        !feedpipe_is_one_of(error->str1, feedpipe_closing_elements)) {
        return;
    }
    htmlParserCtxtPtr parser = (htmlParserCtxtPtr)error->ctxt;
    int index = parser->nameNr - 1;
    while (index >= 0 && strcmp((const char *)parser->nameTab[index], error->str1) != 0) {
        if (feedpipe_is_one_of((const char *)parser->nameTab[index], feedpipe_scope_bounds)) return;
        index--;
    }
    if (index < 0) return;
    while (parser->nameNr - 1 > index) {
        if (parser->sax != NULL && parser->sax->endElement != NULL) {
            parser->sax->endElement(parser->userData, parser->name);
        }
        parser->nameNr--;
        parser->nameTab[parser->nameNr] = NULL;
        parser->name = parser->nameTab[parser->nameNr - 1];
    }
}

/// Silences libxml2's error reporting, which would print to stderr for every recoverable error, and installs
/// the HTML repair above: on this thread and, as the default, on every thread that uses libxml2 later (its
/// error handlers are per thread). A NULL handler would restore the default one, which prints: handlers that
/// print nothing are set instead. Errors are still recorded, for `xmlGetLastError`.
static inline void feedpipe_silence_errors(void) {
    xmlSetGenericErrorFunc(NULL, feedpipe_ignore_generic_error);
    xmlSetStructuredErrorFunc(NULL, feedpipe_structured_error);
    xmlThrDefSetGenericErrorFunc(NULL, feedpipe_ignore_generic_error);
    xmlThrDefSetStructuredErrorFunc(NULL, feedpipe_structured_error);
}

#endif
