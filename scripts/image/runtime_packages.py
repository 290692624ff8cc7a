"""Prints what the Dockerfile's runtime stage is made of, for scripts/image/check-runtime.sh.

Usage: runtime_packages.py Dockerfile   ->   line 1: the Debian suite, line 2: the packages

The runtime stage is the last FROM; its suite is the `-slim` tag of the Debian base image (with
the Dockerfile's ARG defaults substituted), its packages the arguments of its `apt-get install`.
Fails when the stage is not Debian slim or installs nothing, so an edit cannot silently make
the check test something else than the image.
"""

import re
import shlex
import sys


def main() -> int:
    text = open(sys.argv[1]).read().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    args = {}
    for line in lines:
        match = re.match(r"ARG\s+(\w+)=(\S+)", line)
        if match:
            args.setdefault(match.group(1), match.group(2))
    stages = [i for i, line in enumerate(lines) if line.upper().startswith("FROM ")]
    runtime = lines[stages[-1]:]
    image = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), runtime[0].split()[1])
    match = re.fullmatch(r"debian:(\w+)-slim", image)
    if not match:
        print(f"runtime stage is {image}, not debian:<suite>-slim", file=sys.stderr)
        return 1
    packages = []
    for line in runtime:
        if not line.upper().startswith("RUN "):
            continue
        for command in re.split(r"&&|;", line[4:]):
            words = shlex.split(command)
            if words[:2] == ["apt-get", "install"]:
                packages += [w for w in words[2:] if not w.startswith("-")]
    if not packages:
        print("runtime stage installs no package", file=sys.stderr)
        return 1
    print(match.group(1))
    print(" ".join(packages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
