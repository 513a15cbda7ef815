// brotli from the system (Debian libbrotli-dev): on-the-fly br responses.
#ifndef WEBSERV_CBROTLI_SHIM_H
#define WEBSERV_CBROTLI_SHIM_H
#include <brotli/encode.h>
#include <brotli/decode.h>
#endif
