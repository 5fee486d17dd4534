#!/bin/sh
# The vm/ listings with a few hundred devices and objects (issue 15):
# vm/devices, vm/objects, the vm/object/ directory and every
# vm/object/ID/info agree, line for line, with what was created and
# mapped -- nothing missing, nothing twice, nothing left after destroy.
# Not timed: bench/listings_bench measures what the listings cost.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"

N=300
dpf_mount -o entry_timeout=0,attr_timeout=0

# Creates lt0..lt(N-1), maps and touches each (one object per device),
# checks every listing while they are mapped, unmaps them, destroys the
# even ones and checks again.  Prints the first disagreement and exits 1.
python3 - "$MNT" "$N" <<'PY' || fail "the listings disagree (above)"
import errno, mmap, os, sys

mnt, n = sys.argv[1], int(sys.argv[2])
names = ['lt%d' % i for i in range(n)]


def die(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def ctl(cmd):
    fd = os.open(mnt + '/vm/ctl', os.O_RDWR)
    try:
        os.write(fd, cmd.encode())
    except OSError as e:
        die('%s: %s' % (cmd, e))
    finally:
        os.close(fd)


def text(path):
    with open(mnt + '/' + path) as f:
        return f.read()


def devices():
    lines = text('vm/devices').splitlines()
    if lines[0].split() != ['NAME', 'DRIVER', 'REFS', 'FLAGS', 'SIZE',
                            'MEMATTR', 'STATE']:
        die('vm/devices header: %r' % lines[0])
    rows = {}
    for line in lines[1:]:
        f = line.split()
        if len(f) != 7:
            die('vm/devices line with %d columns: %r' % (len(f), line))
        if f[0] in rows:
            die('vm/devices lists %s twice' % f[0])
        rows[f[0]] = f
    return rows


def objects():
    lines = text('vm/objects').splitlines()
    if lines[0].split()[0] != 'ID':
        die('vm/objects header: %r' % lines[0])
    rows = {}
    for line in lines[1:]:
        f = line.split()
        if len(f) != 9:
            die('vm/objects line with %d columns: %r' % (len(f), line))
        if f[0] in rows:
            die('vm/objects lists id %s twice' % f[0])
        rows[f[0]] = f
    return rows


before = devices()
for name in names:
    if name in before:
        die('%s exists before it was created' % name)
    ctl('create %s driver=ram size=4K' % name)

rows = devices()
for name in names:
    if name not in rows:
        die('vm/devices misses %s' % name)
    if rows[name][1] != 'ram' or rows[name][4] != '4K':
        die('vm/devices line of %s: %r' % (name, rows[name]))
if set(rows) != set(before) | set(names):
    die('vm/devices: %r' % sorted(set(rows) ^ (set(before) | set(names))))

maps = []
for name in names:
    fd = os.open(mnt + '/dev/' + name, os.O_RDWR)
    m = mmap.mmap(fd, 4096)
    m[0]
    os.close(fd)
    maps.append(m)

objs = objects()
mine = {}
for oid, f in objs.items():
    path = f[8]
    if path.startswith('dev/lt'):
        if path[4:] in mine:
            die('two objects for %s' % path)
        mine[path[4:]] = oid
        if f[7] != 'dv' or int(f[1]) < 1:
            die('vm/objects line of %s: %r' % (path, f))
if set(mine) != set(names):
    die('vm/objects: objects of %r missing' % sorted(set(names) - set(mine)))

listed = set(os.listdir(mnt + '/vm/object'))
if set(objs) != listed:
    die('vm/object/ and vm/objects differ: %r' % sorted(set(objs) ^ listed))

for name, oid in mine.items():
    info = dict(l.split(': ', 1) for l in text('vm/object/%s/info' %
                                                oid).splitlines())
    want = {'id': oid, 'type': 'dv', 'path': 'dev/' + name,
            'handle': 'cdev ' + name, 'cdev': name}
    for k, v in want.items():
        if info.get(k) != v:
            die('vm/object/%s/info: %s: %r, expected %r' %
                (oid, k, info.get(k), v))
    if int(info['ref_count']) < 1:
        die('vm/object/%s/info: ref_count %s' % (oid, info['ref_count']))

# Unmapped, the objects go; destroyed, the devices go.
for m in maps:
    m.close()
gone = [names[i] for i in range(0, n, 2)]
for name in gone:
    ctl('destroy ' + name)
rows = devices()
for name in names:
    if (name in rows) == (name in gone):
        die('after destroy, vm/devices %s %s' %
            ('lists' if name in rows else 'misses', name))
objs = objects()
for oid, f in objs.items():
    if f[8].startswith('dev/lt'):
        die('object %s of %s outlived its mappings' % (oid, f[8]))
for name, oid in mine.items():
    try:
        text('vm/object/%s/info' % oid)
        die('vm/object/%s/info of %s is still readable' % (oid, name))
    except OSError as e:
        if e.errno != errno.ENOENT:
            die('vm/object/%s/info: %s' % (oid, e))
for name in names:
    if name not in gone:
        ctl('destroy ' + name)
if set(devices()) != set(before):
    die('vm/devices after destroying everything: %r' % sorted(devices()))
PY

dpf_alive
dpf_unmount
