#!/usr/bin/env python3
"""Writes a C header holding a file's bytes as a string constant:
embed.py INPUT OUTPUT NAME."""
import sys

data = open(sys.argv[1], "rb").read()
name = sys.argv[3]
with open(sys.argv[2], "w", encoding="ascii") as out:
    out.write("/* generated from %s by scripts/embed.py; do not edit */\n"
              % sys.argv[1].rsplit("/", 1)[-1])
    out.write("static const char %s[] =\n" % name)
    for i in range(0, len(data), 16):
        chunk = data[i:i + 16]
        out.write('\t"' + "".join("\\x%02x" % b for b in chunk) + '"\n')
    out.write(";\n#define %s_LEN %d\n" % (name.upper(), len(data)))
