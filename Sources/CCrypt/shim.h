// libcrypt from the system (Debian libcrypt-dev): htpasswd bcrypt, SHA-512-crypt, SHA-256-crypt.
#ifndef WEBSERV_CCRYPT_SHIM_H
#define WEBSERV_CCRYPT_SHIM_H
#include <crypt.h>
#endif
