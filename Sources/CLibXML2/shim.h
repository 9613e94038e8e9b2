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

/// Silences libxml2's generic error reporting (it would print to stderr for every recoverable error).
static inline void feedpipe_silence_errors(void) {
    xmlSetGenericErrorFunc(NULL, NULL);
    xmlSetStructuredErrorFunc(NULL, NULL);
}

#endif
