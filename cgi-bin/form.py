#!/usr/bin/env python3
"""Echoes the fields of a GET query or a POST urlencoded form as an HTML page."""
import html
import os
import sys
from urllib.parse import parse_qsl

method = os.environ.get("REQUEST_METHOD", "GET")
fields = parse_qsl(os.environ.get("QUERY_STRING", ""), keep_blank_values=True)
if method == "POST":
    length = int(os.environ.get("CONTENT_LENGTH") or 0)
    body = sys.stdin.buffer.read(length).decode("utf-8", "replace")
    if os.environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        fields += parse_qsl(body, keep_blank_values=True)

rows = "".join(
    "<tr><td>%s</td><td>%s</td></tr>\n" % (html.escape(k), html.escape(v)) for k, v in fields
)
sys.stdout.write("Content-Type: text/html; charset=utf-8\r\n\r\n")
sys.stdout.write(
    "<!DOCTYPE html>\n<html><head><title>form</title></head><body>\n"
    "<h1>%s form</h1>\n<table>\n%s</table>\n"
    '<form method="post"><input name="name"> <input name="message"> '
    '<button>send</button></form>\n</body></html>\n' % (html.escape(method), rows)
)
