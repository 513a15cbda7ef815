#!/usr/bin/env python3
"""Prints the CGI environment, sorted, as text/plain."""
import os
import sys

sys.stdout.write("Content-Type: text/plain; charset=utf-8\r\n\r\n")
for name in sorted(os.environ):
    sys.stdout.write("%s=%s\n" % (name, os.environ[name]))
