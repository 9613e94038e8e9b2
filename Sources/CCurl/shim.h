#ifndef FEEDPIPE_CCURL_SHIM_H
#define FEEDPIPE_CCURL_SHIM_H
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>

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

// Called before libcurl opens each socket, with the resolved address it is about to connect to: the address
// policy refuses a private address here, before any packet leaves (redirects and DNS rebinding included).
typedef curl_socket_t (*feedpipe_curl_opensocket_callback)(void *context, curlsocktype purpose,
                                                          struct curl_sockaddr *address);

static inline CURLcode feedpipe_curl_setopt_opensocket_function(CURL *handle,
                                                                feedpipe_curl_opensocket_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, callback);
}

// The text form of an IPv4 or IPv6 socket address (empty for any other family): what libcurl is about to
// connect to, or what the browser's proxy resolved.
static inline void feedpipe_sockaddr_text(const struct sockaddr *address, char *text, socklen_t size) {
    text[0] = 0;
    if (address->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)address)->sin_addr, text, size);
    } else if (address->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)address)->sin6_addr, text, size);
    }
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
