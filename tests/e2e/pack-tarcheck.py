#!/usr/bin/env python3
"""pack-tarcheck.py - check the determinism rules of a tar bbroot wrote and
print a canonical listing (one member per line) for tests to compare.

    pack-tarcheck.py [--mtime N] [--uid N] [--gid N] FILE|-

FILE may be gzip/xz/bzip2 compressed (tarfile detects it) or zstd
(decompressed with the zstd program first).  Exit 1 with one line per
broken rule: owners, names (uname/gname empty), mtime, no atime/ctime
records, order (GNU tar --sort=name: depth first, bytewise within a
directory), no duplicates, every parent directory present before its
children, no root entry, no './' prefix, no '..', no absolute names,
no '.wh.' whiteouts, hard links pointing at an earlier regular member.
"""
import io
import subprocess
import sys
import tarfile


def main():
    args = sys.argv[1:]
    want = {"mtime": 0, "uid": 0, "gid": 0}
    while args and args[0].startswith("--"):
        want[args[0][2:]] = int(args[1])
        args = args[2:]
    path = args[0]
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    if data[:4] == b"\x28\xb5\x2f\xfd":
        data = subprocess.run(["zstd", "-dc"], input=data, stdout=subprocess.PIPE,
                              check=True).stdout
    errors = []
    seen = {}
    dirs = set()
    prev = None
    lines = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tf:
        for m in tf:
            name = m.name
            raw = name.encode("utf-8", "surrogateescape")
            if raw.startswith(b"./") or raw.startswith(b"/") or raw in (b".", b""):
                errors.append("bad name prefix or root entry: %r" % name)
            comps = raw.rstrip(b"/").split(b"/")
            if b".." in comps or b"." in comps:
                errors.append("'.' or '..' component: %r" % name)
            if any(c.startswith(b".wh.") for c in comps):
                errors.append("whiteout name: %r" % name)
            key = tuple(comps)
            if key in seen:
                errors.append("duplicate: %r" % name)
            seen[key] = m
            if prev is not None and not prev < key:
                errors.append("out of order: %r after %r" % (name, b"/".join(prev)))
            prev = key
            if len(comps) > 1 and tuple(comps[:-1]) not in dirs:
                errors.append("parent directory missing before %r" % name)
            if m.isdir():
                dirs.add(key)
            if m.uid != want["uid"] or m.gid != want["gid"]:
                errors.append("owner %d:%d of %r" % (m.uid, m.gid, name))
            if m.uname or m.gname:
                errors.append("user/group names %r/%r on %r" % (m.uname, m.gname, name))
            if int(m.mtime) != want["mtime"]:
                errors.append("mtime %r of %r" % (m.mtime, name))
            for k in ("atime", "ctime"):
                if k in m.pax_headers:
                    errors.append("%s record on %r" % (k, name))
            if m.islnk():
                t = tuple(m.linkname.encode("utf-8", "surrogateescape").split(b"/"))
                if t not in seen or not seen[t].isfile():
                    errors.append("hard link %r to %r which is not an earlier file"
                                  % (name, m.linkname))
            if m.isdir():
                kind, extra = "d", ""
            elif m.issym():
                kind, extra = "l", " -> " + m.linkname
            elif m.islnk():
                kind, extra = "h", " => " + m.linkname
            elif m.isfile():
                kind, extra = "f", " %d" % m.size
            else:
                kind, extra = "?", ""
                errors.append("special member %r" % name)
            lines.append("%s %04o %d:%d %s%s" % (kind, m.mode, m.uid, m.gid,
                                                 name.rstrip("/"), extra))
    for line in lines:
        print(line)
    for e in errors:
        print("tarcheck: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
