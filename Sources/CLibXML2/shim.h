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

/// `xmlFree` is a mutable global function pointer, which Swift cannot call safely; call it through here.
static inline void feedpipe_xmlFree(void *pointer) { xmlFree(pointer); }

static void feedpipe_ignore_generic_error(void *context, const char *message, ...) {
    (void)context;
    (void)message;
}
static void feedpipe_ignore_structured_error(void *context, xmlErrorPtr error) {
    (void)context;
    (void)error;
}

/// Silences libxml2's error reporting, which would print to stderr for every recoverable error: on this
/// thread and, as the default, on every thread that uses libxml2 later (its error handlers are per thread).
/// A NULL handler would restore the default one, which prints: no-op handlers are set instead. Errors
/// are still recorded, for `xmlGetLastError`.
static inline void feedpipe_silence_errors(void) {
    xmlSetGenericErrorFunc(NULL, feedpipe_ignore_generic_error);
    xmlSetStructuredErrorFunc(NULL, feedpipe_ignore_structured_error);
    xmlThrDefSetGenericErrorFunc(NULL, feedpipe_ignore_generic_error);
    xmlThrDefSetStructuredErrorFunc(NULL, feedpipe_ignore_structured_error);
}

#endif
