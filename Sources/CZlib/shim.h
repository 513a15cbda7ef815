// zlib from the system (Debian zlib1g-dev): gzip responses and permessage-deflate.
#ifndef WEBSERV_CZLIB_SHIM_H
#define WEBSERV_CZLIB_SHIM_H
#include <zlib.h>
// deflateInit2/inflateInit2 are macros; Swift sees these functions instead.
static inline int webserv_deflateInit2(z_streamp s, int level, int method, int windowBits, int memLevel, int strategy) {
    return deflateInit2(s, level, method, windowBits, memLevel, strategy);
}
static inline int webserv_inflateInit2(z_streamp s, int windowBits) { return inflateInit2(s, windowBits); }
#endif
