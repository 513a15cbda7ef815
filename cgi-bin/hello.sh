#!/bin/sh
# The smallest CGI: a header section, a blank line, a body.
printf 'Content-Type: text/plain\r\n\r\n'
echo "Hello from webserv CGI (${SCRIPT_NAME:-hello.sh})"
