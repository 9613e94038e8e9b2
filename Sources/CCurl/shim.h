#ifndef FEEDPIPE_CCURL_SHIM_H
#define FEEDPIPE_CCURL_SHIM_H
#include <curl/curl.h>

// Swift cannot call C variadic functions: typed wrappers for the options feedpipe sets.

static inline CURLcode feedpipe_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode feedpipe_curl_setopt_int64(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode feedpipe_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode feedpipe_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*feedpipe_curl_data_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode feedpipe_curl_setopt_write_function(CURL *handle, feedpipe_curl_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}
static inline CURLcode feedpipe_curl_setopt_header_function(CURL *handle, feedpipe_curl_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

// Called once a connection is made or reused, before each request on it (redirects included): the address
// policy reads the address libcurl actually connected to here.
typedef int (*feedpipe_curl_prereq_callback)(void *context, char *primary_ip, char *local_ip, int primary_port,
                                             int local_port);

static inline CURLcode feedpipe_curl_setopt_prereq_function(CURL *handle, feedpipe_curl_prereq_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_PREREQFUNCTION, callback);
}

static inline CURLcode feedpipe_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode feedpipe_curl_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode feedpipe_curl_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode feedpipe_curl_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLMcode feedpipe_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}
static inline CURLMcode feedpipe_curl_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value) {
    return curl_multi_setopt(multi, option, value);
}

// The event interface: libcurl says which sockets to watch and when to call it back, and is told which
// socket is ready, so that it reads only that one.
typedef int (*feedpipe_curl_socket_callback)(CURL *easy, curl_socket_t socket, int what, void *context,
                                             void *socket_context);
typedef int (*feedpipe_curl_timer_callback)(CURLM *multi, long timeout_ms, void *context);

static inline CURLMcode feedpipe_curl_multi_setopt_socket_function(CURLM *multi,
                                                                   feedpipe_curl_socket_callback callback) {
    return curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, callback);
}
static inline CURLMcode feedpipe_curl_multi_setopt_timer_function(CURLM *multi,
                                                                  feedpipe_curl_timer_callback callback) {
    return curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, callback);
}
#endif
